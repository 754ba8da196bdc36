import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../main/engine/log';
import { startServer, type RunningServer } from '../../main/headless/server';
import { createWebSocketBridge, type ConnectionState } from '../../renderer/src/bridge/ws-bridge';
import { startTestEngine } from '../support/engine';

const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const TOKEN = 'correct-horse-battery-staple';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(port = 0): Promise<RunningServer> {
  const { engine } = startTestEngine();
  const server = await startServer({ engine, log: silentLogger, token: TOKEN, staticDir, port });
  cleanups.push(server.close);
  return server;
}

/** Opens a raw WebSocket and reports the HTTP status of a refused upgrade, or 101 when accepted. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** Resolves once `wanted` is among the states recorded after index `from`. */
function waitForState(states: ConnectionState[], wanted: ConnectionState, from = 0): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (states.indexOf(wanted, from) >= 0) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
}

describe('the headless server', () => {
  it('binds to 127.0.0.1 and prints a URL that carries the token', async () => {
    const server = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    expect(server.urls).toEqual([server.url]);
  });

  it('accepts the right token and refuses a missing or wrong one', async () => {
    const server = await serve();
    const base = `ws://127.0.0.1:${server.port}/ws`;
    expect(await upgradeStatus(`${base}?token=${TOKEN}`)).toBe(101);
    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(`${base}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${base}?token=${TOKEN}x`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${server.port}/other?token=${TOKEN}`)).toBe(404);
  });

  it("refuses a browser page from another origin even with the token, and accepts the server's own", async () => {
    const server = await serve();
    const url = `ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`;
    expect(await upgradeStatus(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(url, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'null' })).toBe(403);
    expect(await upgradeStatus(url, { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await upgradeStatus(url, { Origin: `http://localhost:${server.port}` })).toBe(101);
  });

  it('serves the UI with its CSP, and nothing outside the UI folder', async () => {
    const server = await serve();
    const origin = `http://127.0.0.1:${server.port}`;
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<div id="root">');
    for (const escape of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const response = await fetch(`${origin}${escape}`);
      expect(response.status, escape).toBe(404);
    }
    expect((await fetch(`${origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('tells a wrong token from a server that is down', async () => {
    const server = await serve();
    expect((await fetch(`http://127.0.0.1:${server.port}/api/health?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.port}/api/health?token=nope`)).status).toBe(401);

    const states: ConnectionState[] = [];
    const bridge = createWebSocketBridge({
      url: `ws://127.0.0.1:${server.port}/ws?token=nope`,
      healthUrl: `http://127.0.0.1:${server.port}/api/health?token=nope`,
      onState: (state) => states.push(state),
    });
    cleanups.push(() => bridge.close());
    await waitForState(states, 'unauthorized');
    expect(await bridge.invoke('shoots.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('answers malformed and unknown calls without dropping the connection or the server', async () => {
    const server = await serve();
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    cleanups.push(() => socket.close());
    await new Promise((resolve) => socket.once('open', resolve));
    const replies: { id: number; envelope: { ok: boolean; error?: { code: string } } }[] = [];
    socket.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString('utf8')) as (typeof replies)[number]));
    const frames = ['null', '[]', '42', '"call"', 'true', '{}', JSON.stringify({ type: 'call', id: 5, method: 7 })];
    for (const frame of frames) socket.send(frame);
    socket.send(JSON.stringify({ type: 'call', id: 6, method: 'shoots.dropTable', args: {} }));
    socket.send(JSON.stringify({ type: 'call', id: 7, method: 'shoots.list', args: {} }));
    // The last call answered means every frame before it was handled (or the server died: then this times out).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (replies.some((reply) => reply.id === 7)) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(replies.slice(0, frames.length).map((reply) => [reply.id, reply.envelope.error?.code])).toEqual([
      ...frames.slice(0, -1).map(() => [-1, 'invalid_input']),
      [5, 'invalid_input'],
    ]);
    expect(replies.find((reply) => reply.id === 6)?.envelope.error?.code).toBe('unknown_method');
    expect(replies.find((reply) => reply.id === 7)?.envelope).toEqual({ ok: true, result: [] });
  });

  it('accepts pages from origins it was told about', async () => {
    const { engine } = startTestEngine();
    const server = await startServer({
      engine,
      log: silentLogger,
      token: TOKEN,
      staticDir,
      port: 0,
      extraOrigins: ['http://studio.local:4780'],
    });
    cleanups.push(server.close);
    const url = `ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`;
    expect(await upgradeStatus(url, { Origin: 'http://studio.local:4780' })).toBe(101);
    expect(await upgradeStatus(url, { Origin: 'http://studio.local:4781' })).toBe(403);
  });

  it('shuts down even when a client ignores the close handshake', { timeout: 10_000 }, async () => {
    const server = await serve();
    // A raw TCP client that completes the upgrade and then never answers anything.
    const socket = net.connect(server.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    socket.write(
      `GET /ws?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const dropped = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await server.close(); // ws alone would wait 30 s for this client; the test's 10 s limit catches that
    await dropped;
  });

  it('lets a client reconnect by itself after the server restarts, holding calls made meanwhile', async () => {
    const first = await serve();
    const states: ConnectionState[] = [];
    const bridge = createWebSocketBridge({
      url: `ws://127.0.0.1:${first.port}/ws?token=${TOKEN}`,
      onState: (state) => states.push(state),
      reconnectDelay: () => 20,
    });
    cleanups.push(() => bridge.close());
    expect((await bridge.invoke('shoots.list', {})).ok).toBe(true);

    await first.close();
    await waitForState(states, 'reconnecting');
    // Made while the server is down: held, then sent once the link is back.
    const heldCall = bridge.invoke('shoots.create', { name: 'After restart' });
    const second = await serve(first.port);
    await waitForState(states, 'open', states.indexOf('reconnecting'));
    expect(await heldCall).toMatchObject({ ok: true, result: { name: 'After restart' } });
    expect(second.port).toBe(first.port);
  });
});
