import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { call, refusal, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

/**
 * A key goes only to the origin it was entered for. Two capture servers on loopback stand for the
 * provider and for wherever someone points it next; each records the key header it received.
 */

const KEY = 'aix_BOUND_key_5150';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function captureServer(): Promise<{ url: string; keys: (string | null)[] }> {
  const keys: (string | null)[] = [];
  const server = http.createServer((request, response) => {
    // AIXpose takes its key as a bearer token.
    const authorization = request.headers.authorization;
    keys.push(authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : null);
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys };
}

describe('API keys bound to their origin', () => {
  it('stops sending a key once the provider is moved to another origin, until it is entered again there', async () => {
    const home = await captureServer();
    const elsewhere = await captureServer();
    const { engine } = startTestEngine();
    await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: home.url });
    await call(engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
    await call(engine, 'providers.test', { provider: 'aixpose' });
    expect(home.keys.at(-1)).toBe(KEY);

    // Moved (by a mistake, or by whoever got hold of the API): the new origin is reached without a key.
    await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: elsewhere.url });
    const test = await call(engine, 'providers.test', { provider: 'aixpose' });
    expect(elsewhere.keys.length).toBeGreaterThan(0);
    expect(elsewhere.keys.every((key) => key === null)).toBe(true);
    expect(test).toEqual({
      ok: false,
      message: `AIXpose: No key was sent to ${elsewhere.url}: the AIXpose key was entered for ${home.url}. Enter the key again in Settings to use it at ${elsewhere.url}.`,
    });
    const view = (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'aixpose');
    expect(view?.keyNotSent).toBe(
      `This key was entered for ${home.url}; enter it again to use it at ${elsewhere.url}.`,
    );

    // Entered again there: it goes there, and no longer to the first origin.
    await call(engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
    await call(engine, 'providers.test', { provider: 'aixpose' });
    expect(elsewhere.keys.at(-1)).toBe(KEY);
    await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: home.url });
    const sentHome = home.keys.length;
    await call(engine, 'providers.test', { provider: 'aixpose' });
    expect(home.keys.slice(sentHome)).toEqual(expect.arrayContaining([null]));
    expect(home.keys.slice(sentHome)).not.toContain(KEY);
  });

  it('takes plain http only for this machine', async () => {
    const { engine } = startTestEngine();
    for (const baseUrl of ['http://api.example.com', 'http://10.0.0.5:8080', 'http://[fe80::1]/']) {
      expect(await refusal(engine, 'providers.configure', { provider: 'aixpose', baseUrl })).toEqual({
        code: 'invalid_input',
        message: 'Use an https:// address for AIXpose; plain http:// is only for a sandbox on this machine.',
      });
    }
    for (const baseUrl of ['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9', 'https://api.example.com']) {
      expect((await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl })).baseUrl).toBe(baseUrl);
    }
  });

  it('binds a key stored before keys were bound to where the provider was reached', async () => {
    const home = await captureServer();
    const dataDir = tempDir();
    const first = startTestEngine({ dataDir });
    await call(first.engine, 'providers.configure', { provider: 'aixpose', baseUrl: home.url });
    await call(first.engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
    await first.engine.stop();
    // As an earlier version left it: a stored key, bound nowhere.
    const db = new Database(path.join(dataDir, 'shootline.db'));
    db.prepare('UPDATE provider_accounts SET key_origin = NULL').run();
    db.close();

    const second = startTestEngine({ dataDir });
    await call(second.engine, 'providers.test', { provider: 'aixpose' });
    expect(home.keys.at(-1)).toBe(KEY);
    await second.engine.stop();
  });
});
