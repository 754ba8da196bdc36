import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startS3 } from '../support/s3';
import { S3Client, S3StorageError } from '../../main/engine/staging/s3-client';
import {
  Staging,
  StagingSettingsSchema,
  stagingMissingMessage,
  type StagingSettingsInput,
} from '../../main/engine/staging/staging';

const BUCKET = 'shootline-staging';
// s3rver knows one account, S3RVER; it checks the access key ID but not SigV4 signatures, so the
// secret can be a canary that must never show up in a message or a thrown object.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET = `CANARY-secret-${randomUUID()}`;
const PHOTO = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus', 'photos', 'storm_canon-400d.jpg');

let server: Awaited<ReturnType<typeof startS3>>;
let endpoint: string;

beforeAll(async () => {
  server = await startS3(BUCKET);
  endpoint = server.endpoint;
});

afterAll(async () => {
  await server.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Call {
  method: string;
  url: string;
}

/** Node's fetch, recording every request the staging code makes. */
function recordingFetch(): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    calls.push({ method: init?.method ?? 'GET', url });
    return fetch(input, init);
  };
  return { fetch: wrapped, calls };
}

function settings(overrides: Partial<StagingSettingsInput> = {}): StagingSettingsInput {
  return { endpoint, bucket: BUCKET, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, ...overrides };
}

/** Every way a value could be shown or logged: none of them may contain the secret key. */
function expectNoSecret(value: unknown): void {
  const renderings = [String(value), inspect(value, { showHidden: true, depth: 10, getters: true })];
  try {
    renderings.push(JSON.stringify(value) ?? '');
  } catch {
    // A circular value is still covered by inspect.
  }
  if (value instanceof Error) renderings.push(value.message, value.stack ?? '');
  for (const text of renderings) expect(text).not.toContain(SECRET);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function loopbackServer(handler: http.RequestListener): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const httpServer = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(resolve);
      }),
  );
  return { url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, requests };
}

const photo = fs.readFileSync(PHOTO);
const photoHash = createHash('sha256').update(photo).digest('hex');

describe('staging on an S3-compatible store (s3rver)', () => {
  it('stages a JPEG once, under its content hash, and hands out links that serve the same bytes', async () => {
    const recorder = recordingFetch();
    const staging = new Staging(settings(), { fetch: recorder.fetch });
    const before = Date.now();

    const first = await staging.stage(photoHash, photo, 'image/jpeg');
    expect(first.key).toBe(`shootline/${photoHash}.jpg`);
    expect(first.uploaded).toBe(true);
    expect(first.expiresAt).toBeGreaterThan(before + 3599_000);
    expect(first.expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    const link = new URL(first.url);
    expect(link.pathname).toBe(`/${BUCKET}/shootline/${photoHash}.jpg`);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(link.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(link.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expectNoSecret(first);

    // The provider's side: a plain GET with no credentials.
    const response = await fetch(first.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), photo)).toBe(0);

    const second = await staging.stage(photoHash, photo, 'image/jpeg');
    expect(second.key).toBe(first.key);
    expect(second.uploaded).toBe(false);
    const again = await fetch(second.url);
    expect(again.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await again.arrayBuffer()), photo)).toBe(0);

    // Two looks, one upload: the second stage found the object and only signed a new link.
    expect(recorder.calls.map((call) => call.method)).toEqual(['HEAD', 'PUT', 'HEAD']);
    await staging.release(first.key);
  });

  it('uploads again over an object whose size does not match (a damaged earlier upload)', async () => {
    const hash = createHash('sha256').update('damaged').digest('hex');
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    await client.putObject(`shootline/${hash}.jpg`, photo.subarray(0, 1000), 'image/jpeg');

    const recorder = recordingFetch();
    const staging = new Staging(settings(), { fetch: recorder.fetch });
    const staged = await staging.stage(hash, photo, 'image/jpeg');
    expect(staged.uploaded).toBe(true);
    expect(recorder.calls.map((call) => call.method)).toEqual(['HEAD', 'PUT']);
    expect(await client.headObject(staged.key)).toEqual({ exists: true, size: photo.length });
    await staging.release(staged.key);
  });

  it('makes links that s3rver refuses once they have expired', async () => {
    const staging = new Staging(settings());
    const staged = await staging.stage(photoHash, photo, 'image/jpeg');
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });

    // Signed two hours ago for one hour: dead for an hour already.
    const expired = await fetch(client.presignGet(staged.key, 3600, Date.now() - 2 * 3600_000));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');

    // The same key signed now still works, so the refusal above is about time alone.
    const fresh = await fetch(client.presignGet(staged.key, 3600));
    expect(fresh.status).toBe(200);
    await fresh.arrayBuffer();

    // And a link that lives one second really dies (SigV4 dates have whole seconds).
    const short = client.presignGet(staged.key, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const died = await fetch(short);
    expect(died.status).toBe(403);
    await died.arrayBuffer();

    expect(() => client.presignGet(staged.key, 7 * 24 * 3600 + 1)).toThrow(RangeError);
    await staging.release(staged.key);
  });

  it('release deletes the staged object, twice is fine, and it touches nothing outside the prefix', async () => {
    const staging = new Staging(settings());
    const staged = await staging.stage(photoHash, photo, 'image/jpeg');
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect((await client.headObject(staged.key)).exists).toBe(true);

    await staging.release(staged.key);
    expect(await client.headObject(staged.key)).toEqual({ exists: false, size: null });
    const gone = await fetch(staged.url);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
    await staging.release(staged.key);

    await client.putObject('elsewhere/keep.jpg', photo.subarray(0, 100), 'image/jpeg');
    await expect(staging.release('elsewhere/keep.jpg')).rejects.toThrow(/Not a staged image key/);
    await expect(staging.release('shootline/../elsewhere/keep.jpg')).rejects.toThrow(/Not a staged image key/);
    expect((await client.headObject('elsewhere/keep.jpg')).exists).toBe(true);
    await client.deleteObject('elsewhere/keep.jpg');
  });

  it('honours a custom prefix and content type, and rejects hashes that are not plain tokens', async () => {
    const staging = new Staging(settings({ prefix: 'jobs/staged/', urlExpirySeconds: 600 }));
    const png = Buffer.from('not really a png, but bytes are bytes');
    const staged = await staging.stage('abcdef0123456789', png, 'image/png');
    expect(staged.key).toBe('jobs/staged/abcdef0123456789.png');
    expect(new URL(staged.url).searchParams.get('X-Amz-Expires')).toBe('600');
    const response = await fetch(staged.url);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe(png.toString());
    await staging.release(staged.key);

    await expect(staging.stage('../../etc/passwd', png, 'image/png')).rejects.toThrow(/Not a content hash/);
    await expect(staging.stage('abc/def0123456789', png, 'image/png')).rejects.toThrow(/Not a content hash/);
  });
});

describe('the staging check (Settings › Test)', () => {
  it('passes against a good bucket, having written, read back and deleted a test file', async () => {
    const recorder = recordingFetch();
    const result = await new Staging(settings(), { fetch: recorder.fetch }).test();
    expect(result.ok).toBe(true);
    expect(result.message).toContain(`bucket '${BUCKET}'`);
    expect(recorder.calls.map((call) => call.method)).toEqual(['PUT', 'GET', 'DELETE']);
    const testKey = new URL(recorder.calls[0]?.url ?? 'http://x/').pathname;
    expect(testKey).toMatch(new RegExp(`^/${BUCKET}/shootline/shootline-check-[0-9a-f-]{36}\\.txt$`));
    // The read went through a presigned link, with no Authorization header to lean on.
    expect(recorder.calls[1]?.url).toContain('X-Amz-Signature=');
    // Nothing left behind.
    const left = await fetch(`${endpoint}${testKey}`);
    expect(left.status).toBe(404);
    await left.arrayBuffer();
    expectNoSecret(result);
  });

  it('says plainly when the bucket does not exist', async () => {
    const result = await new Staging(settings({ bucket: 'no-such-bucket' })).test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^The bucket 'no-such-bucket' does not exist at http:\/\/127\.0\.0\.1:\d+/);
    expectNoSecret(result);

    const error = await caught(
      new Staging(settings({ bucket: 'no-such-bucket' })).stage(photoHash, photo, 'image/jpeg'),
    );
    expect(error).toBeInstanceOf(S3StorageError);
    expect((error as S3StorageError).code).toBe('NoSuchBucket');
    expect((error as S3StorageError).status).toBe(404);
    expectNoSecret(error);
  });

  it('says plainly when the endpoint cannot be reached', async () => {
    const port = await closedPort();
    const result = await new Staging(settings({ endpoint: `http://127.0.0.1:${port}` })).test();
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `Could not reach http://127.0.0.1:${port} (nothing answered at that address and port).`,
    );
    expectNoSecret(result);

    const error = await caught(
      new Staging(settings({ endpoint: `http://127.0.0.1:${port}` })).stage(photoHash, photo, 'image/jpeg'),
    );
    expect(error).toBeInstanceOf(S3StorageError);
    expect((error as S3StorageError).kind).toBe('network');
    expectNoSecret(error);
  });

  it('says the access key was refused when the store does not know it', async () => {
    const result = await new Staging(settings({ accessKeyId: 'AKIAUNKNOWN' })).test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^The access key was refused/);
    expectNoSecret(result);
  });

  it('gives up on an endpoint that never answers', async () => {
    const silent = await loopbackServer(() => {
      // Never answers.
    });
    const result = await new Staging(settings({ endpoint: silent.url }), { timeoutMs: 300 }).test();
    expect(result).toEqual({ ok: false, message: `${silent.url} did not answer within 300 ms.` });
  });

  it('does not follow a redirect, and turns a wrong-region redirect into a region message', async () => {
    const elsewhere = await loopbackServer((_request, response) => response.writeHead(200).end());
    const redirecting = await loopbackServer((request, response) => {
      request.resume();
      response
        .writeHead(301, { location: `${elsewhere.url}/moved`, 'x-amz-bucket-region': 'eu-central-1' })
        .end('<?xml version="1.0"?><Error><Code>PermanentRedirect</Code></Error>');
    });
    const result = await new Staging(settings({ endpoint: redirecting.url })).test();
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `The bucket '${BUCKET}' is in region 'eu-central-1', not 'us-east-1': set the region in Settings.`,
    );
    expect(redirecting.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('SigV4 signing', () => {
  // s3rver does not check signatures, so the signing is checked against AWS's own published example
  // ("Authenticating Requests: Using Query Parameters", Signature Version 4 documentation).
  it('presigns exactly as the AWS documentation example does', () => {
    const client = new S3Client({
      endpoint: 'https://s3.amazonaws.com',
      region: 'us-east-1',
      bucket: 'examplebucket',
      addressing: 'virtual',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    const url = new URL(client.presignGet('test.txt', 86400, Date.UTC(2013, 4, 24)));
    expect(url.origin + url.pathname).toBe('https://examplebucket.s3.amazonaws.com/test.txt');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20130524T000000Z',
      'X-Amz-Expires': '86400',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    });
  });
});

describe('staging settings and messages', () => {
  it('applies the documented defaults and bounds', () => {
    const parsed = StagingSettingsSchema.parse(settings());
    expect(parsed).toMatchObject({
      prefix: 'shootline/',
      region: 'us-east-1',
      urlExpirySeconds: 3600,
      cleanup: true,
      addressing: 'path',
    });
    expect(StagingSettingsSchema.safeParse(settings({ urlExpirySeconds: 299 })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ urlExpirySeconds: 7 * 24 * 3600 })).success).toBe(true);
    expect(StagingSettingsSchema.safeParse(settings({ urlExpirySeconds: 7 * 24 * 3600 + 1 })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ endpoint: 'ftp://example.com' })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ endpoint: 'https://user:pw@example.com' })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ bucket: 'No_Such' })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ prefix: '/abs/' })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ prefix: 'a/../b/' })).success).toBe(false);
    expect(StagingSettingsSchema.safeParse(settings({ prefix: '' })).success).toBe(true);
  });

  it('never shows the secret key: not in validation errors, nor in the objects that hold it', async () => {
    const invalid = StagingSettingsSchema.safeParse(settings({ endpoint: 'not a url', bucket: 'X' }));
    expect(invalid.success).toBe(false);
    expectNoSecret(invalid.error);
    const thrown = await caught(Promise.resolve().then(() => new Staging(settings({ endpoint: 'nope' }))));
    expect(thrown).toBeInstanceOf(Error);
    expectNoSecret(thrown);

    const staging = new Staging(settings());
    expectNoSecret(staging);
    expectNoSecret(staging.settings);
    expectNoSecret(
      new S3Client({ endpoint, region: 'us-east-1', bucket: BUCKET, accessKeyId: 'A', secretAccessKey: SECRET }),
    );
  });

  it('has one message for a URL-only provider with no staging set up', () => {
    expect(stagingMissingMessage('ProductAI')).toBe(
      'ProductAI needs a public image URL: set up staging storage in Settings',
    );
  });
});
