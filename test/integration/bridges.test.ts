import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcChannel, methodNames, type ShootlineBridge } from '../../shared/api';
import { ERROR_CODES, fail, type ErrorCode } from '../../shared/errors';
import type { Engine } from '../../main/engine/engine';
import { EventHub } from '../../main/engine/events';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { createWebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startTestEngine } from '../support/engine';
import { connectIpcPair, ENTRY_URL, WINDOW_ID } from '../support/ipc-pair';

const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type EngineLike = Pick<Engine, 'call' | 'events' | 'resolveMedia' | 'receiveWebhook'>;
type Connect = (engine: EngineLike) => Promise<ShootlineBridge>;

const viaIpc: Connect = (engine) => {
  const pair = connectIpcPair(engine, silentLogger);
  cleanups.push(pair.dispose);
  return Promise.resolve(pair.bridge);
};

const viaWebSocket: Connect = async (engine) => {
  const server = await startServer({ engine, log: silentLogger, token: 'test-token-1234', staticDir, port: 0 });
  cleanups.push(server.close);
  const bridge = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=test-token-1234` });
  cleanups.push(() => bridge.close());
  // Events reach only connected clients (the UI reloads on every (re)connect): wait for the socket.
  await bridge.invoke('shoots.list', {});
  return bridge;
};

/** A stand-in engine whose every call fails with the code named by its argument, to check transport only. */
function failingEngine(): EngineLike {
  return {
    events: new EventHub(),
    resolveMedia: () => Promise.resolve(null),
    receiveWebhook: () => Promise.resolve({ status: 404, message: 'not here' }),
    call: (_method, args) => {
      const { name } = args as { name: ErrorCode };
      return Promise.resolve(fail(name, `failed with ${name}`, { echoed: name, nested: { list: [1, 2] } }));
    },
  };
}

const nextEvent = <T>(subscribe: (listener: (payload: T) => void) => () => void): Promise<T> =>
  new Promise((resolve) => {
    const unsubscribe = subscribe((payload) => {
      unsubscribe();
      resolve(payload);
    });
  });

describe.each([
  ['the Electron IPC bridge', viaIpc],
  ['the headless WebSocket bridge', viaWebSocket],
])('%s', (_name, connect) => {
  it('calls a method end to end on the real engine', async () => {
    const { engine } = startTestEngine();
    const bridge = await connect(engine);
    const created = await bridge.invoke('shoots.create', { name: 'Harbour loft' });
    expect(created).toMatchObject({ ok: true, result: { name: 'Harbour loft' } });
    const listed = await bridge.invoke('shoots.list', {});
    expect(listed.ok && listed.result.map((shoot) => shoot.name)).toEqual(['Harbour loft']);
  });

  it('answers bad arguments with invalid_input and its details', async () => {
    const { engine } = startTestEngine();
    const bridge = await connect(engine);
    const envelope = await bridge.invoke('shoots.create', { name: 42 } as never);
    expect(envelope).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', details: { issues: [{ path: ['name'] }] } },
    });
  });

  it('refuses an unknown method', async () => {
    const { engine } = startTestEngine();
    const bridge = await connect(engine);
    const envelope = await bridge.invoke('shoots.dropTable' as never, {} as never);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('carries every error code, message and details intact', async () => {
    const bridge = await connect(failingEngine());
    for (const code of ERROR_CODES) {
      const envelope = await bridge.invoke('shoots.create', { name: code });
      expect(envelope).toEqual({
        ok: false,
        error: { code, message: `failed with ${code}`, details: { echoed: code, nested: { list: [1, 2] } } },
      });
    }
  });

  it('delivers events to every subscriber until it unsubscribes', async () => {
    const { engine } = startTestEngine();
    const bridge = await connect(engine);
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = bridge.subscribe('shoots.created', (shoot) => first.push(shoot.name));
    bridge.subscribe('shoots.created', (shoot) => second.push(shoot.name));

    const arrived = nextEvent<{ name: string }>((listener) => bridge.subscribe('shoots.created', listener));
    await engine.call('shoots.create', { name: 'One' });
    await arrived;
    stopFirst();
    const arrivedAgain = nextEvent<{ name: string }>((listener) => bridge.subscribe('shoots.created', listener));
    await engine.call('shoots.create', { name: 'Two' });
    await arrivedAgain;

    expect(first).toEqual(['One']);
    expect(second).toEqual(['One', 'Two']);
  });

  it('refuses to subscribe to an unknown event', async () => {
    const { engine } = startTestEngine();
    const bridge = await connect(engine);
    expect(() => bridge.subscribe('shoots.exploded' as never, () => undefined)).toThrow(/Unknown event/);
  });
});

describe('the IPC binding', () => {
  it('registers exactly one handler per method of the contract', () => {
    const { engine } = startTestEngine();
    const pair = connectIpcPair(engine, silentLogger);
    cleanups.push(pair.dispose);
    expect(pair.channels().sort()).toEqual(methodNames.map((method) => ipcChannel.method(method)).sort());
  });

  it.each([
    ['another window', { id: WINDOW_ID + 1, url: ENTRY_URL, isTopFrame: true }],
    ['a sub-frame', { id: WINDOW_ID, url: ENTRY_URL, isTopFrame: false }],
    ['a navigated page', { id: WINDOW_ID, url: 'https://evil.example/', isTopFrame: true }],
  ])('refuses calls from %s before the engine sees them', async (_label, sender) => {
    const { engine } = startTestEngine();
    const pair = connectIpcPair(engine, silentLogger, sender);
    cleanups.push(pair.dispose);
    const envelope = await pair.bridge.invoke('shoots.create', { name: 'Should not exist' });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const listed = await engine.call('shoots.list', {});
    expect(listed).toEqual({ ok: true, result: [] });
  });

  it('removes its renderer listener when a subscriber unsubscribes', () => {
    const { engine } = startTestEngine();
    const pair = connectIpcPair(engine, silentLogger);
    cleanups.push(pair.dispose);
    const unsubscribe = pair.bridge.subscribe('settings.changed', () => undefined);
    expect(pair.listenerCount()).toBe(1);
    unsubscribe();
    expect(pair.listenerCount()).toBe(0);
  });
});
