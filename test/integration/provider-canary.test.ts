import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stubProvider } from '../support/stub-provider';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { call, startTestEngine } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CANARY = 'sk-CANARY-0d9f3b7e51';

/** A loopback server answering each request with the next scripted behaviour, recording what it got. */
async function scripted(behaviours: ((response: http.ServerResponse) => void)[]) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    const next = behaviours.shift();
    if (next) next(response);
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"credits":7}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function keyedProvider(baseUrl: string): ProviderModule {
  return {
    ...stubProvider({ id: 'canary', name: 'Canary', baseUrl, paid: true }),
    accountFields: [{ id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } }],
    pollIntervalMs: 10,
    estimateCost: () => ({ credits: 1 }),
    submit: () => Promise.reject(new Error('not used')),
    poll: () => Promise.reject(new Error('not used')),
    fetchOutputs: () => Promise.resolve([]),
    account: {
      balance: async (context) => {
        const response = await context.request({ method: 'GET', url: `${context.baseUrl}/balance`, timeoutMs: 400 });
        return (JSON.parse(response.body.toString('utf8')) as { credits: number }).credits;
      },
    },
  };
}

describe('an API key through refusals, redirects and timeouts', () => {
  it('reaches the provider, follows no redirect to another origin, and is found in no log, database file or answer', async () => {
    const elsewhere = await scripted([]);
    const api = await scripted([
      (response) => response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad key"}'),
      (response) => response.writeHead(302, { location: `${elsewhere.url}/balance` }).end(),
      () => undefined, // never answers: a timeout
    ]);
    const { engine, dataDir, logLines } = startTestEngine({ providers: [keyedProvider(api.url)] });
    const answers: unknown[] = [];
    answers.push(await call(engine, 'providers.setKey', { provider: 'canary', key: CANARY }));
    for (let attempt = 0; attempt < 4; attempt += 1)
      answers.push(await call(engine, 'providers.test', { provider: 'canary' }));
    answers.push(await call(engine, 'providers.list', {}));

    expect(answers.slice(1, 5)).toEqual([
      { ok: false, message: expect.stringMatching(/^Canary: The provider answered 401/) as unknown },
      { ok: false, message: expect.stringMatching(/^Canary: The provider answered 302/) as unknown },
      { ok: false, message: 'Canary: The provider did not answer in time.' },
      { ok: true, message: 'The key works: 7 credits left.' },
    ]);
    // The key reached the provider on every call, and the redirect target never saw it (it was never asked).
    expect(api.seen.map((headers) => headers['x-api-key'])).toEqual([CANARY, CANARY, CANARY, CANARY]);
    expect(elsewhere.seen).toEqual([]);

    await engine.stop();
    expect(JSON.stringify(answers)).not.toContain('CANARY');
    expect(logLines.join('\n')).not.toContain('CANARY');
    const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('shootline.db'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const file of files) {
      expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from('CANARY')), file).toBe(false);
    }
  });
});
