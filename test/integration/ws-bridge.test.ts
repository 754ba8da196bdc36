import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';

/**
 * The client bridge's own guarantees, against a bare `ws` server that misbehaves on purpose (our
 * real server never does these things, which is why it cannot stand in here).
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bareServer(onMessage: (socket: ServerSocket, frame: { id: number; method: string }) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const received: { id: number; method: string }[] = [];
  wss.on('connection', (socket) =>
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { id: number; method: string };
      received.push(frame);
      onMessage(socket, frame);
    }),
  );
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  return { port: (wss.address() as { port: number }).port, received, wss };
}

function bridgeTo(port: number, extra: Partial<Parameters<typeof createWebSocketBridge>[0]> = {}): WebSocketBridge {
  const bridge = createWebSocketBridge({ url: `ws://127.0.0.1:${port}/`, reconnectDelay: () => 10, ...extra });
  cleanups.push(() => bridge.close());
  return bridge;
}

describe('the WebSocket client bridge', () => {
  it('resolves a call whose answer never comes to `unavailable` after its timeout', async () => {
    const server = await bareServer(() => undefined);
    const bridge = bridgeTo(server.port, { callTimeoutMs: 150 });
    const envelope = await bridge.invoke('shoots.list', {});
    expect(envelope).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/did not answer shoots.list in time/) as unknown },
    });
  });

  it('fails a call that was sent when the link dropped, and never sends it again after reconnecting', async () => {
    const server = await bareServer((socket, frame) => {
      if (frame.method === 'shoots.create') socket.terminate();
      else socket.send(JSON.stringify({ type: 'result', id: frame.id, envelope: { ok: true, result: [] } }));
    });
    const bridge = bridgeTo(server.port);
    const lost = await bridge.invoke('shoots.create', { name: 'Maybe created' });
    expect(lost).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    // After the reconnect, later calls work and the lost one was not replayed.
    expect(await bridge.invoke('shoots.list', {})).toEqual({ ok: true, result: [] });
    expect(server.received.filter((frame) => frame.method === 'shoots.create')).toHaveLength(1);
  });

  it('settles every waiting call when closed, and refuses calls after', async () => {
    const server = await bareServer(() => undefined);
    const bridge = bridgeTo(server.port);
    const waiting = bridge.invoke('shoots.list', {});
    bridge.close();
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await bridge.invoke('shoots.list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(bridge.state).toBe('closed');
  });

  it('ignores a frame it cannot parse and keeps working', async () => {
    const server = await bareServer((socket, frame) => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'result', id: frame.id, envelope: { ok: true, result: [] } }));
    });
    const bridge = bridgeTo(server.port);
    expect(await bridge.invoke('shoots.list', {})).toEqual({ ok: true, result: [] });
  });
});
