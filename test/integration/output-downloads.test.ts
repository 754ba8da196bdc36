import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { stubProvider } from '../support/stub-provider';
import type { ProviderContext, ProviderModule } from '../../main/engine/providers/contract';
import { downloadImageOutput } from '../../main/engine/providers/download';
import { httpRequest, ProviderRequestError, type HttpRequest } from '../../main/engine/net/http';
import type { HostResolver } from '../../main/engine/net/network';
import { getJob } from '../../main/engine/db/jobs-repo';
import { call, refusal, startTestEngine } from '../support/engine';
import { createRunner, enqueue, openQueueLibrary, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

/**
 * Outputs are fetched only from where outputs may come, after DNS: public https addresses, or this
 * machine when the provider itself is a sandbox here. Everything a provider names is checked like
 * a photo at ingest.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fileServer(body: Buffer): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'image/png' }).end(body);
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

/** Names resolve as the test says; anything else does not exist. No lookup leaves the process. */
function resolver(names: Record<string, string>): HostResolver {
  return (hostname) => {
    const address = names[hostname] ?? (net.isIP(hostname) ? hostname : undefined);
    if (!address) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
  };
}

function context(baseUrl: string, resolve: HostResolver): ProviderContext {
  const dir = tempDir();
  let next = 0;
  return {
    signal: new AbortController().signal,
    now: Date.now,
    sleep: (ms: number) => new Promise((done) => setTimeout(done, ms)),
    inputs: {
      image: () => Promise.reject(new Error('none')),
      mask: () => Promise.reject(new Error('none')),
      variant: () => Promise.reject(new Error('none')),
    },
    baseUrl,
    stage: null,
    request: (request: HttpRequest) => httpRequest({ ...request, resolve }),
    tempFile: (extension: string) => path.join(dir, `download-${next++}${extension}`),
  } as unknown as ProviderContext;
}

const png = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#4080c0' } })
    .png()
    .toBuffer();

/** A tiny PNG whose header claims 30000 × 30000 pixels (its IHDR rewritten, CRC fixed). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const real = await png(8, 8);
  const bomb = Buffer.from(real);
  bomb.writeUInt32BE(width, 16);
  bomb.writeUInt32BE(height, 20);
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
  return Buffer.concat([bomb, Buffer.alloc(100 * 1024)]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

const failureOf = async (promise: Promise<unknown>): Promise<ProviderRequestError> => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProviderRequestError))
    throw new Error(`expected a ProviderRequestError, got ${String(error)}`);
  return error;
};

describe('output downloads', () => {
  it('refuses an output whose host resolves to a private address, before any connection', async () => {
    const cdn = await fileServer(await png(16, 16));
    const port = new URL(cdn.url).port;
    const resolve = resolver({ 'cdn.provider.example': '10.0.0.5', 'sneaky.provider.example': '127.0.0.1' });
    const provider = context('https://api.provider.example', resolve);

    const privateHost = await failureOf(downloadImageOutput(provider, 'https://cdn.provider.example/out.png', 0));
    expect(privateHost.failure).toEqual({ kind: 'refused' });
    expect(privateHost.message).toBe(
      'https://cdn.provider.example/out.png was not fetched: it resolves to 10.0.0.5, a private or local address.',
    );
    // A public name that resolves to this machine is refused too, and the server there never hears of it.
    const rebound = await failureOf(
      downloadImageOutput(provider, `https://sneaky.provider.example:${port}/out.png`, 0),
    );
    expect(rebound.message).toContain('it resolves to 127.0.0.1, a private or local address');
    const plain = await failureOf(downloadImageOutput(provider, `${cdn.url}/out.png`, 0));
    expect(plain.message).toContain('only https addresses are used');
    expect(cdn.connections()).toBe(0);
  });

  it.each([
    ['file:///etc/passwd', 'file:// addresses are not fetched, only http and https.'],
    ['ftp://cdn.example/out.png', 'ftp:// addresses are not fetched, only http and https.'],
    ['not a url at all', '"not a url at all" is not a web address.'],
  ])('refuses %s by name, for good', async (url, reason) => {
    const error = await failureOf(downloadImageOutput(context('https://api.provider.example', resolver({})), url, 0));
    expect(error.failure).toEqual({ kind: 'refused' });
    expect(error.message).toBe(reason);
  });

  it("fetches from this machine when the provider is a sandbox on it, streamed to a file, within ingest's pixel limit", async () => {
    const good = await fileServer(await png(40, 30));
    const sandbox = context(good.url, resolver({}));
    const output = await downloadImageOutput(sandbox, `${good.url}/out.png`, 0);
    expect(output).toMatchObject({ kind: 'image', mimeType: 'image/png', width: 40, height: 30 });
    expect(output.bytes).toBeUndefined();
    expect((await sharp(output.file).metadata()).width).toBe(40);

    const bomb = await fileServer(await pngClaiming(30_000, 30_000));
    const error = await failureOf(downloadImageOutput(context(bomb.url, resolver({})), `${bomb.url}/out.png`, 0));
    expect(error.failure).toEqual({ kind: 'refused' });
    expect(error.message).toBe('The image it sent has 30000 × 30000 pixels, more than Shootline opens.');
  });

  it('fails the job with a provider error that names the refused output, without retrying it', async () => {
    const dir = tempDir();
    const { db, shootId } = openQueueLibrary(dir);
    cleanups.push(() => db.close());
    const provider: ProviderModule = {
      ...stubProvider({ id: 'namer', name: 'Namer', baseUrl: 'https://api.namer.example', paid: false }),
      pollIntervalMs: 10,
      estimateCost: () => ({ credits: 0 }),
      submit: () => Promise.resolve({ remote: { id: 'r1' } }),
      poll: () =>
        Promise.resolve({
          status: 'done',
          outputs: [{ index: 0, kind: 'image', url: 'http://169.254.169.254/x.png' }],
        }),
      fetchOutputs: async (ctx, _remoteId, outputs) => [await downloadImageOutput(ctx, outputs[0]?.url ?? '', 0)],
    };
    const runner = createRunner(db, dir, [provider], {
      resolve: resolver({}),
      probe: () => Promise.resolve(true),
    });
    cleanups.push(() => runner.stop());
    const [jobId = ''] = enqueue(db, shootId, 'namer', 1);
    runner.start();
    await waitFor(
      () => getJob(db, jobId)?.state === 'failed',
      () => JSON.stringify(getJob(db, jobId)),
    );
    const job = getJob(db, jobId);
    const fetches = db
      .prepare("SELECT COUNT(*) AS n FROM job_events WHERE job_id = ? AND to_state = 'fetching'")
      .get(jobId) as { n: number };
    expect(fetches.n).toBe(1);
    expect(job?.lastError?.message).toBe(
      'Namer: http://169.254.169.254/x.png was not fetched: only https addresses are used.',
    );
  });
});

describe('staging endpoints', () => {
  it('take https, or plain http on this machine only, and never a private address', async () => {
    const { engine } = startTestEngine({
      resolveHost: resolver({ 'minio.studio.lan': '192.168.1.20' }),
    });
    const settings = {
      bucket: 'shootline-test',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    expect(
      await refusal(engine, 'staging.configure', { ...settings, endpoint: 'http://s3.example.com' }),
    ).toMatchObject({
      code: 'invalid_input',
      message: 'endpoint: Use an https:// endpoint; plain http:// is only for a store on this machine',
    });
    await call(engine, 'staging.configure', { ...settings, endpoint: 'https://minio.studio.lan:9000' });
    const test = await call(engine, 'staging.test', {});
    expect(test.ok).toBe(false);
    expect(test.message).toContain('it resolves to 192.168.1.20, a private or local address');
  });
});
