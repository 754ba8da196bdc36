import {
  isEventName,
  isMethodName,
  type EventName,
  type EventPayload,
  type ShootlineBridge,
} from '../../../shared/api';
import { fail, type Envelope } from '../../../shared/errors';
import { WS_CLOSE_GOING_AWAY, type ServerFrame } from '../../../shared/ws-protocol';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface WebSocketBridgeOptions {
  /** ws://host:port/ws?token=… */
  url: string;
  /** http://host:port/api/health?token=…; used after a failed connect to tell a wrong token from a down server. */
  healthUrl?: string;
  onState?: (state: ConnectionState) => void;
  /** Delay before reconnect attempt n (0-based); full jitter keeps many tabs from reconnecting in step. */
  reconnectDelay?: (attempt: number) => number;
}

export interface WebSocketBridge extends ShootlineBridge {
  close(): void;
  readonly state: ConnectionState;
}

const defaultDelay = (attempt: number): number => Math.random() * Math.min(10_000, 500 * 2 ** attempt);

/**
 * The browser's way to the engine: the same `ShootlineBridge` the Electron preload exposes, over
 * the headless server's WebSocket. Calls made while (re)connecting wait for the socket; calls that
 * were in flight when it dropped resolve to `unavailable`, never hang. It reconnects by itself.
 */
export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const delay = options.reconnectDelay ?? defaultDelay;
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const inFlight = new Map<number, (envelope: Envelope<unknown>) => void>();
  const waiting: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    options.onState?.(next);
  };

  const connect = (): void => {
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      setState('open');
      for (const frame of waiting.splice(0)) ws.send(frame);
    });
    ws.addEventListener('message', (message) => onFrame(JSON.parse(String(message.data)) as ServerFrame));
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      socket = null;
      for (const [id, resolve] of inFlight) {
        inFlight.delete(id);
        resolve(fail('unavailable', 'Lost the connection to the Shootline engine before it answered.'));
      }
      if (state === 'closed') return;
      void afterClose(event.code === WS_CLOSE_GOING_AWAY);
    });
  };

  const afterClose = async (serverStopped: boolean): Promise<void> => {
    if (!serverStopped && options.healthUrl && (await isUnauthorized(options.healthUrl))) {
      setState('unauthorized');
      for (const frame of waiting.splice(0)) settleQueued(frame, 'unauthorized');
      return;
    }
    setState('reconnecting');
    timer = setTimeout(connect, delay(attempt));
    attempt += 1;
  };

  const settleQueued = (frame: string, code: 'unauthorized' | 'unavailable'): void => {
    const { id } = JSON.parse(frame) as { id: number };
    const resolve = inFlight.get(id);
    inFlight.delete(id);
    resolve?.(
      code === 'unauthorized'
        ? fail(
            'unauthorized',
            'The engine refused this page: its token is missing or out of date. Open the link the server printed.',
          )
        : fail('unavailable', 'The connection to the Shootline engine is closed.'),
    );
  };

  const onFrame = (frame: ServerFrame): void => {
    if (frame.type === 'result') {
      const resolve = inFlight.get(frame.id);
      inFlight.delete(frame.id);
      resolve?.(frame.envelope);
      return;
    }
    if (!isEventName(frame.event)) return;
    for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload as never);
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke: (method, args) => {
      if (!isMethodName(method)) return Promise.resolve(fail('unknown_method', `Unknown method: ${String(method)}.`));
      if (state === 'unauthorized' || state === 'closed') {
        return Promise.resolve(
          state === 'closed'
            ? fail('unavailable', 'The connection to the Shootline engine is closed.')
            : fail('unauthorized', 'The engine refused this page: its token is missing or out of date.'),
        );
      }
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, method, args });
      return new Promise((resolve) => {
        inFlight.set(id, resolve as (envelope: Envelope<unknown>) => void);
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else waiting.push(frame);
      });
    },
    subscribe: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => {
      if (!isEventName(event)) throw new TypeError(`Unknown event: ${String(event)}.`);
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const entry = listener as (payload: never) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    close: () => {
      setState('closed');
      clearTimeout(timer);
      for (const frame of waiting.splice(0)) settleQueued(frame, 'unavailable');
      socket?.close();
    },
  };
}

async function isUnauthorized(healthUrl: string): Promise<boolean> {
  try {
    const response = await fetch(healthUrl, { cache: 'no-store' });
    return response.status === 401;
  } catch {
    return false;
  }
}
