import {
  isEventName,
  isMethodName,
  type EventName,
  type EventPayload,
  type MethodArgs,
  type MethodName,
  type MethodResult,
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
  /** How long a call may wait for its answer, queued time included, before it resolves to `unavailable`. */
  callTimeoutMs?: number;
}

export interface WebSocketBridge extends ShootlineBridge {
  close: () => void;
  readonly state: ConnectionState;
}

interface PendingCall {
  frame: string;
  sent: boolean;
  resolve: (envelope: Envelope<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

const defaultDelay = (attempt: number): number => Math.random() * Math.min(10_000, 500 * 2 ** attempt);
const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const HEALTH_TIMEOUT_MS = 3_000;

const UNAUTHORIZED_MESSAGE =
  'The engine refused this page: its token is missing or out of date (the server was started with --new-token, ' +
  'or on another data folder). Open the link the server printed when it started.';

/**
 * The browser's way to the engine: the same `ShootlineBridge` the Electron preload exposes, over
 * the headless server's WebSocket. Calls made while (re)connecting wait for the socket; calls that
 * were sent when it dropped resolve to `unavailable` (the engine may or may not have run them, so
 * they are never sent twice); no call waits longer than its timeout. It reconnects by itself.
 */
export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const delay = options.reconnectDelay ?? defaultDelay;
  const callTimeout = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const pending = new Map<number, PendingCall>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    options.onState?.(next);
  };

  const settle = (id: number, envelope: Envelope<unknown>): void => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    clearTimeout(call.timer);
    call.resolve(envelope);
  };

  const settleAll = (envelope: Envelope<unknown>, which: (call: PendingCall) => boolean): void => {
    for (const [id, call] of pending) if (which(call)) settle(id, envelope);
  };

  const connect = (): void => {
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      setState('open');
      for (const call of pending.values()) {
        if (call.sent) continue;
        call.sent = true;
        ws.send(call.frame);
      }
    });
    ws.addEventListener('message', (message) => onFrame(message.data));
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      socket = null;
      settleAll(fail('unavailable', 'Lost the connection to the Shootline engine before it answered.'), (c) => c.sent);
      if (state === 'closed') return;
      void afterClose(event.code === WS_CLOSE_GOING_AWAY);
    });
  };

  const afterClose = async (serverStopped: boolean): Promise<void> => {
    // Say so at once: the health check below may itself take a while against a stalled server.
    setState('reconnecting');
    if (!serverStopped && options.healthUrl && (await isUnauthorized(options.healthUrl))) {
      if (state === 'closed') return;
      setState('unauthorized');
      settleAll(fail('unauthorized', UNAUTHORIZED_MESSAGE), () => true);
      return;
    }
    if (state === 'closed') return;
    reconnectTimer = setTimeout(connect, delay(attempt));
    attempt += 1;
  };

  const onFrame = (data: unknown): void => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'result') {
      settle(frame.id, frame.envelope);
      return;
    }
    if (!isEventName(frame.event)) return;
    for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload as never);
  };

  const invoke = <M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>> => {
    if (!isMethodName(method)) return Promise.resolve(fail('unknown_method', `Unknown method: ${String(method)}.`));
    if (state === 'closed')
      return Promise.resolve(fail('unavailable', 'The connection to the Shootline engine is closed.'));
    if (state === 'unauthorized') return Promise.resolve(fail('unauthorized', UNAUTHORIZED_MESSAGE));
    const id = nextId++;
    const frame = JSON.stringify({ type: 'call', id, method, args });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => settle(id, fail('unavailable', `The Shootline engine did not answer ${method} in time.`)),
        callTimeout,
      );
      const call: PendingCall = { frame, sent: false, resolve: resolve as PendingCall['resolve'], timer };
      pending.set(id, call);
      if (socket?.readyState === WebSocket.OPEN) {
        call.sent = true;
        socket.send(frame);
      }
    });
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke,
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
      clearTimeout(reconnectTimer);
      settleAll(fail('unavailable', 'The connection to the Shootline engine is closed.'), () => true);
      socket?.close();
    },
  };
}

async function isUnauthorized(healthUrl: string): Promise<boolean> {
  try {
    const response = await fetch(healthUrl, { cache: 'no-store', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return response.status === 401;
  } catch {
    return false;
  }
}
