import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startImageHost, type ImageHost } from '../sandbox/productai/image-host';
import {
  DEFAULT_TEST_KEY,
  manualClock,
  startProductaiSandbox,
  type ManualClock,
  type ProductaiForms,
  type ProductaiSandbox,
  type ProductaiSandboxOptions,
} from '../sandbox/productai/server';
import { corpusPath } from '../support/corpus';

/**
 * The ProductAI sandbox against the doc (shared/api-docs/productai.txt): every rule it enforces is
 * shown refusing a wrong request and recording why, and every fault mode is shown doing what a client
 * will have to survive. All traffic is real HTTP on loopback; input images are fetched by the sandbox
 * from a local file host, as the real service fetches them from S3.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PHOTO = 'photos/bythewater_nokia-n9.jpg'; // 2560x1600, orientation 1
const SMALL = 'names/Fotó café 写真 (1).jpg'; // 640x427
const SECOND = 'photos/grace_hopper.jpg';

interface JobData {
  id: number;
  status: string;
  prompt?: string;
  image_url?: string;
}
interface Reply {
  status: number;
  json: unknown;
  headers: Headers;
}

interface Harness {
  sandbox: ProductaiSandbox;
  host: ImageHost;
  clock: ManualClock;
  /** URL of a corpus file on the image host. */
  image: (file: string) => string;
  call: (method: string, route: string, options?: CallOptions) => Promise<Reply>;
  generate: (body: unknown) => Promise<Reply>;
  upscale: (body: unknown) => Promise<Reply>;
  poll: (id: number) => Promise<Reply>;
}

interface CallOptions {
  /** `null` sends no x-api-key. */
  key?: string | null;
  json?: unknown;
  /** Sent as is, with `contentType` (or none). */
  raw?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Path outside the base URL (e.g. without `/v1`). */
  absolute?: boolean;
}

async function setup(options: ProductaiSandboxOptions = {}): Promise<Harness> {
  const host = await startImageHost();
  cleanups.push(host.close);
  const clock = manualClock();
  const sandbox = await startProductaiSandbox({ now: clock.now, ...options });
  cleanups.push(sandbox.close);
  const call = async (method: string, route: string, opts: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? DEFAULT_TEST_KEY : opts.key;
    if (key !== null) headers['x-api-key'] = key;
    let body: string | Uint8Array | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.raw !== undefined) {
      body = typeof opts.raw === 'string' ? new TextEncoder().encode(opts.raw) : new Uint8Array(opts.raw);
    }
    if (opts.contentType !== undefined) {
      if (opts.contentType === null) delete headers['content-type'];
      else headers['content-type'] = opts.contentType;
    }
    const url = opts.absolute ? `${sandbox.origin}${route}` : `${sandbox.baseUrl}${route}`;
    const response = await fetch(url, { method, headers, body, signal: opts.signal });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Non-JSON answers stay text so an assertion shows what came back.
    }
    return { status: response.status, json, headers: response.headers };
  };
  return {
    sandbox,
    host,
    clock,
    image: (file) => host.putFile(file, corpusPath(file)),
    call,
    generate: (json) => call('POST', '/api/generate', { json }),
    upscale: (json) => call('POST', '/api/upscale', { json }),
    poll: (id) => call('GET', `/api/job/${id}`),
  };
}

const data = (reply: Reply): JobData => (reply.json as { data: JobData }).data;

async function download(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What fetch's rejection says about the socket, e.g. ECONNRESET or ECONNREFUSED. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).name;
  }
  throw new Error('expected the request to fail');
}

const badRequest = (details: RegExp) => ({
  name: 'ApiError',
  message: 'Bad Request',
  details: expect.stringMatching(details) as unknown,
});

/** A refused request: the doc's error shape, a recorded violation with a reason, no job, no charge. */
function expectRefused(h: Harness, reply: Reply, status: number, rule: string, reason: RegExp) {
  expect(reply.status).toBe(status);
  expect(reply.json).toMatchObject({
    name: 'ApiError',
    message: expect.any(String) as unknown,
    details: expect.any(String) as unknown,
  });
  expect(h.sandbox.violations.map((v) => v.rule)).toContain(rule);
  const violation = h.sandbox.violations.findLast((v) => v.rule === rule);
  expect(violation?.reason).toMatch(reason);
  expect(violation?.seq).toBe(h.sandbox.requests.at(-1)?.seq);
  expect(h.sandbox.ledger).toEqual([]);
  expect(h.sandbox.jobs()).toEqual([]);
  expect(h.sandbox.balance).toBe(1000);
}

describe('ProductAI sandbox: authentication', () => {
  it('accepts a configured key in x-api-key and records every key it saw', async () => {
    const h = await setup({ apiKeys: ['canary-key-7f3a', 'second-key-0000'] });
    const url = h.image(PHOTO);
    const first = await h.call('POST', '/api/generate', {
      key: 'canary-key-7f3a',
      json: { model: 'gpt-low', image_url: url, prompt: 'on a table' },
    });
    expect(first.status).toBe(200);
    const second = await h.call('GET', `/api/job/${data(first).id}`, { key: 'second-key-0000' });
    expect(second.status).toBe(200);
    expect(h.sandbox.keysSeen.get('canary-key-7f3a')).toBe(1);
    expect(h.sandbox.keysSeen.get('second-key-0000')).toBe(1);
    expect(h.sandbox.requests.map((r) => r.apiKey)).toEqual(['canary-key-7f3a', 'second-key-0000']);
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    { name: 'no x-api-key', options: { key: null }, rule: 'auth-missing', reason: /no x-api-key/ },
    { name: 'an empty x-api-key', options: { key: '' }, rule: 'auth-missing', reason: /no x-api-key/ },
    { name: 'a wrong key', options: { key: 'not-the-key' }, rule: 'auth-invalid', reason: /not a valid key/ },
    {
      name: 'the right key as a Bearer token',
      options: { key: null, headers: { authorization: `Bearer ${DEFAULT_TEST_KEY}` } },
      rule: 'auth-missing',
      reason: /Authorization.*x-api-key/,
    },
  ])('refuses $name with 401', async ({ options, rule, reason }) => {
    const h = await setup();
    const reply = await h.call('POST', '/api/generate', {
      ...options,
      json: { model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' },
    });
    expectRefused(h, reply, 401, rule, reason);
    expect(reply.json).toMatchObject({ name: 'ApiError', message: 'Unauthorized' });
    expect(h.host.hits.size).toBe(0);
  });

  it('checks the key on polls too', async () => {
    const h = await setup();
    const reply = await h.call('GET', '/api/job/22292', { key: 'wrong' });
    expectRefused(h, reply, 401, 'auth-invalid', /not a valid key/);
    expect(h.sandbox.keysSeen.get('wrong')).toBe(1);
  });
});

describe('ProductAI sandbox: routes', () => {
  it.each([
    { method: 'GET', route: '/v1/api/generate', status: 405, rule: 'method', allow: 'POST' },
    { method: 'PUT', route: '/v1/api/upscale', status: 405, rule: 'method', allow: 'POST' },
    { method: 'POST', route: '/v1/api/job/22292', status: 405, rule: 'method', allow: 'GET' },
    { method: 'POST', route: '/api/generate', status: 404, rule: 'route', allow: null },
    { method: 'GET', route: '/v1/api/jobs/22292', status: 404, rule: 'route', allow: null },
    { method: 'GET', route: '/v1/api/job/', status: 404, rule: 'route', allow: null },
  ])('answers $method $route with $status', async ({ method, route, status, rule, allow }) => {
    const h = await setup();
    const reply = await h.call(method, route, { absolute: true });
    expectRefused(h, reply, status, rule, /not (a documented endpoint|an endpoint)/);
    expect(reply.headers.get('allow')).toBe(allow);
  });
});

describe('ProductAI sandbox: request validation', () => {
  /** Each case is one documented rule broken once; `url` is a working image URL on the host. */
  const generateCases: { name: string; rule: string; reason: RegExp; body: (url: string) => unknown }[] = [
    {
      name: 'missing model',
      rule: 'model-required',
      reason: /model is required/,
      body: (url) => ({ image_url: url, prompt: 'x' }),
    },
    {
      name: 'model not a string',
      rule: 'model-type',
      reason: /model must be a string/,
      body: (url) => ({ model: 3, image_url: url, prompt: 'x' }),
    },
    {
      name: 'unknown model',
      rule: 'model-enum',
      reason: /"kontext" is not one of/,
      body: (url) => ({ model: 'kontext', image_url: url, prompt: 'x' }),
    },
    {
      name: 'model in the wrong case',
      rule: 'model-enum',
      reason: /"Kontext-Pro"/,
      body: (url) => ({ model: 'Kontext-Pro', image_url: url, prompt: 'x' }),
    },
    {
      name: 'missing image_url',
      rule: 'image-url-required',
      reason: /image_url is required/,
      body: () => ({ model: 'gpt-low', prompt: 'x' }),
    },
    {
      name: 'image_url a number',
      rule: 'image-url-type',
      reason: /got number/,
      body: () => ({ model: 'gpt-low', image_url: 7, prompt: 'x' }),
    },
    {
      name: 'image_url an object',
      rule: 'image-url-type',
      reason: /got object/,
      body: (url) => ({ model: 'gpt-low', image_url: { url }, prompt: 'x' }),
    },
    {
      name: 'image_url array with a non-string',
      rule: 'image-url-type',
      reason: /array/,
      body: (url) => ({ model: 'nanobanana', image_url: [url, 5], prompt: 'x' }),
    },
    {
      name: 'image_url empty array',
      rule: 'image-url-empty',
      reason: /empty array/,
      body: () => ({ model: 'nanobanana', image_url: [], prompt: 'x' }),
    },
    {
      name: 'two images for gpt-low',
      rule: 'image-count',
      reason: /gpt-low takes one image/,
      body: (url) => ({ model: 'gpt-low', image_url: [url, url], prompt: 'x' }),
    },
    {
      name: 'two images for gpt-medium',
      rule: 'image-count',
      reason: /gpt-medium takes one image/,
      body: (url) => ({ model: 'gpt-medium', image_url: [url, url], prompt: 'x' }),
    },
    {
      name: 'two images for gpt-high',
      rule: 'image-count',
      reason: /gpt-high takes one image/,
      body: (url) => ({ model: 'gpt-high', image_url: [url, url], prompt: 'x' }),
    },
    {
      name: 'two images for kontext-pro',
      rule: 'image-count',
      reason: /kontext-pro takes one image/,
      body: (url) => ({ model: 'kontext-pro', image_url: [url, url], prompt: 'x' }),
    },
    {
      name: 'three images for nanobanana',
      rule: 'image-count',
      reason: /up to 2 .*got 3/,
      body: (url) => ({ model: 'nanobanana', image_url: [url, url, url], prompt: 'x' }),
    },
    {
      name: 'three images for nanobananapro',
      rule: 'image-count',
      reason: /up to 2 .*got 3/,
      body: (url) => ({ model: 'nanobananapro', image_url: [url, url, url], prompt: 'x' }),
    },
    {
      name: 'three images for seedream',
      rule: 'image-count',
      reason: /up to 2 .*got 3/,
      body: (url) => ({ model: 'seedream', image_url: [url, url, url], prompt: 'x' }),
    },
    {
      name: 'a data: URL instead of a URL to fetch',
      rule: 'image-url-scheme',
      reason: /URLs only \(got data: URL\)/,
      body: () => ({ model: 'gpt-low', image_url: 'data:image/jpeg;base64,/9j/4AAQ', prompt: 'x' }),
    },
    {
      name: 'an ftp URL',
      rule: 'image-url-scheme',
      reason: /http\(s\)/,
      body: () => ({ model: 'gpt-low', image_url: 'ftp://127.0.0.1/a.jpg', prompt: 'x' }),
    },
    {
      name: 'a relative URL',
      rule: 'image-url-invalid',
      reason: /not an absolute URL/,
      body: () => ({ model: 'gpt-low', image_url: '/a.jpg', prompt: 'x' }),
    },
    {
      name: 'a bad second URL',
      rule: 'image-url-invalid',
      reason: /image_url\[1\]/,
      body: (url) => ({ model: 'seedream', image_url: [url, 'nope'], prompt: 'x' }),
    },
    {
      name: 'missing prompt',
      rule: 'prompt-required',
      reason: /prompt is required/,
      body: (url) => ({ model: 'gpt-low', image_url: url }),
    },
    {
      name: 'prompt not a string',
      rule: 'prompt-type',
      reason: /prompt must be a string \(got an array\)/,
      body: (url) => ({ model: 'gpt-low', image_url: url, prompt: ['x'] }),
    },
    {
      name: 'whitespace-only prompt',
      rule: 'prompt-empty',
      reason: /must not be empty/,
      body: (url) => ({ model: 'gpt-low', image_url: url, prompt: '  \n ' }),
    },
    {
      name: 'an undocumented field',
      rule: 'unknown-field',
      reason: /does not take "num_images"/,
      body: (url) => ({ model: 'gpt-low', image_url: url, prompt: 'x', num_images: 2 }),
    },
  ];

  it.each(generateCases)('generate refuses $name', async ({ rule, reason, body }) => {
    const h = await setup();
    const url = h.image(PHOTO);
    const reply = await h.generate(body(url));
    expectRefused(h, reply, 400, rule, reason);
    expect(reply.json).toEqual(badRequest(reason));
    // Validation comes before the sandbox downloads anything.
    expect(h.host.hits.size).toBe(0);
  });

  const upscaleCases: { name: string; rule: string; reason: RegExp; body: (url: string) => unknown }[] = [
    { name: 'missing image_url', rule: 'image-url-required', reason: /image_url is required/, body: () => ({}) },
    {
      name: 'an array of URLs',
      rule: 'image-url-type',
      reason: /one URL string \(got an array\)/,
      body: (url) => ({ image_url: [url] }),
    },
    {
      name: 'a data: URL',
      rule: 'image-url-scheme',
      reason: /URLs only/,
      body: () => ({ image_url: 'data:image/png;base64,iVBOR' }),
    },
    {
      name: 'a model field',
      rule: 'unknown-field',
      reason: /does not take "model"/,
      body: (url) => ({ image_url: url, model: 'gpt-low' }),
    },
    {
      name: 'a prompt field',
      rule: 'unknown-field',
      reason: /does not take "prompt"/,
      body: (url) => ({ image_url: url, prompt: 'sharper' }),
    },
  ];

  it.each(upscaleCases)('upscale refuses $name', async ({ rule, reason, body }) => {
    const h = await setup();
    const url = h.image(SMALL);
    const reply = await h.upscale(body(url));
    expectRefused(h, reply, 400, rule, reason);
    expect(reply.json).toEqual(badRequest(reason));
    expect(h.host.hits.size).toBe(0);
  });

  it.each([
    {
      name: 'text/plain',
      contentType: 'text/plain',
      raw: '{"model":"gpt-low","image_url":"http://127.0.0.1/a.jpg","prompt":"x"}',
      rule: 'content-type',
      reason: /must be application\/json \(got text\/plain\)/,
    },
    {
      name: 'no Content-Type',
      contentType: null,
      raw: '{"model":"gpt-low","image_url":"http://127.0.0.1/a.jpg","prompt":"x"}',
      rule: 'content-type',
      reason: /got none/,
    },
    {
      name: 'invalid JSON',
      contentType: 'application/json',
      raw: '{"model": "gpt-low",',
      rule: 'json',
      reason: /not valid JSON/,
    },
    {
      name: 'a JSON array',
      contentType: 'application/json',
      raw: '[{"model":"gpt-low"}]',
      rule: 'body-type',
      reason: /must be a JSON object/,
    },
    {
      name: 'JSON null',
      contentType: 'application/json',
      raw: 'null',
      rule: 'body-type',
      reason: /must be a JSON object/,
    },
    {
      name: 'a body over 1 MiB',
      contentType: 'application/json',
      raw: JSON.stringify({ model: 'gpt-low', image_url: 'http://127.0.0.1/a.jpg', prompt: 'x'.repeat(1_100_000) }),
      rule: 'body-size',
      reason: /over 1048576 bytes/,
    },
  ])('generate and upscale refuse a body that is $name', async ({ contentType, raw, rule, reason }) => {
    const h = await setup();
    for (const route of ['/api/generate', '/api/upscale']) {
      const reply = await h.call('POST', route, { raw, contentType });
      expectRefused(h, reply, 400, rule, reason);
      expect(reply.json).toEqual(badRequest(reason));
    }
    expect(h.sandbox.violations.filter((v) => v.rule === rule).map((v) => v.route)).toEqual(['generate', 'upscale']);
  });

  it('records each broken rule of one request as its own violation and names them all', async () => {
    const h = await setup();
    const reply = await h.generate({ model: 'dall-e', image_url: 42, extra: true });
    expect(reply.status).toBe(400);
    expect(h.sandbox.violations.map((v) => v.rule).sort()).toEqual(
      ['image-url-type', 'model-enum', 'prompt-required', 'unknown-field'].sort(),
    );
    expect(reply.json).toEqual(badRequest(/extra.*dall-e.*prompt is required.*image_url must be/));
    expect(new Set(h.sandbox.violations.map((v) => v.seq))).toEqual(new Set([1]));
  });

  it('refuses a job_id that is not a number (400) and one that does not exist (404)', async () => {
    const h = await setup();
    const bad = await h.call('GET', '/api/job/abc');
    expectRefused(h, bad, 400, 'job-id', /must be a number \(got "abc"\)/);
    const missing = await h.poll(99_999);
    expectRefused(h, missing, 404, 'job-unknown', /no job 99999/);
    expect(missing.json).toEqual({ name: 'ApiError', message: 'Not Found', details: 'Job 99999 not found' });
  });
});

describe('ProductAI sandbox: input images are fetched and checked', () => {
  it('refuses an image URL that answers 404, after trying it', async () => {
    const h = await setup();
    const reply = await h.generate({ model: 'gpt-low', image_url: h.host.url('missing.jpg'), prompt: 'x' });
    expectRefused(h, reply, 400, 'image-fetch', /answered HTTP 404/);
    expect(h.host.hits.get('missing.jpg')).toBe(1);
  });

  it('refuses an image URL nobody listens on', async () => {
    const h = await setup();
    const closed = await startImageHost();
    const url = closed.url('a.jpg');
    await closed.close();
    const reply = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    expectRefused(h, reply, 400, 'image-fetch', /could not fetch/);
  });

  it('never reaches past loopback for an input', async () => {
    const h = await setup();
    const reply = await h.generate({ model: 'gpt-low', image_url: 'https://example.com/p.jpg', prompt: 'x' });
    expectRefused(h, reply, 400, 'image-fetch', /only fetches loopback URLs \(got host example.com\)/);
  });

  it('refuses an image of 10,000,000 bytes and takes one of 9,999,999 (the doc: below 10MB)', async () => {
    const h = await setup();
    const jpeg = fs.readFileSync(corpusPath(SMALL));
    const padded = (size: number) => Buffer.concat([jpeg, Buffer.alloc(size - jpeg.length)]);
    const over = h.host.put('big.jpg', padded(10_000_000), 'image/jpeg');
    const reply = await h.generate({ model: 'gpt-low', image_url: over, prompt: 'x' });
    expectRefused(h, reply, 400, 'image-size', /10000000 bytes; images must be below 10000000 bytes/);
    const upscale = await h.upscale({ image_url: over });
    expect(upscale.status).toBe(400);
    expect(h.sandbox.violations.filter((v) => v.rule === 'image-size')).toHaveLength(2);

    const under = h.host.put('under.jpg', padded(9_999_999), 'image/jpeg');
    const accepted = await h.generate({ model: 'gpt-low', image_url: under, prompt: 'x' });
    expect(accepted.status).toBe(200);
    expect(h.sandbox.jobs()[0]?.inputs[0]?.bytes).toBe(9_999_999);
  });

  it('also refuses an oversized image whose host sends no Content-Length', async () => {
    const h = await setup();
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'image/jpeg' });
      const chunk = Buffer.alloc(1_000_000, 0xff);
      for (let i = 0; i < 11; i += 1) response.write(chunk);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream.jpg`;
    const reply = await h.upscale({ image_url: url });
    expectRefused(h, reply, 400, 'image-size', /at least \d+ bytes/);
  });

  it.each([
    { file: 'formats/storm_16bit.tif', reason: /a TIFF, not PNG, JPG or WebP/ },
    { file: 'formats/colorfulcups.heic', reason: /ISO-BMFF image \(heic/ },
    { file: 'formats/after-the-rain.avif', reason: /ISO-BMFF image \(avif/ },
    { file: 'bad/text-file-renamed.jpg', reason: /unknown bytes starting 5468/ },
    { file: 'bad/zero-bytes.jpg', reason: /an empty body/ },
  ])('refuses $file by its bytes, whatever its name says', async ({ file, reason }) => {
    const h = await setup();
    const reply = await h.generate({ model: 'kontext-pro', image_url: h.image(file), prompt: 'x' });
    expectRefused(h, reply, 400, 'image-format', reason);
    expect(h.host.hits.get(file)).toBe(1);
  });

  it('refuses a pair when only the second image is bad, and charges nothing', async () => {
    const h = await setup();
    const reply = await h.generate({
      model: 'nanobanana',
      image_url: [h.image(PHOTO), h.image('formats/storm_16bit.tif')],
      prompt: 'x',
    });
    expectRefused(h, reply, 400, 'image-format', /TIFF/);
  });

  it.each([
    { file: 'bad/png-content-with-jpg-extension_chelsea.jpg', format: 'png' },
    { file: 'formats/storm.webp', format: 'webp' },
    { file: 'formats/tmshre_riaphotographs_rgba.png', format: 'png' },
    { file: 'photos/cat_grayscale.jpg', format: 'jpeg' },
  ])('takes $file as $format (sniffed, not from the name)', async ({ file, format }) => {
    const h = await setup();
    const reply = await h.generate({ model: 'gpt-low', image_url: h.image(file), prompt: 'x' });
    expect(reply.status).toBe(200);
    expect(h.sandbox.jobs()[0]?.inputs[0]?.format).toBe(format);
    h.clock.advance(30_000);
    const done = await h.poll(data(reply).id);
    expect(data(done).status).toBe('COMPLETED');
    const output = await download(data(done).image_url ?? '');
    expect((await sharp(output.bytes).metadata()).format).toBe('jpeg');
  });
});

describe('ProductAI sandbox: rate limit', () => {
  it('allows 15 requests a minute, polls included, and answers the 16th with 429 until the window moves', async () => {
    const h = await setup();
    const created = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    expect(created.status).toBe(200);
    const id = data(created).id;
    for (let i = 0; i < 14; i += 1) expect((await h.poll(id)).status).toBe(200);
    expect(h.sandbox.totals.polls).toBe(14);

    const limited = await h.poll(id);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ name: 'ApiError', message: 'Too Many Requests' });
    // The doc promises no Retry-After, so by default none is sent.
    expect(limited.headers.get('retry-after')).toBeNull();
    const alsoLimited = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    expect(alsoLimited.status).toBe(429);
    expect(h.sandbox.ledger).toHaveLength(1);
    expect(h.sandbox.violations.map((v) => v.rule)).toEqual(['rate-limit', 'rate-limit']);
    expect(h.sandbox.violations[0]?.reason).toMatch(/15 requests in the last 60000 ms/);

    h.clock.advance(59_999);
    expect((await h.poll(id)).status).toBe(429);
    h.clock.advance(1);
    const after = await h.poll(id);
    expect(after.status).toBe(200);
    expect(data(after).status).toBe('COMPLETED');

    // Output files stand in for a CDN: fetching them is not an API request.
    for (let i = 0; i < 20; i += 1) expect((await download(data(after).image_url ?? '')).status).toBe(200);
    expect((await h.poll(id)).status).toBe(200);
    expect(h.sandbox.totals.rateLimited).toBe(3);
  });

  it('counts refused requests too: 15 bad polls use up the minute', async () => {
    const h = await setup();
    for (let i = 0; i < 15; i += 1) expect((await h.poll(1)).status).toBe(404);
    expect((await h.call('GET', '/api/job/1', { key: 'wrong' })).status).toBe(429);
  });

  it('sends Retry-After when asked to, and lets tests shrink the window', async () => {
    const h = await setup({ rateLimit: { requests: 2, windowMs: 10_000 }, retryAfter: true });
    await h.poll(1);
    h.clock.advance(4_000);
    await h.poll(1);
    const limited = await h.poll(1);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('6');
  });
});

describe('ProductAI sandbox: tokens', () => {
  it('charges the doc price when a job starts and answers OUT_OF_TOKENS in the doc shape when short', async () => {
    const h = await setup({ balance: 10 });
    const url = h.image(PHOTO);
    const high = await h.generate({ model: 'gpt-high', image_url: url, prompt: 'x' });
    expect(high.status).toBe(200);
    expect(h.sandbox.balance).toBe(2);

    const short = await h.generate({ model: 'gpt-medium', image_url: url, prompt: 'x' });
    expect(short.status).toBe(400);
    expect(short.json).toEqual({ name: 'ApiError', message: 'OUT_OF_TOKENS', details: 'Not enough credits' });
    const fetchesBefore = h.host.hits.get(PHOTO);

    const exact = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    expect(exact.status).toBe(200);
    expect(h.sandbox.balance).toBe(0);

    const upscale = await h.upscale({ image_url: url });
    expect(upscale.json).toEqual({ name: 'ApiError', message: 'OUT_OF_TOKENS', details: 'Not enough credits' });
    // Out of tokens is not a client mistake, and no image is fetched for it.
    expect(h.sandbox.violations).toEqual([]);
    expect(h.host.hits.get(PHOTO)).toBe((fetchesBefore ?? 0) + 1);

    h.sandbox.setBalance(20);
    expect((await h.upscale({ image_url: url })).status).toBe(200);
    expect(h.sandbox.balance).toBe(0);
    expect(
      h.sandbox.ledger.map(({ seq, operation, model, tokens, balanceBefore, balanceAfter }) => ({
        seq,
        operation,
        model,
        tokens,
        balanceBefore,
        balanceAfter,
      })),
    ).toEqual([
      { seq: 1, operation: 'generate', model: 'gpt-high', tokens: 8, balanceBefore: 10, balanceAfter: 2 },
      { seq: 3, operation: 'generate', model: 'gpt-low', tokens: 2, balanceBefore: 2, balanceAfter: 0 },
      { seq: 5, operation: 'upscale', model: null, tokens: 20, balanceBefore: 20, balanceAfter: 0 },
    ]);
    expect(h.sandbox.jobs()).toHaveLength(3);
  });

  it('answers OUT_OF_TOKENS with another status when configured, body unchanged', async () => {
    const h = await setup({ balance: 19, outOfTokensStatus: 402 });
    const reply = await h.upscale({ image_url: h.image(SMALL) });
    expect(reply.status).toBe(402);
    expect(reply.json).toEqual({ name: 'ApiError', message: 'OUT_OF_TOKENS', details: 'Not enough credits' });
    expect(h.sandbox.balance).toBe(19);
  });
});

describe('ProductAI sandbox: jobs and real outputs', () => {
  it.each([
    { model: 'gpt-low', tokens: 2, width: 1024, height: 640 },
    { model: 'gpt-medium', tokens: 3, width: 1024, height: 640 },
    { model: 'gpt-high', tokens: 8, width: 1536, height: 960 },
    { model: 'kontext-pro', tokens: 3, width: 1024, height: 640 },
    { model: 'nanobanana', tokens: 3, width: 1024, height: 640 },
    { model: 'nanobananapro', tokens: 8, width: 2048, height: 1280 },
    { model: 'seedream', tokens: 3, width: 2048, height: 1280 },
  ])(
    '$model: RUNNING for 30 s, then COMPLETED with one real $width x $height JPEG',
    async ({ model, tokens, width, height }) => {
      const h = await setup();
      // A presigned-looking URL, as the app sends from S3.
      const url = `${h.image(PHOTO)}?X-Amz-Expires=300&X-Amz-Signature=abc`;
      const created = await h.generate({ model, image_url: url, prompt: 'lipstick should be on fire' });
      expect(created.status).toBe(200);
      expect(created.json).toEqual({
        status: 'OK',
        data: { id: 22292, status: 'RUNNING', prompt: 'lipstick should be on fire' },
      });
      expect(h.sandbox.ledger).toMatchObject([{ seq: 1, jobId: 22292, model, tokens }]);
      expect(h.host.hits.get(PHOTO)).toBe(1);

      h.clock.advance(29_999);
      expect((await h.poll(22292)).json).toEqual({
        status: 'OK',
        data: { id: 22292, status: 'RUNNING', prompt: 'lipstick should be on fire' },
      });
      h.clock.advance(1);
      const done = await h.poll(22292);
      expect(done.json).toEqual({
        status: 'OK',
        data: {
          id: 22292,
          status: 'COMPLETED',
          prompt: 'lipstick should be on fire',
          image_url: `${h.sandbox.origin}/files/22292.jpg`,
        },
      });
      const output = await download(data(done).image_url ?? '');
      expect(output.status).toBe(200);
      expect(output.type).toBe('image/jpeg');
      const meta = await sharp(output.bytes).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
        format: 'jpeg',
        width,
        height,
      });
      // Derived from the photo, not a blank placeholder.
      const stats = await sharp(output.bytes).stats();
      expect(stats.entropy).toBeGreaterThan(5);
      expect(h.sandbox.violations).toEqual([]);
    },
  );

  it.each(['nanobanana', 'nanobananapro', 'seedream'])(
    '%s takes two reference images and returns one image shaped like the first',
    async (model) => {
      const h = await setup();
      const created = await h.generate({ model, image_url: [h.image(PHOTO), h.image(SECOND)], prompt: 'together' });
      expect(created.status).toBe(200);
      expect(h.host.hits.get(PHOTO)).toBe(1);
      expect(h.host.hits.get(SECOND)).toBe(1);
      h.clock.advance(30_000);
      const done = await h.poll(data(created).id);
      expect(Object.keys(data(done)).sort()).toEqual(['id', 'image_url', 'prompt', 'status']);
      expect(typeof data(done).image_url).toBe('string');
      const meta = await sharp((await download(data(done).image_url ?? '')).bytes).metadata();
      expect(meta.width / meta.height).toBeCloseTo(1.6, 2);
      // The second reference shows in the lower right corner: it differs from the same model on one image.
      const single = await setup();
      const alone = await single.generate({ model, image_url: [single.image(PHOTO)], prompt: 'together' });
      single.clock.advance(30_000);
      const aloneDone = await single.poll(data(alone).id);
      const corner = async (url: string) =>
        sharp((await download(url)).bytes)
          .extract({ left: meta.width - 100, top: meta.height - 100, width: 100, height: 100 })
          .removeAlpha()
          .raw()
          .toBuffer();
      const withInset = await corner(data(done).image_url ?? '');
      const without = await corner(data(aloneDone).image_url ?? '');
      let difference = 0;
      for (let i = 0; i < withInset.length; i += 1) difference += Math.abs((withInset[i] ?? 0) - (without[i] ?? 0));
      // Mean absolute difference per sample: JPEG noise alone stays near 1-2.
      expect(difference / withInset.length).toBeGreaterThan(20);
    },
  );

  it('applies EXIF orientation: a rotated-on-disk photo gives an upright output', async () => {
    const h = await setup();
    const created = await h.generate({
      model: 'gpt-low',
      image_url: h.image('orientation/orient6_bythewater.jpg'),
      prompt: 'x',
    });
    h.clock.advance(30_000);
    const done = await h.poll(data(created).id);
    const meta = await sharp((await download(data(done).image_url ?? '')).bytes).metadata();
    expect({ width: meta.width, height: meta.height, orientation: meta.orientation }).toEqual({
      width: 1024,
      height: 640,
      orientation: undefined,
    });
  });

  it('upscale: costs 20, runs 60 s, answers without prompt and really doubles the image', async () => {
    const h = await setup();
    const created = await h.upscale({ image_url: h.image(SMALL) });
    expect(created.json).toEqual({ status: 'OK', data: { id: 22292, status: 'RUNNING' } });
    expect(h.sandbox.ledger).toMatchObject([{ operation: 'upscale', tokens: 20, balanceAfter: 980 }]);
    h.clock.advance(30_000);
    expect((await h.poll(22292)).json).toEqual({ status: 'OK', data: { id: 22292, status: 'RUNNING' } });
    h.clock.advance(30_000);
    const done = await h.poll(22292);
    expect(done.json).toEqual({
      status: 'OK',
      data: { id: 22292, status: 'COMPLETED', image_url: `${h.sandbox.origin}/files/22292.jpg` },
    });
    const output = await download(data(done).image_url ?? '');
    const meta = await sharp(output.bytes).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: 'jpeg',
      width: 1280,
      height: 854,
    });
  });

  it('upscale of an orientation-8 image doubles the upright size', async () => {
    const h = await setup();
    const created = await h.upscale({ image_url: h.image('orientation/npm-exif_right_orient8_text.jpg') });
    h.clock.advance(60_000);
    const done = await h.poll(data(created).id);
    const meta = await sharp((await download(data(done).image_url ?? '')).bytes).metadata();
    expect([meta.width, meta.height]).toEqual([960, 1280]);
  });

  it('numbers generate and upscale jobs in one sequence and serves no file before completion', async () => {
    const h = await setup();
    const a = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    const b = await h.upscale({ image_url: h.image(SMALL) });
    expect([data(a).id, data(b).id]).toEqual([22292, 22293]);
    const early = await download(`${h.sandbox.origin}/files/22292.jpg`);
    expect(early.status).toBe(404);
    expect(h.sandbox.violations.map((v) => v.rule)).toEqual(['download-unknown']);
  });

  it('moves jobs on real time scaled by speed', async () => {
    // 30 s → 1.5 s; the rate limit is off because this test polls in a tight loop on purpose.
    const h = await setup({ now: Date.now, speed: 20, rateLimit: false });
    const started = Date.now();
    const created = await h.generate({ model: 'gpt-low', image_url: h.image(SMALL), prompt: 'x' });
    expect(data(await h.poll(data(created).id)).status).toBe('RUNNING');
    await waitFor(async () => data(await h.poll(data(created).id)).status === 'COMPLETED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    // Polling in a tight loop is advice broken, not a rule: it lands in advisories.
    expect(h.sandbox.advisories.length).toBeGreaterThan(0);
    expect(h.sandbox.advisories[0]?.reason).toMatch(/the doc advises 3-5 s/);
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    { file: 'bad/truncated_40pct_nokia-lumia820.jpg', error: /./ },
    { file: 'bad/decompression-bomb_30000x30000_1bit.png', error: /pixel|limit/i },
  ])(
    'an input that passes the checks but cannot be decoded ($file) ends in ERROR, tokens spent',
    async ({ file, error }) => {
      const h = await setup();
      const created = await h.generate({ model: 'nanobanana', image_url: h.image(file), prompt: 'x' });
      expect(created.status).toBe(200);
      h.clock.advance(30_000);
      const done = await h.poll(data(created).id);
      expect(done.json).toEqual({ status: 'OK', data: { id: 22292, status: 'ERROR' } });
      expect(h.sandbox.job(22292)?.error).toMatch(error);
      expect(h.sandbox.balance).toBe(997);
    },
  );
});

describe('ProductAI sandbox: webhooks', () => {
  it('posts the doc payloads when jobs complete and records a receiver that does not answer 200', async () => {
    const received: unknown[] = [];
    let answer = 200;
    const receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const h = await setup({ webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });

    await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    await h.sandbox.setFault({ kind: 'job-error' });
    await h.upscale({ image_url: h.image(SMALL) });
    h.clock.advance(30_000);
    await h.sandbox.settle();
    expect(received).toEqual([
      { status: 'success', image_url: `${h.sandbox.origin}/files/22292.jpg`, job_id: '22292' },
    ]);
    answer = 500;
    h.clock.advance(30_000);
    await h.sandbox.settle();
    expect(received).toEqual([
      { status: 'success', image_url: `${h.sandbox.origin}/files/22292.jpg`, job_id: '22292' },
      { status: 'error' },
    ]);
    expect(h.sandbox.webhooks.map((w) => w.status)).toEqual([200, 500]);
    expect(h.sandbox.violations).toMatchObject([{ route: 'webhook', rule: 'webhook-status', seq: 2 }]);
  });
});

describe('ProductAI sandbox: faults', () => {
  it('answers the next N requests of one route with a 5xx, before doing anything', async () => {
    const h = await setup();
    const url = h.image(PHOTO);
    const first = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    await h.sandbox.setFault({ kind: 'status', status: 503, count: 2, route: 'generate' });
    const a = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    expect((await h.poll(data(first).id)).status).toBe(200); // other routes untouched
    const b = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    const c = await h.generate({ model: 'gpt-low', image_url: url, prompt: 'x' });
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.json).toMatchObject({ name: 'ApiError', message: 'Service Unavailable' });
    expect(h.sandbox.ledger.map((l) => l.seq)).toEqual([1, 5]);
    expect(h.host.hits.get(PHOTO)).toBe(2);
    expect(h.sandbox.requests.map((r) => r.fault)).toEqual([null, 'status', null, 'status', null]);
    expect(h.sandbox.totals.faulted).toBe(2);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('answers 500 Internal Server Error by default, on any API route', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'status' });
    const reply = await h.poll(1);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({
      name: 'ApiError',
      message: 'Internal Server Error',
      details: 'Injected server error',
    });
    expect((await h.poll(1)).status).toBe(404);
  });

  it('resets before processing: no job, no charge, the image never fetched', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'reset-before' });
    const code = await failure(h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' }));
    expect(code).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(h.sandbox.requests).toMatchObject([{ seq: 1, outcome: 'reset', status: null, jobId: null }]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.host.hits.size).toBe(0);
    expect((await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' })).status).toBe(200);
  });

  it('resets after processing: the job exists and is charged though the client never heard of it', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'reset-after', route: 'generate' });
    const code = await failure(h.generate({ model: 'seedream', image_url: h.image(PHOTO), prompt: 'x' }));
    expect(code).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(h.sandbox.requests).toMatchObject([{ seq: 1, outcome: 'reset', status: null, jobId: 22292 }]);
    expect(h.sandbox.ledger).toMatchObject([{ seq: 1, jobId: 22292, tokens: 3 }]);
    expect(h.sandbox.balance).toBe(997);
    h.clock.advance(30_000);
    expect(data(await h.poll(22292)).status).toBe('COMPLETED');
  });

  it('delays the answer after processing: a client that gives up still leaves a charged job', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'delay', ms: 600 });
    const started = Date.now();
    const code = await failure(
      h.call('POST', '/api/generate', {
        json: { model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' },
        signal: AbortSignal.timeout(200),
      }),
    );
    expect(code).toMatch(/TimeoutError|aborted/i);
    expect(Date.now() - started).toBeLessThan(600);
    await waitFor(() => h.sandbox.ledger.length === 1);

    await h.sandbox.setFault({ kind: 'delay', ms: 300, when: 'before' });
    const slowStart = Date.now();
    const slow = await h.poll(22292);
    expect(slow.status).toBe(200);
    expect(Date.now() - slowStart).toBeGreaterThanOrEqual(290);
  });

  it('answers 429 on demand without calling it the client’s fault', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'rate-limit', count: 2, route: ['generate', 'upscale'] });
    const a = await h.upscale({ image_url: h.image(SMALL) });
    const b = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    const c = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.json).toMatchObject({ name: 'ApiError', message: 'Too Many Requests' });
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.ledger).toHaveLength(1);
  });

  it('hangs: reads the request and never answers', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'hang', route: 'job' });
    const code = await failure(h.call('GET', '/api/job/1', { signal: AbortSignal.timeout(300) }));
    expect(code).toMatch(/TimeoutError|aborted/i);
    expect(h.sandbox.requests).toMatchObject([{ outcome: 'hung', status: null }]);
  });

  it('goes unreachable (connection refused) on the same port and comes back', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'unreachable' });
    expect(await failure(h.poll(1))).toBe('ECONNREFUSED');
    await h.sandbox.recover();
    expect((await h.poll(1)).status).toBe(404);

    await h.sandbox.setFault({ kind: 'unreachable', forMs: 300 });
    expect(await failure(h.poll(1))).toBe('ECONNREFUSED');
    await waitFor(async () => {
      try {
        return (await h.poll(1)).status === 404;
      } catch {
        return false;
      }
    });
  });

  it('makes the next job end in ERROR, then behaves again', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'job-error', count: 1 });
    const a = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    const b = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    h.clock.advance(30_000);
    expect(data(await h.poll(data(a).id))).toEqual({ id: 22292, status: 'ERROR' });
    expect(data(await h.poll(data(b).id)).status).toBe('COMPLETED');
    expect(h.sandbox.balance).toBe(996);
  });

  it('faults downloads only when asked to by route', async () => {
    const h = await setup();
    const created = await h.generate({ model: 'gpt-low', image_url: h.image(PHOTO), prompt: 'x' });
    h.clock.advance(30_000);
    const url = data(await h.poll(data(created).id)).image_url ?? '';
    await h.sandbox.setFault({ kind: 'status', status: 502, route: 'download' });
    expect((await h.poll(data(created).id)).status).toBe(200);
    expect((await download(url)).status).toBe(502);
    expect((await download(url)).status).toBe(200);
  });

  it('clears armed faults', async () => {
    const h = await setup();
    await h.sandbox.setFault({ kind: 'status', count: 5 });
    h.sandbox.clearFaults();
    expect((await h.poll(1)).status).toBe(404);
  });
});

describe('ProductAI sandbox: answer forms', () => {
  /** Jobs run 100 times faster, so a generate is due after 300 ms of the manual clock and an upscale after 600. */
  const FAST = { speed: 100 } as const;
  const GENERATE_MS = 300;
  const UPSCALE_MS = 600;
  const OUT_OF_TOKENS_DOC = { name: 'ApiError', message: 'OUT_OF_TOKENS', details: 'Not enough credits' };

  /** Generates with a small image; the answer is returned as is, whatever its form. */
  const generateSmall = (h: Harness, model = 'gpt-low') =>
    h.generate({ model, image_url: h.image(SMALL), prompt: 'x' });
  const fileUrl = (h: Harness, id: number) => `${h.sandbox.origin}/files/${id}.jpg`;

  it('starts in the forms the header describes, and follows the legacy retryAfter option', async () => {
    const expected: ProductaiForms = {
      jobId: 'number',
      statusWords: 'doc',
      resultUrl: 'image_url',
      envelope: 'doc',
      outOfTokens: 'doc400',
      charge: 'none',
      errorDetail: 'none',
      garbageAfterCharge: false,
      garbageAfterChargeTimes: 1,
      retryAfterStyle: 'none',
    };
    expect((await setup()).sandbox.forms).toEqual(expected);
    expect((await setup({ retryAfter: true })).sandbox.forms.retryAfterStyle).toBe('seconds');
    expect((await setup({ retryAfter: true, forms: { retryAfterStyle: 'none' } })).sandbox.forms.retryAfterStyle).toBe(
      'none',
    );
  });

  it('refuses an unknown form or value instead of silently answering in the default one', async () => {
    await expect(startProductaiSandbox({ forms: { jobId: 'uuid' as 'string' } })).rejects.toThrow(/forms.jobId/);
    const h = await setup();
    expect(() => h.sandbox.setForms({ envelope: 'naked' as 'bare' })).toThrow(
      /forms.envelope must be one of doc, bare/,
    );
    expect(() => h.sandbox.setForms({ colour: 'blue' } as Partial<ProductaiForms>)).toThrow(/unknown answer form/);
    expect(() => h.sandbox.setForms({ garbageAfterChargeTimes: 0 })).toThrow(/at least 1/);
    expect(h.sandbox.forms.jobId).toBe('number');
  });

  it('jobId string: "22292" in the created, running and completed answers; the path takes the digits', async () => {
    const h = await setup({ ...FAST, forms: { jobId: 'string' } });
    const created = await generateSmall(h);
    expect(created.json).toEqual({ status: 'OK', data: { id: '22292', status: 'RUNNING', prompt: 'x' } });
    expect((await h.poll(22292)).json).toEqual({ status: 'OK', data: { id: '22292', status: 'RUNNING', prompt: 'x' } });
    h.clock.advance(GENERATE_MS);
    expect((await h.call('GET', '/api/job/22292')).json).toEqual({
      status: 'OK',
      data: { id: '22292', status: 'COMPLETED', prompt: 'x', image_url: fileUrl(h, 22292) },
    });
    // Still strict: a quoted id is not a job_id.
    expect((await h.call('GET', '/api/job/"22292"')).status).toBe(400);
    expect(h.sandbox.violations.map((v) => v.rule)).toEqual(['job-id']);
  });

  it('statusWords lower: running, completed and error in lower case', async () => {
    const h = await setup({ ...FAST, forms: { statusWords: 'lower' } });
    expect(data(await generateSmall(h)).status).toBe('running');
    await h.sandbox.setFault({ kind: 'job-error' });
    await generateSmall(h);
    h.clock.advance(GENERATE_MS);
    expect(data(await h.poll(22292)).status).toBe('completed');
    expect((await h.poll(22293)).json).toEqual({ status: 'OK', data: { id: 22293, status: 'error' } });
    // The sandbox's own record keeps the doc's words.
    expect(h.sandbox.jobs().map((job) => job.status)).toEqual(['COMPLETED', 'ERROR']);
  });

  it('statusWords extended: QUEUED for the first third, IN_PROGRESS, then COMPLETED or FAILED', async () => {
    const h = await setup({ ...FAST, forms: { statusWords: 'extended' } });
    expect(data(await generateSmall(h)).status).toBe('QUEUED');
    h.clock.advance(GENERATE_MS / 3 - 1);
    expect(data(await h.poll(22292)).status).toBe('QUEUED');
    h.clock.advance(1);
    expect(data(await h.poll(22292)).status).toBe('IN_PROGRESS');
    await h.sandbox.setFault({ kind: 'job-error' });
    await h.upscale({ image_url: h.image(SMALL) });
    h.clock.advance(UPSCALE_MS);
    expect(data(await h.poll(22292)).status).toBe('COMPLETED');
    expect((await h.poll(22293)).json).toEqual({ status: 'OK', data: { id: 22293, status: 'FAILED' } });
  });

  it('resultUrl array: a completed job gives image_url as an array of one working URL', async () => {
    const h = await setup({ ...FAST, forms: { resultUrl: 'array' } });
    await generateSmall(h);
    expect(data(await h.poll(22292)).image_url).toBeUndefined();
    h.clock.advance(GENERATE_MS);
    const done = await h.poll(22292);
    expect(done.json).toEqual({
      status: 'OK',
      data: { id: 22292, status: 'COMPLETED', prompt: 'x', image_url: [fileUrl(h, 22292)] },
    });
    expect((await download(fileUrl(h, 22292))).status).toBe(200);
  });

  it('resultUrl images: a completed job gives images: [{ url }] and no image_url, for upscale too', async () => {
    const h = await setup({ ...FAST, forms: { resultUrl: 'images' } });
    await h.upscale({ image_url: h.image(SMALL) });
    h.clock.advance(UPSCALE_MS);
    expect((await h.poll(22292)).json).toEqual({
      status: 'OK',
      data: { id: 22292, status: 'COMPLETED', images: [{ url: fileUrl(h, 22292) }] },
    });
  });

  it('envelope bare: the job object at the top level, in created and polled answers', async () => {
    const h = await setup({ ...FAST, forms: { envelope: 'bare' } });
    const created = await generateSmall(h);
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.json).toEqual({ id: 22292, status: 'RUNNING', prompt: 'x' });
    h.clock.advance(GENERATE_MS);
    expect((await h.poll(22292)).json).toEqual({
      id: 22292,
      status: 'COMPLETED',
      prompt: 'x',
      image_url: fileUrl(h, 22292),
    });
    // Errors keep their own shape; only successes lose the envelope.
    expect((await h.poll(99)).json).toMatchObject({ name: 'ApiError', message: 'Not Found' });
  });

  it.each([
    { form: '402', status: 402, body: OUT_OF_TOKENS_DOC },
    {
      form: 'okError',
      status: 200,
      body: { status: 'ERROR', message: 'OUT_OF_TOKENS', details: 'Not enough credits' },
    },
    { form: 'nested', status: 403, body: { error: { code: 'OUT_OF_TOKENS', message: 'Not enough credits' } } },
  ] as const)(
    'outOfTokens $form: HTTP $status with its body, no job, no charge, no violation',
    async ({ form, status, body }) => {
      const h = await setup({ ...FAST, balance: 2, forms: { outOfTokens: form } });
      for (const reply of [await generateSmall(h, 'gpt-medium'), await h.upscale({ image_url: h.image(SMALL) })]) {
        expect(reply.status).toBe(status);
        expect(reply.json).toEqual(body);
      }
      expect(h.sandbox.jobs()).toEqual([]);
      expect(h.sandbox.ledger).toEqual([]);
      expect(h.sandbox.balance).toBe(2);
      expect(h.sandbox.violations).toEqual([]);
      expect(h.host.hits.size).toBe(0);
    },
  );

  it('charge tokens_used: a successful generate or upscale says what it cost; polls do not', async () => {
    const h = await setup({ ...FAST, forms: { charge: 'tokens_used' } });
    expect((await generateSmall(h, 'gpt-high')).json).toEqual({
      status: 'OK',
      data: { id: 22292, status: 'RUNNING', prompt: 'x', tokens_used: 8 },
    });
    expect(data(await h.upscale({ image_url: h.image(SMALL) }))).toEqual({
      id: 22293,
      status: 'RUNNING',
      tokens_used: 20,
    });
    expect(data(await h.poll(22292))).toEqual({ id: 22292, status: 'RUNNING', prompt: 'x' });
  });

  it('charge cost: tokens and the balance after the charge', async () => {
    const h = await setup({ ...FAST, forms: { charge: 'cost' } });
    expect(data(await generateSmall(h, 'seedream'))).toEqual({
      id: 22292,
      status: 'RUNNING',
      prompt: 'x',
      cost: { tokens: 3, balance: 997 },
    });
    expect(data(await h.upscale({ image_url: h.image(SMALL) }))).toMatchObject({ cost: { tokens: 20, balance: 977 } });
    expect(h.sandbox.balance).toBe(977);
  });

  it.each(['error', 'message'] as const)('errorDetail %s: an ERROR job says why in data.%s', async (form) => {
    const h = await setup({ ...FAST, forms: { errorDetail: form } });
    await h.sandbox.setFault({ kind: 'job-error' });
    await generateSmall(h);
    await generateSmall(h);
    h.clock.advance(GENERATE_MS);
    expect((await h.poll(22292)).json).toEqual({
      status: 'OK',
      data: { id: 22292, status: 'ERROR', [form]: 'job-error fault injected' },
    });
    // Only ERROR jobs carry it.
    expect(data(await h.poll(22293))).not.toHaveProperty(form);
  });

  it('garbageAfterCharge: the next charged answer is HTML, the job exists and is charged, then JSON again', async () => {
    const h = await setup({ ...FAST });
    h.sandbox.setForms({ garbageAfterCharge: true });
    // A refused request charges nothing, so it does not use the garbage up.
    expect((await h.generate({ model: 'gpt-low', prompt: 'x' })).status).toBe(400);
    const spoiled = await generateSmall(h);
    expect(spoiled.status).toBe(200);
    expect(spoiled.headers.get('content-type')).toBe('text/html');
    expect(spoiled.json).toBe('<html>gateway</html>');
    expect(h.sandbox.requests.map((r) => r.garbage)).toEqual([false, true]);
    expect(h.sandbox.ledger).toMatchObject([{ seq: 2, jobId: 22292, tokens: 2 }]);
    expect(h.sandbox.forms.garbageAfterCharge).toBe(false);
    expect(h.sandbox.violations.map((v) => v.rule)).toEqual(['image-url-required']);

    const clean = await h.upscale({ image_url: h.image(SMALL) });
    expect(clean.json).toEqual({ status: 'OK', data: { id: 22293, status: 'RUNNING' } });
    // The spoiled job is real: it can be polled and completes.
    h.clock.advance(GENERATE_MS);
    expect(data(await h.poll(22292)).status).toBe('COMPLETED');
  });

  it('garbageAfterChargeTimes spoils that many answers in a row; false disarms', async () => {
    const h = await setup({ ...FAST, forms: { garbageAfterCharge: true, garbageAfterChargeTimes: 2 } });
    const replies = [await generateSmall(h), await h.upscale({ image_url: h.image(SMALL) }), await generateSmall(h)];
    expect(replies.map((r) => r.headers.get('content-type'))).toEqual(['text/html', 'text/html', 'application/json']);
    expect(h.sandbox.ledger).toHaveLength(3);

    h.sandbox.setForms({ garbageAfterCharge: true });
    expect(h.sandbox.forms).toMatchObject({ garbageAfterCharge: true, garbageAfterChargeTimes: 2 });
    h.sandbox.setForms({ garbageAfterCharge: false });
    expect((await generateSmall(h)).headers.get('content-type')).toBe('application/json');
  });

  /** Two requests `gapMs` apart fill a window of 2 per 10 s; the third is refused until the first leaves it. */
  async function refusedAfter(h: Harness, gapMs: number): Promise<Reply> {
    await h.poll(1);
    h.clock.advance(gapMs);
    await h.poll(1);
    return h.poll(1);
  }

  it('retryAfterStyle seconds: whole seconds until the window frees a slot, without the legacy option', async () => {
    const h = await setup({ rateLimit: { requests: 2, windowMs: 10_000 }, forms: { retryAfterStyle: 'seconds' } });
    const limited = await refusedAfter(h, 4_300);
    expect(limited.status).toBe(429);
    // 5.7 s until the first request leaves the window, rounded up.
    expect(limited.headers.get('retry-after')).toBe('6');
  });

  it('retryAfterStyle date: an HTTP-date on the sandbox clock, with a Date header from the same clock', async () => {
    const h = await setup({ rateLimit: { requests: 2, windowMs: 10_000 } });
    h.sandbox.setForms({ retryAfterStyle: 'date' });
    const started = h.clock.now();
    h.clock.advance(500);
    const limited = await refusedAfter(h, 4_000);
    expect(limited.status).toBe(429);
    // The first request left the window at started + 10.5 s; HTTP-dates round up to whole seconds.
    expect(limited.headers.get('retry-after')).toBe(new Date(started + 11_000).toUTCString());
    expect(limited.headers.get('date')).toBe(new Date(started + 4_000).toUTCString());
    const waitMs = Date.parse(limited.headers.get('retry-after') ?? '') - Date.parse(limited.headers.get('date') ?? '');
    expect(waitMs).toBe(7_000);
  });

  it('probesCount false: HEAD and GET of / and /v1 spend no quota, are still answered and recorded', async () => {
    const h = await setup({ rateLimit: { requests: 3, windowMs: 60_000 }, probesCount: false });
    const probes = [
      await h.call('HEAD', '/', { absolute: true, key: null }),
      await h.call('GET', '/v1', { absolute: true }),
      await h.call('GET', '/v1/', { absolute: true }),
      await h.call('HEAD', '/v1', { absolute: true }),
      await h.call('GET', '/', { absolute: true }),
    ];
    expect(probes.map((p) => p.status)).toEqual([401, 404, 404, 404, 404]);
    expect(h.sandbox.requestsCounted).toBe(0);
    expect([(await h.poll(1)).status, (await h.poll(1)).status, (await h.poll(1)).status]).toEqual([404, 404, 404]);
    expect((await h.poll(1)).status).toBe(429);
    expect(h.sandbox.requestsCounted).toBe(4);
    expect(h.sandbox.requests.map((r) => r.counted)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(h.sandbox.requests.map((r) => r.at)).toEqual(Array(9).fill(h.clock.now()));
    // Strict as ever: a probe is not an endpoint.
    expect(h.sandbox.violations.filter((v) => v.rule === 'route')).toHaveLength(4);
  });

  it('probesCount default: probes count like any request to the API', async () => {
    const h = await setup({ rateLimit: { requests: 2, windowMs: 60_000 } });
    await h.call('HEAD', '/v1', { absolute: true });
    await h.call('GET', '/', { absolute: true });
    expect(h.sandbox.requestsCounted).toBe(2);
    expect((await h.poll(1)).status).toBe(429);
  });

  it('setForms changes the forms of a running sandbox from the next answer on, and back', async () => {
    const h = await setup({ ...FAST });
    await generateSmall(h);
    h.sandbox.setForms({ jobId: 'string', envelope: 'bare', statusWords: 'lower' });
    expect((await h.poll(22292)).json).toEqual({ id: '22292', status: 'running', prompt: 'x' });
    h.sandbox.setForms({ envelope: 'doc', jobId: undefined });
    expect((await h.poll(22292)).json).toEqual({ status: 'OK', data: { id: '22292', status: 'running', prompt: 'x' } });
    h.sandbox.setForms({ jobId: 'number', statusWords: 'doc' });
    expect((await h.poll(22292)).json).toEqual({ status: 'OK', data: { id: 22292, status: 'RUNNING', prompt: 'x' } });
  });
});

describe('ProductAI sandbox: CLI', () => {
  it('starts on a given port and prints the base URL and a key that works', { timeout: 30_000 }, async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'test', 'sandbox', 'productai', 'main.ts'), '--port', String(port)],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitFor(() => /PRODUCTAI_API_KEY=\S+\n/.test(out), 20_000);
    const baseUrl = /PRODUCTAI_BASE_URL=(\S+)/.exec(out)?.[1];
    const key = /PRODUCTAI_API_KEY=(\S+)/.exec(out)?.[1] ?? '';
    expect(baseUrl).toBe(`http://127.0.0.1:${port}/v1`);
    expect(key).toMatch(/^pai_test_[0-9a-f]{24}$/);
    const authed = await fetch(`${baseUrl}/api/job/1`, { headers: { 'x-api-key': key } });
    expect(authed.status).toBe(404);
    const anonymous = await fetch(`${baseUrl}/api/job/1`);
    expect(anonymous.status).toBe(401);
  });
});
