import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/engine/log';
import { startServer, type RunningServer } from '../../main/headless/server';
import { signTestDelivery, testProviderModule } from '../support/test-provider/module';
import { call, startTestEngine, until } from '../support/engine';
import { startTestProvider } from '../support/test-provider/server';
import { postRaw } from '../support/fuzz-webhooks';

const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const TOKEN = 'webhook-route-token-0123456789abcdef';
const PUBLIC = 'hooks.studio.example';
const SECRET = 'whsec-route-7788';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(webhookUrl?: string): Promise<RunningServer> {
  const provider = testProviderModule({
    id: 'hooked',
    baseUrl: 'http://127.0.0.1:9',
    idempotentSubmit: true,
    webhook: 'signed',
  });
  const { engine } = startTestEngine({ providers: [provider] });
  await call(engine, 'providers.setKey', { provider: 'hooked', field: 'webhook-secret', key: SECRET });
  const log = createLogger({ level: 'error', write: () => undefined });
  const server = await startServer({ engine, log, token: TOKEN, staticDir, port: 0, webhookUrl });
  cleanups.push(server.close);
  return server;
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('the headless webhook route', () => {
  it('is there only under the public webhook host, without a token, and answers every delivery with a plain status', async () => {
    const closed = await serve();
    expect(await postRaw(closed.port, { host: PUBLIC, body: '{}' })).toBe(404);

    const server = await serve(`https://${PUBLIC}`);
    const delivery = { id: 'r-unknown', deliveryId: 'd-1' };
    const signed = {
      'x-test-signature': signTestDelivery(SECRET, delivery, seconds()),
      'Content-Type': 'application/json',
    };
    // The right host and signature reach the engine: no job waits for that id, so 202.
    expect(await postRaw(server.port, { host: PUBLIC, headers: signed, body: JSON.stringify(delivery) })).toBe(202);
    expect(
      await postRaw(server.port, { host: `127.0.0.1:${server.port}`, headers: signed, body: JSON.stringify(delivery) }),
    ).toBe(404);
    expect(await postRaw(server.port, { host: PUBLIC, method: 'GET' })).toBe(405);
    expect(await postRaw(server.port, { host: PUBLIC, target: '/webhooks/..%2F..%2Fetc', body: '{}' })).toBe(404);
    expect(await postRaw(server.port, { host: PUBLIC, target: '/webhooks/nobody', body: '{}' })).toBe(404);
    expect(await postRaw(server.port, { host: PUBLIC, body: Buffer.alloc(300 * 1024, 0x7b) })).toBe(413);
    expect(await postRaw(server.port, { host: PUBLIC, headers: { 'x-test-signature': 't=1,v1=00' }, body: '{}' })).toBe(
      400,
    );
    expect(
      await postRaw(server.port, {
        host: PUBLIC,
        headers: { 'x-test-signature': signTestDelivery('wrong', delivery, seconds()) },
        body: JSON.stringify(delivery),
      }),
    ).toBe(401);
    // The token-protected parts are not reachable under the webhook host.
    expect(await postRaw(server.port, { host: PUBLIC, target: '/', method: 'GET' })).toBe(421);
  });
});

describe('a provider that calls its webhook', () => {
  it.each(['signed', 'unsigned'] as const)(
    'finishes a job polled once a minute by its %s call to the headless route',
    async (kind) => {
      const hookHost = 'hooks.calls.example';
      const provider = testProviderModule({
        id: 'hooked',
        baseUrl: 'http://127.0.0.1:9',
        idempotentSubmit: true,
        pollIntervalMs: 60_000,
        webhook: kind,
      });
      const { engine } = startTestEngine({ providers: [provider] });
      const log = createLogger({ level: 'error', write: () => undefined });
      const headless = await startServer({
        engine,
        log,
        token: TOKEN,
        staticDir,
        port: 0,
        webhookUrl: `https://${hookHost}`,
      });
      cleanups.push(headless.close);
      const server = await startTestProvider({
        dedupe: true,
        webhook: {
          url: `http://127.0.0.1:${headless.port}/webhooks/hooked`,
          afterMs: 300,
          host: hookHost,
          ...(kind === 'signed' ? { secret: SECRET } : {}),
        },
      });
      cleanups.push(server.close);
      await call(engine, 'providers.configure', { provider: 'hooked', baseUrl: server.url });
      if (kind === 'signed') {
        await call(engine, 'providers.setKey', { provider: 'hooked', field: 'webhook-secret', key: SECRET });
      }
      const shoot = await call(engine, 'shoots.create', { name: 'Called back' });
      await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'hooked', autoApprove: true });
      const run = await call(engine, 'shoots.runOperation', {
        shootId: shoot.id,
        provider: 'hooked',
        operation: 'imagine',
        params: {},
      });
      await until(
        () => call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
        (job) => job.state === 'done',
        20_000,
      );
      expect(server.webhookAnswers).toEqual([200]);
      // Signed: the call itself finished the job. Unsigned: the call made the job ask once more.
      expect(server.totals.polls).toBe(kind === 'signed' ? 1 : 2);
      expect([...server.charged.values()]).toEqual([1]);
    },
  );
});
