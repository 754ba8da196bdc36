import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../main/engine/log';
import { startServer, type RunningServer } from '../../main/headless/server';
import { startTestEngine } from '../support/engine';
import { startHeadless } from '../support/headless-process';
import { tempDir } from '../support/temp';

/**
 * The headless server as an attacker or a careless client would use it: malformed request lines,
 * hosts it does not serve, clients that hang up mid-answer or stop reading. After each, the
 * server still answers.
 */

const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const TOKEN = 'correct-horse-battery-staple-0123456789';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(): Promise<{ server: RunningServer; logLines: string[] }> {
  const { engine } = startTestEngine();
  const logLines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const server = await startServer({ engine, log, token: TOKEN, staticDir, port: 0 });
  cleanups.push(server.close);
  return { server, logLines };
}

/** Sends raw bytes and resolves with the status line of the answer ('' when the server just closed). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const upgrade = (target: string, host: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

async function healthy(server: RunningServer): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/health?token=${TOKEN}`);
  return response.status === 200;
}

describe('the headless server under hostile requests', () => {
  it('answers 400 to upgrade targets that are not URLs (//, //:99999/ws), and keeps serving', async () => {
    const { server } = await serve();
    const host = `127.0.0.1:${server.port}`;
    expect(await raw(server.port, upgrade('//', host))).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, upgrade('//:99999/ws', host))).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, `GET //:99999/x HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(await healthy(server)).toBe(true);
  });

  it('survives 300 clients resetting mid-response and 500 malformed upgrades', { timeout: 60_000 }, async () => {
    const { server } = await serve();
    const host = `127.0.0.1:${server.port}`;
    const targets = ['/', '/index.html', `/media/thumbnail/nope?token=${TOKEN}`, `/api/health?token=${TOKEN}`];
    const resets = Array.from(
      { length: 300 },
      (_, index) =>
        new Promise<void>((resolve) => {
          const socket = net.connect(server.port, '127.0.0.1', () => {
            socket.write(`GET ${targets[index % targets.length]} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
            // Half of them hang up before any answer, half after the first bytes arrive.
            if (index % 2 === 0) setImmediate(() => socket.resetAndDestroy());
            else socket.once('data', () => socket.resetAndDestroy());
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
        }),
    );
    await Promise.all(resets);
    const malformed = [
      '//',
      '//:99999/ws',
      '/ws?token=%',
      `/ws?token=x&token=${TOKEN}`,
      '/%ZZ',
      'http://[::1',
      '*',
      `/ws?token=${'x'.repeat(4000)}`,
    ];
    for (let round = 0; round < 500; round += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          raw(server.port, upgrade(malformed[(round + index) % 8] ?? '/', host)),
        ),
      );
    }
    expect(await healthy(server)).toBe(true);
  });

  it('serves nothing to a host name it does not listen on (DNS rebinding)', async () => {
    const { server } = await serve();
    const rebound = 'attacker.example:' + server.port;
    for (const target of ['/', '/index.html', `/api/health?token=${TOKEN}`, `/media/thumbnail/x?token=${TOKEN}`]) {
      expect(await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: ${rebound}\r\nConnection: close\r\n\r\n`)).toBe(
        'HTTP/1.1 421 Misdirected Request',
      );
    }
    expect(await raw(server.port, upgrade(`/ws?token=${TOKEN}`, rebound))).toBe('HTTP/1.1 421 Misdirected Request');
    // The names it does serve: its own address and localhost, with its port.
    for (const name of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`]) {
      const status = await raw(
        server.port,
        `GET /api/health?token=${TOKEN} HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`,
      );
      expect(status, name).toBe('HTTP/1.1 200 OK');
    }
    expect(await raw(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toBe(
      'HTTP/1.1 421 Misdirected Request',
    );
  });

  it(
    'closes a client that stops reading once its buffered answers pass the bound; memory stays flat',
    { timeout: 60_000 },
    async ({ annotate }) => {
      const server = await startHeadless({ dataDir: tempDir() });
      cleanups.push(async () => void (await server.stop()));
      const url = `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`;

      // Make recipes.list a large answer (~300 KB) through the API itself.
      const writer = new WebSocket(url);
      await new Promise((resolve) => writer.once('open', resolve));
      let answered = 0;
      writer.on('message', () => (answered += 1));
      const recipes = 1000;
      for (let index = 0; index < recipes; index += 1) {
        const name = `Recipe ${index} ${'·'.repeat(150)}`;
        writer.send(
          JSON.stringify({
            type: 'call',
            id: index,
            method: 'recipes.create',
            args: { name, provider: 'local', operation: 'enhance', params: {} },
          }),
        );
      }
      await until(() => answered >= recipes);
      writer.close();
      const before = rssOf(server.pid);

      const reader = new WebSocket(url);
      await new Promise((resolve) => reader.once('open', resolve));
      // Stop reading at the TCP level, then ask for 3,000 large answers.
      const readerSocket = (reader as unknown as { _socket: net.Socket })._socket;
      readerSocket.pause();
      const closed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
      for (let id = 0; id < 3000; id += 1)
        reader.send(JSON.stringify({ type: 'call', id, method: 'recipes.list', args: {} }));
      const tooSlow = (): number[] =>
        server
          .stderr()
          .split('\n')
          .filter((line) => line.includes('"event":"headless.client_too_slow"'))
          .map((line) => (JSON.parse(line) as { bufferedBytes: number }).bufferedBytes);
      await until(() => tooSlow().length > 0);
      const after = rssOf(server.pid);
      // The client, reading again, finds its connection closed by the server.
      readerSocket.resume();
      await closed;

      expect(tooSlow()).toHaveLength(1);
      const [buffered = 0] = tooSlow();
      await annotate(`slow client closed at ${buffered} buffered bytes; server RSS ${mb(before)} → ${mb(after)} MB`);
      expect(buffered).toBeGreaterThan(8 * 1024 * 1024);
      expect(buffered).toBeLessThan(8 * 1024 * 1024 + 1024 * 1024); // the bound plus at most one answer
      expect(after - before, `RSS ${mb(before)} MB → ${mb(after)} MB`).toBeLessThan(50e6);
      // And it still serves everyone else.
      expect((await fetch(`${server.origin}/api/health?token=${encodeURIComponent(server.token)}`)).status).toBe(200);
    },
  );
});

const mb = (bytes: number): number => Math.round(bytes / 1e6);

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
