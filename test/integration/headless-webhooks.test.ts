import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/engine/log';
import { startServer, type RunningServer } from '../../main/headless/server';
import { signTestDelivery, testProviderModule } from '../sandbox/test-providers/module';
import { call, startTestEngine, until } from '../support/engine';
import { startTestProvider } from '../sandbox/test-providers/server';
import { seeded } from '../support/seeded';

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

/** One raw HTTP request; resolves with the status code (0 when the server only closed). */
function post(
  port: number,
  options: { host: string; target?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<number> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? Buffer.alloc(0));
  const head =
    `${options.method ?? 'POST'} ${options.target ?? '/webhooks/hooked'} HTTP/1.1\r\nHost: ${options.host}\r\n` +
    Object.entries(options.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('the headless webhook route', () => {
  it('is there only under the public webhook host, without a token, and answers every delivery with a plain status', async () => {
    const closed = await serve();
    expect(await post(closed.port, { host: PUBLIC, body: '{}' })).toBe(404);

    const server = await serve(`https://${PUBLIC}`);
    const delivery = { id: 'r-unknown', deliveryId: 'd-1' };
    const signed = {
      'x-test-signature': signTestDelivery(SECRET, delivery, seconds()),
      'Content-Type': 'application/json',
    };
    // The right host and signature reach the engine: no job waits for that id, so 202.
    expect(await post(server.port, { host: PUBLIC, headers: signed, body: JSON.stringify(delivery) })).toBe(202);
    expect(
      await post(server.port, { host: `127.0.0.1:${server.port}`, headers: signed, body: JSON.stringify(delivery) }),
    ).toBe(404);
    expect(await post(server.port, { host: PUBLIC, method: 'GET' })).toBe(405);
    expect(await post(server.port, { host: PUBLIC, target: '/webhooks/..%2F..%2Fetc', body: '{}' })).toBe(404);
    expect(await post(server.port, { host: PUBLIC, target: '/webhooks/nobody', body: '{}' })).toBe(404);
    expect(await post(server.port, { host: PUBLIC, body: Buffer.alloc(300 * 1024, 0x7b) })).toBe(413);
    expect(await post(server.port, { host: PUBLIC, headers: { 'x-test-signature': 't=1,v1=00' }, body: '{}' })).toBe(
      400,
    );
    expect(
      await post(server.port, {
        host: PUBLIC,
        headers: { 'x-test-signature': signTestDelivery('wrong', delivery, seconds()) },
        body: JSON.stringify(delivery),
      }),
    ).toBe(401);
    // The token-protected parts are not reachable under the webhook host.
    expect(await post(server.port, { host: PUBLIC, target: '/', method: 'GET' })).toBe(421);
  });

  it('survives a fuzz of 300 deliveries: every answer a 2xx/4xx status, never a 500, and the server still answers', async () => {
    const server = await serve(`https://${PUBLIC}`);
    const random = seeded(31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const bodies = [
      '',
      'null',
      '[]',
      '"text"',
      '{"id": 5}',
      '{"id": "r1", "status": {"status": "done", "outputs": "nope"}}',
      '{"id": "__proto__", "deliveryId": {"x": 1}}',
      '{"id": "r1", "status": {"status": "failed"}}',
      '\u0000\u0001\u0002',
      '{'.repeat(5000),
      JSON.stringify({ id: 'r2', deliveryId: 'd'.repeat(10_000) }),
    ];
    const signatures = [
      '',
      't=,v1=',
      't=99999999999999,v1=' + 'a'.repeat(64),
      'v1=' + 'f'.repeat(64),
      'x'.repeat(2000),
      't=1,v1=1,v1=2',
      signTestDelivery('not-the-secret', {}, seconds()),
    ];
    const seen = new Set<number>();
    for (let round = 0; round < 300; round += 1) {
      const body = pick(bodies);
      const signature =
        random() < 0.3
          ? signTestDelivery(
              SECRET,
              (() => {
                try {
                  return JSON.parse(body) as unknown;
                } catch {
                  return body;
                }
              })(),
              seconds(),
            )
          : pick(signatures);
      const status = await post(server.port, {
        host: PUBLIC,
        target: pick([
          '/webhooks/hooked',
          '/webhooks/hooked',
          '/webhooks/HOOKED',
          '/webhooks/',
          '/webhooks/hooked/extra',
        ]),
        headers: signature ? { 'x-test-signature': signature } : {},
        body,
      });
      seen.add(status);
      expect([200, 202, 400, 401, 404, 413], `round ${round}: ${status}`).toContain(status);
    }
    expect(seen.has(400) && seen.has(401) && seen.has(404)).toBe(true);
    const health = await fetch(`http://127.0.0.1:${server.port}/api/health?token=${TOKEN}`);
    expect(health.status).toBe(200);
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
