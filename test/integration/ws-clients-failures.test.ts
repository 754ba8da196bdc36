import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Envelope } from '../../shared/errors';
import type { Engine } from '../../main/engine/engine';
import { silentLogger, type Logger } from '../../main/engine/log';
import { ApiClients } from '../../main/headless/ws-clients';

/**
 * What the server does when the engine itself breaks (engine.call answers every expected failure,
 * so only a bug reaches here) and even the log fails: every call is still answered, and the
 * connection's in-flight slots come back, so calls past the limit are not left waiting for ever.
 * A real ws server and Node's WebSocket client; the engine is a stand-in that throws, since a real
 * one never does.
 */
const servers: WebSocketServer[] = [];
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const server of servers.splice(0)) server.close();
});

async function connect(engine: Pick<Engine, 'call'>, log: Logger, maxInFlight: number): Promise<WebSocket> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const clients = new ApiClients(engine, log, { maxBufferedBytes: 1024 * 1024, maxInFlight });
  server.on('connection', (ws) => clients.attach(ws));
  const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
  sockets.push(socket);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  return socket;
}

/**
 * Sends calls 1…count at once and resolves with the answers by id once those of `awaited` (all by
 * default) are in, or with what came, after `ms` (the test then fails on what is missing).
 */
function callMany(
  socket: WebSocket,
  count: number,
  ms: number,
  awaited: number[] = Array.from({ length: count }, (_, index) => index + 1),
): Promise<Map<number, Envelope<unknown>>> {
  const answers = new Map<number, Envelope<unknown>>();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(answers), ms);
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as { id: number; envelope: Envelope<unknown> };
      answers.set(frame.id, frame.envelope);
      if (awaited.every((id) => answers.has(id))) {
        clearTimeout(timer);
        resolve(answers);
      }
    });
    for (let id = 1; id <= count; id += 1)
      socket.send(JSON.stringify({ type: 'call', id, method: 'engine.info', args: {} }));
  });
}

const broken: Pick<Engine, 'call'> = { call: () => Promise.reject(new Error('a bug in the engine')) };

describe('the API server when the engine breaks', () => {
  it('answers every call "internal", past the in-flight limit, and logs each', async () => {
    const logged: string[] = [];
    const log: Logger = { ...silentLogger, error: (event) => void logged.push(event) };
    const answers = await callMany(await connect(broken, log, 2), 7, 10_000);
    expect([...answers.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const envelope of answers.values()) expect(envelope).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logged).toEqual(Array.from({ length: 7 }, () => 'headless.call_failed'));
  });

  it('frees the slots of calls whose failure cannot even be logged, so the calls after them are answered', async () => {
    // The first two calls fail and the log throws on them: they cannot be answered. With two slots,
    // the later calls are only read once those two slots come back.
    let calls = 0;
    const engine: Pick<Engine, 'call'> = {
      call: () => {
        calls += 1;
        return calls <= 2
          ? Promise.reject(new Error('a bug in the engine'))
          : Promise.resolve({ ok: true, result: calls });
      },
    };
    const log: Logger = {
      ...silentLogger,
      error: () => {
        throw new Error('the log is broken');
      },
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const socket = await connect(engine, log, 2);
      const answers = await callMany(socket, 5, 10_000, [3, 4, 5]);
      expect([...answers.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5]);
      for (const envelope of answers.values()) expect(envelope.ok).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
