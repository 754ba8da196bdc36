import type { WebSocket } from 'ws';
import { fail, type Envelope } from '../../shared/errors';
import { ClientFrameSchema, type ClientFrame, type ServerFrame } from '../../shared/ws-protocol';
import type { Engine } from '../engine/engine';
import type { Logger } from '../engine/log';

/**
 * What one API connection may cost the server. A client that stops reading keeps its answers in
 * our memory; past `maxBufferedBytes` it is closed (it reconnects and asks again). A client that
 * sends calls faster than they are answered is read no further until `maxInFlight` are done, so
 * TCP slows it down instead of our memory growing.
 */
export interface ClientLimits {
  maxBufferedBytes: number;
  maxInFlight: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { maxBufferedBytes: 8 * 1024 * 1024, maxInFlight: 16 };

/** Close code for a client that let too much pile up (RFC 6455: "message too big" is the nearest). */
export const WS_CLOSE_TOO_SLOW = 1008;

type ValidFrame = Pick<ClientFrame, 'id' | 'method' | 'args'>;

export class ApiClients {
  readonly #sockets = new Set<WebSocket>();
  readonly #engine: Pick<Engine, 'call'>;
  readonly #log: Logger;
  readonly #limits: ClientLimits;

  constructor(engine: Pick<Engine, 'call'>, log: Logger, limits: ClientLimits = DEFAULT_CLIENT_LIMITS) {
    this.#engine = engine;
    this.#log = log;
    this.#limits = limits;
  }

  get size(): number {
    return this.#sockets.size;
  }

  attach(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('error', (error) => this.#log.warn('headless.ws_error', { error }));
    let inFlight = 0;
    // Frames already read when the socket was paused still arrive (ws delivers what it buffered);
    // they wait here, and are dropped if the client goes away first.
    const waiting: ValidFrame[] = [];
    ws.once('close', () => {
      this.#sockets.delete(ws);
      waiting.length = 0;
    });

    // One await per call (not a chain of then/catch/finally): this is the path every click takes.
    const answer = async (frame: ValidFrame): Promise<void> => {
      let envelope: Envelope<unknown>;
      try {
        envelope = await this.#engine.call(frame.method, frame.args);
      } catch (error) {
        // engine.call answers every expected failure itself; reaching this is a bug, not the client's fault.
        this.#log.error('headless.call_failed', { method: frame.method, error });
        envelope = fail('internal', 'Something went wrong in the engine. The details are in the log.');
      }
      this.#send(ws, { type: 'result', id: frame.id, envelope });
    };
    const start = (frame: ValidFrame): void => {
      if (ws.readyState !== ws.OPEN) return;
      inFlight += 1;
      answer(frame)
        .catch((error: unknown) => this.#log.error('headless.send_failed', { method: frame.method, error }))
        .catch(() => undefined) // the logger itself failed: nothing is left to tell
        .finally(() => {
          inFlight -= 1;
          drain();
        });
    };
    const drain = (): void => {
      while (inFlight < this.#limits.maxInFlight && waiting.length > 0) start(waiting.shift() as ValidFrame);
      if (inFlight < this.#limits.maxInFlight && ws.isPaused && ws.readyState === ws.OPEN) ws.resume();
    };

    ws.on('message', (data, isBinary) => {
      const frame = readFrame(ws, data as Buffer, isBinary);
      if (frame === undefined) return;
      const parsed = ClientFrameSchema.safeParse(frame);
      if (!parsed.success) {
        this.#send(ws, {
          type: 'result',
          id: frameId(frame),
          envelope: fail('invalid_input', 'Malformed call frame.'),
        });
        return;
      }
      if (inFlight < this.#limits.maxInFlight) {
        start(parsed.data);
        return;
      }
      waiting.push(parsed.data);
      if (!ws.isPaused) ws.pause();
    });
  }

  /** Sends an event to every open client (serialised once). */
  broadcast(frame: ServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.#sockets) this.#sendText(ws, text);
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.#sockets) ws.close(code, reason);
  }

  terminateAll(): void {
    for (const ws of this.#sockets) ws.terminate();
  }

  #send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState === ws.OPEN) this.#sendText(ws, JSON.stringify(frame));
  }

  #sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    // One large answer to a client that reads is fine; more on top of what it has not read is not.
    if (ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#log.warn('headless.client_too_slow', { bufferedBytes: ws.bufferedAmount });
      ws.terminate();
      return;
    }
    ws.send(text);
  }
}

/** A text frame parsed as JSON, or undefined after closing a client that sent something else. */
function readFrame(ws: WebSocket, data: Buffer, isBinary: boolean): unknown {
  if (isBinary) {
    ws.close(1003, 'text frames only');
    return undefined;
  }
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch {
    ws.close(1007, 'frames must be JSON');
    return undefined;
  }
}

/** The id of a frame that failed validation, if it had a usable one, so the client can match the refusal. */
function frameId(frame: unknown): number {
  if (typeof frame !== 'object' || frame === null) return -1;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
}
