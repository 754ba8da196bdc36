import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stubProvider } from '../support/stub-provider';
import type { ProviderModule } from '../../main/engine/providers/contract';
import type { AccountField } from '../../shared/providers';
import { ProviderRequestError } from '../../main/engine/net/http';
import { countByState, createRunner, enqueue, openQueueLibrary, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'sk-CANARY-auth-0042';
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A loopback server that answers 200 to anything and remembers the headers it was sent. */
async function recordingServer(): Promise<{
  url: string;
  seen: { path: string; headers: http.IncomingHttpHeaders }[];
}> {
  const seen: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"r1"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A provider whose submit calls its API and then uploads to another origin (as to a presigned URL). */
function uploadingProvider(baseUrl: string, elsewhere: string, send: AccountField['send'] | null): ProviderModule {
  return {
    ...stubProvider({ id: 'keyed', name: 'Keyed', baseUrl, paid: true }),
    accountFields: send ? [{ id: 'key', label: 'API key', secret: true, send }] : [],
    pollIntervalMs: 10,
    estimateCost: () => ({ credits: 1 }),
    submit: async (context) => {
      await context.request({ method: 'PUT', url: `${elsewhere}/upload`, body: 'bytes', timeoutMs: 5_000 });
      const { remoteId } = await context.step('create', async (key) => {
        await context.request({
          method: 'POST',
          url: `${context.baseUrl}/jobs`,
          headers: { 'idempotency-key': key },
          timeoutMs: 5_000,
        });
        return { remoteId: 'r1', result: null };
      });
      return { remote: { id: remoteId ?? 'r1' } };
    },
    poll: () => Promise.resolve({ status: 'done', outputs: [{ index: 0, kind: 'image' }] }),
    fetchOutputs: () => Promise.resolve([{ index: 0, kind: 'image', mimeType: 'image/png', bytes: PNG_1X1 }]),
  };
}

describe('API keys on provider requests', () => {
  it.each([
    ['api-key-header', { header: 'x-api-key' }, 'x-api-key', KEY],
    ['bearer', { bearer: true }, 'authorization', `Bearer ${KEY}`],
  ] as const)(
    'sends the key (%s) to the provider’s own origin only, never to another',
    async (_name, send, header, value) => {
      const api = await recordingServer();
      const storage = await recordingServer();
      const dir = tempDir();
      const { db, shootId } = openQueueLibrary(dir);
      cleanups.push(() => db.close());
      const runner = createRunner(db, dir, [uploadingProvider('http://placeholder.invalid', storage.url, send)], {
        account: () => Promise.resolve({ secrets: { key: KEY }, origin: new URL(api.url).origin }),
        // The configured address wins over the module's default.
        baseUrl: () => api.url,
      });
      cleanups.push(() => runner.stop());
      enqueue(db, shootId, 'keyed', 1);
      runner.start();
      await waitFor(
        () => countByState(db).done === 1,
        () => JSON.stringify(countByState(db)),
      );
      expect(api.seen.map((request) => [request.path, request.headers[header]])).toEqual([['/jobs', value]]);
      expect(storage.seen).toHaveLength(1);
      expect(JSON.stringify(storage.seen[0]?.headers)).not.toContain('CANARY');
    },
  );

  it('probes an unreachable provider at its configured address, not its default one', async () => {
    const api = await recordingServer();
    const dir = tempDir();
    const { db, shootId } = openQueueLibrary(dir);
    cleanups.push(() => db.close());
    const probed: string[] = [];
    let refusals = 1;
    const provider = uploadingProvider('http://default.invalid', api.url, null);
    const flaky: ProviderModule = {
      ...provider,
      submit: (context) => {
        if (refusals-- > 0) {
          // As a refused connection looks to the queue: nothing was sent, the provider seems down.
          return Promise.reject(
            new ProviderRequestError('Network error: ECONNREFUSED', {
              kind: 'network',
              phase: 'before_send',
              code: 'ECONNREFUSED',
            }),
          );
        }
        return provider.submit(context);
      },
    };
    const runner = createRunner(db, dir, [flaky], {
      baseUrl: () => api.url,
      probe: (url) => {
        probed.push(url);
        return Promise.resolve(true);
      },
    });
    cleanups.push(() => runner.stop());
    enqueue(db, shootId, 'keyed', 1);
    runner.start();
    await waitFor(
      () => countByState(db).done === 1,
      () => JSON.stringify({ states: countByState(db), probed }),
    );
    expect(probed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(probed)).toEqual(new Set([api.url]));
  });

  it('pauses the provider, without sending anything to it, while no key is set', async () => {
    const api = await recordingServer();
    const dir = tempDir();
    const { db, shootId } = openQueueLibrary(dir);
    cleanups.push(() => db.close());
    const runner = createRunner(db, dir, [uploadingProvider(api.url, api.url, { header: 'x-api-key' })], {
      account: () => Promise.resolve(null),
    });
    cleanups.push(() => runner.stop());
    enqueue(db, shootId, 'keyed', 1);
    runner.start();
    await waitFor(
      () => db.prepare("SELECT paused_reason FROM provider_accounts WHERE provider = 'keyed'").get() !== undefined,
      () => JSON.stringify(countByState(db)),
    );
    expect(api.seen).toEqual([]);
    expect(countByState(db).done ?? 0).toBe(0);
  });
});
