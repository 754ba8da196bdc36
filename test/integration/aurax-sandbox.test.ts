import { spawn } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_API_KEY,
  DEFAULT_KEY_ID,
  manualClock,
  startAuraxSandbox,
  type AuraxForms,
  type AuraxSandbox,
  type AuraxSandboxOptions,
  type ManualClock,
} from '../sandbox/aurax/server';

/**
 * The AuraX sandbox against its doc (shared/api-docs/aurax.txt) and the silent points of
 * docs/providers/aurax.md: every rule it enforces refuses a wrong request and records why, credits are
 * exact quarters, tasks move and stream, every fault does what a client must survive, and every switch
 * reading answers in its form. All traffic is real HTTP on loopback.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Rgb {
  r: number;
  g: number;
  b: number;
}
const GREY: Rgb = { r: 128, g: 128, b: 128 };
const RED: Rgb = { r: 200, g: 30, b: 40 };

const fixtures = {
  person: '',
  personJpeg: Buffer.alloc(0),
  garment: '',
  /** 80×60, left half white. */
  maskLeft: '',
  /** 40×30: same aspect as the person, another size. */
  maskSmall: '',
  /** 60×60: another aspect. */
  maskSquare: '',
  gif: '',
};

async function solidPng(width: number, height: number, colour: Rgb): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

async function leftHalfMask(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) raw.fill(255, y * width, y * width + width / 2);
  return sharp(raw, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  fixtures.person = (await solidPng(80, 60, GREY)).toString('base64');
  fixtures.personJpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: RED } })
    .jpeg()
    .toBuffer();
  fixtures.garment = (await solidPng(40, 40, RED)).toString('base64');
  fixtures.maskLeft = (await leftHalfMask(80, 60)).toString('base64');
  fixtures.maskSmall = (await leftHalfMask(40, 30)).toString('base64');
  fixtures.maskSquare = (await leftHalfMask(60, 60)).toString('base64');
  fixtures.gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1').toString('base64');
});

const vtoBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  personImage: fixtures.person,
  garmentImage: fixtures.garment,
  productType: 'GARMENT',
  garmentStrength: 2,
  ...extra,
});

const generationBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  prompt: 'a red scarf on a white table',
  productType: 'OTHER',
  width: 64,
  height: 48,
  ...extra,
});

interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  json: unknown;
}

interface CallOptions {
  /** `null` leaves the header out. */
  key?: string | null;
  keyId?: string | null;
  json?: unknown;
  body?: string | FormData;
  contentType?: string;
  signal?: AbortSignal;
}

interface Harness {
  sandbox: AuraxSandbox;
  clock: ManualClock;
  call: (method: string, route: string, options?: CallOptions) => Promise<Reply>;
  vto: (body: unknown) => Promise<Reply>;
  generate: (body: unknown) => Promise<Reply>;
  describeImage: (image: Buffer, productType?: string) => Promise<Reply>;
  poll: (id: string) => Promise<Reply>;
  /** Creates a VTO task and answers its id (default forms). */
  createTask: (body?: Record<string, unknown>) => Promise<string>;
  /** Moves the manual clock past every task's end and waits for them to settle. */
  finish: () => Promise<void>;
}

const authHeaders = (options: CallOptions = {}): Record<string, string> => {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? DEFAULT_API_KEY : options.key;
  const keyId = options.keyId === undefined ? DEFAULT_KEY_ID : options.keyId;
  if (key !== null) headers['x-api-key'] = key;
  if (keyId !== null) headers['x-key-id'] = keyId;
  return headers;
};

/** With `manual` (default) the sandbox runs on a clock the test moves; else on real time. */
async function setup(options: AuraxSandboxOptions = {}, manual = true): Promise<Harness> {
  const clock = manualClock();
  const sandbox = await startAuraxSandbox(manual ? { now: clock.now, ...options } : options);
  cleanups.push(sandbox.close);
  const call = async (method: string, route: string, opts: CallOptions = {}): Promise<Reply> => {
    const headers = authHeaders(opts);
    let body: string | FormData | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
    const response = await fetch(`${sandbox.baseUrl}${route}`, { method, headers, body, signal: opts.signal });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Non-JSON answers stay text so an assertion shows what came back.
    }
    return { status: response.status, headers: response.headers, bytes, text, json };
  };
  const describeImage = (image: Buffer, productType = 'DRESS') => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('productType', productType);
    return call('POST', '/api/ai/product-description', { body: form });
  };
  const vto = (json: unknown) => call('POST', '/api/ai/vto', { json });
  return {
    sandbox,
    clock,
    call,
    vto,
    generate: (json) => call('POST', '/api/ai/image-generation', { json }),
    describeImage,
    poll: (id) => call('GET', `/api/ai/task/${id}`),
    createTask: async (body = vtoBody()) => {
      const reply = await vto(body);
      expect(reply.status).toBe(200);
      return sandbox.tasks().at(-1)?.id ?? '';
    },
    finish: async () => {
      clock.advance(10 * 60_000);
      await sandbox.settle();
    },
  };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The error fetch rejected with, by its socket code where there is one. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).name;
  }
  throw new Error('expected the request to fail');
}

async function pixel(png: Buffer, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at] ?? -1, g: data[at + 1] ?? -1, b: data[at + 2] ?? -1 };
}

/** A refused request: the default error form, a recorded violation, no task, no charge. */
function expectRefused(h: Harness, reply: Reply, status: number, rule: string, reason: RegExp) {
  expect(reply.status).toBe(status);
  expect(reply.json).toEqual({ error: expect.any(String) as unknown });
  const violation = h.sandbox.violations.findLast((v) => v.rule === rule);
  expect(violation, `rules recorded: ${h.sandbox.violations.map((v) => v.rule).join(', ')}`).toBeDefined();
  expect(violation?.reason).toMatch(reason);
  expect(violation?.seq).toBe(h.sandbox.requests.at(-1)?.seq);
  expect(h.sandbox.ledger).toEqual([]);
  expect(h.sandbox.tasks()).toEqual([]);
  expect(h.sandbox.balance).toBe(100);
}

// ---- SSE -------------------------------------------------------------------------------------------

interface Frame {
  event: string | null;
  data: string | null;
  comment: string | null;
}

interface OpenStream {
  status: number;
  contentType: string | null;
  frames: Frame[];
  /** 'end' when the sandbox ended the stream cleanly, 'error' when the connection broke or was aborted. */
  ended: Promise<'end' | 'error'>;
  readonly finished: boolean;
  abort: () => void;
}

function parseBlock(block: string): Frame {
  const frame: Frame = { event: null, data: null, comment: null };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('event:')) frame.event = line.slice(6).trim();
    else if (line.startsWith('data:'))
      frame.data = (frame.data === null ? '' : `${frame.data}\n`) + line.slice(5).trim();
  }
  return frame;
}

async function openStream(h: Harness, taskId: string, options: CallOptions = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${h.sandbox.baseUrl}/api/ai/task/${taskId}/stream`, {
    headers: authHeaders(options),
    signal: controller.signal,
  });
  const frames: Frame[] = [];
  let finished = false;
  const ended = (async (): Promise<'end' | 'error'> => {
    const body = response.body as AsyncIterable<Uint8Array> | null;
    if (!body) return 'end';
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          frames.push(parseBlock(buffer.slice(0, cut)));
          buffer = buffer.slice(cut + 2);
        }
      }
      return 'end';
    } catch {
      return 'error';
    } finally {
      finished = true;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    frames,
    ended,
    get finished() {
      return finished;
    },
    abort: () => controller.abort(),
  };
}

const statusOf = (frame: Frame | undefined) => (JSON.parse(frame?.data ?? 'null') as { status?: string }).status;

// ---- tests -----------------------------------------------------------------------------------------

describe('AuraX sandbox: authentication', () => {
  it('accepts a configured key with its own key id, on every endpoint, and records the keys it saw', async () => {
    const h = await setup({
      keys: [
        { apiKey: 'first-key-0001', keyId: 'id-1' },
        { apiKey: 'second-key-0002', keyId: 'id-2' },
      ],
    });
    const created = await h.call('POST', '/api/ai/vto', { key: 'first-key-0001', keyId: 'id-1', json: vtoBody() });
    expect(created.status).toBe(200);
    const id = (created.json as { taskId: string }).taskId;
    const polled = await h.call('GET', `/api/ai/task/${id}`, { key: 'second-key-0002', keyId: 'id-2' });
    expect(polled.status).toBe(200);
    expect(h.sandbox.keysSeen.get('first-key-0001')).toBe(1);
    expect(h.sandbox.requests.map((r) => [r.apiKey, r.keyId])).toEqual([
      ['first-key-0001', 'id-1'],
      ['second-key-0002', 'id-2'],
    ]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    { name: 'no x-api-key', options: { key: null }, rule: 'auth-missing-key', reason: /no x-api-key/ },
    { name: 'an empty x-api-key', options: { key: '' }, rule: 'auth-missing-key', reason: /no x-api-key/ },
    { name: 'no x-key-id', options: { keyId: null }, rule: 'auth-missing-key-id', reason: /no x-key-id/ },
    { name: 'an empty x-key-id', options: { keyId: '' }, rule: 'auth-missing-key-id', reason: /no x-key-id/ },
    { name: 'an unknown key', options: { key: 'not-the-key' }, rule: 'auth-invalid-key', reason: /not a valid key/ },
    {
      name: "another key's id",
      options: { keyId: 'id-of-another-key' },
      rule: 'auth-key-id-mismatch',
      reason: /not the id of the key/,
    },
  ])('refuses $name with 401', async ({ options, rule, reason }) => {
    const h = await setup({
      keys: [
        { apiKey: DEFAULT_API_KEY, keyId: DEFAULT_KEY_ID },
        { apiKey: 'other-key-9999', keyId: 'id-of-another-key' },
      ],
    });
    const reply = await h.call('POST', '/api/ai/vto', { ...options, json: vtoBody() });
    expectRefused(h, reply, 401, rule, reason);
  });

  it.each(['/api/ai/task/some-task', '/api/ai/task/some-task/stream', '/images/img_0'])(
    'checks both headers on GET %s before anything else',
    async (route) => {
      const h = await setup();
      const reply = await h.call('GET', route, { keyId: null });
      expectRefused(h, reply, 401, 'auth-missing-key-id', /no x-key-id/);
      expect(h.sandbox.counters.streamsOpened).toBe(0);
    },
  );
});

describe('AuraX sandbox: routes', () => {
  it.each([
    { method: 'GET', route: '/api/ai/vto', status: 405, rule: 'method', allow: 'POST' },
    { method: 'PUT', route: '/api/ai/image-generation', status: 405, rule: 'method', allow: 'POST' },
    { method: 'GET', route: '/api/ai/product-description', status: 405, rule: 'method', allow: 'POST' },
    { method: 'POST', route: '/api/ai/task/abc', status: 405, rule: 'method', allow: 'GET' },
    { method: 'DELETE', route: '/api/ai/task/abc/stream', status: 405, rule: 'method', allow: 'GET' },
    { method: 'POST', route: '/images/img_1', status: 405, rule: 'method', allow: 'GET' },
    { method: 'POST', route: '/api/vto', status: 404, rule: 'route', allow: null },
    { method: 'GET', route: '/api/ai/tasks', status: 404, rule: 'route', allow: null },
    { method: 'GET', route: '/api/ai/task/', status: 404, rule: 'route', allow: null },
    { method: 'GET', route: '/', status: 404, rule: 'route', allow: null },
  ])('answers $method $route with $status', async ({ method, route, status, rule, allow }) => {
    const h = await setup();
    const reply = await h.call(method, route);
    expectRefused(h, reply, status, rule, /not (a documented endpoint|an endpoint)/);
    expect(reply.headers.get('allow')).toBe(allow);
  });

  it('answers 404 for a task id that was never created', async () => {
    const h = await setup();
    expectRefused(h, await h.poll('no-such-task'), 404, 'task-unknown', /no task "no-such-task"/);
  });
});

describe('AuraX sandbox: POST /api/ai/vto validation', () => {
  const cases: { name: string; rule: string; reason: RegExp; body: () => unknown }[] = [
    {
      name: 'an unknown product type',
      rule: 'product-type',
      reason: /"SHOES" is not one of/,
      body: () => vtoBody({ productType: 'SHOES' }),
    },
    {
      name: 'a product type in lower case',
      rule: 'product-type',
      reason: /"dress"/,
      body: () => vtoBody({ productType: 'dress' }),
    },
    {
      name: 'no product type',
      rule: 'product-type-required',
      reason: /productType is required/,
      body: () => ({ ...vtoBody(), productType: undefined }),
    },
    {
      name: 'garmentStrength 4',
      rule: 'garment-strength',
      reason: /1, 2 or 3 \(got 4\)/,
      body: () => vtoBody({ garmentStrength: 4 }),
    },
    {
      name: 'garmentStrength 0',
      rule: 'garment-strength',
      reason: /got 0/,
      body: () => vtoBody({ garmentStrength: 0 }),
    },
    {
      name: 'garmentStrength 1.5',
      rule: 'garment-strength',
      reason: /got 1.5/,
      body: () => vtoBody({ garmentStrength: 1.5 }),
    },
    {
      name: 'garmentStrength as a string',
      rule: 'garment-strength',
      reason: /got "2"/,
      body: () => vtoBody({ garmentStrength: '2' }),
    },
    {
      name: 'no garmentStrength',
      rule: 'garment-strength-required',
      reason: /required/,
      body: () => ({ ...vtoBody(), garmentStrength: undefined }),
    },
    {
      name: 'no person image',
      rule: 'personImage-required',
      reason: /personImage is required/,
      body: () => ({ ...vtoBody(), personImage: undefined }),
    },
    {
      name: 'no garment image',
      rule: 'garmentImage-required',
      reason: /garmentImage is required/,
      body: () => ({ ...vtoBody(), garmentImage: undefined }),
    },
    {
      name: 'a person image that is not base64',
      rule: 'base64-invalid',
      reason: /personImage is not valid base64/,
      body: () => vtoBody({ personImage: 'not base64 at all!' }),
    },
    {
      name: 'base64 with a line break in it',
      rule: 'base64-invalid',
      reason: /no whitespace/,
      body: () => vtoBody({ personImage: `${fixtures.person.slice(0, 40)}\n${fixtures.person.slice(40)}` }),
    },
    {
      name: 'a data: URL instead of base64',
      rule: 'base64-data-url',
      reason: /not a data: URL/,
      body: () => vtoBody({ garmentImage: `data:image/png;base64,${fixtures.garment}` }),
    },
    {
      name: 'base64 of text, not an image',
      rule: 'image-format',
      reason: /garmentImage is not a PNG, JPEG or WebP/,
      body: () => vtoBody({ garmentImage: Buffer.from('hello, not an image').toString('base64') }),
    },
    {
      name: 'base64 of a GIF',
      rule: 'image-format',
      reason: /a GIF/,
      body: () => vtoBody({ personImage: fixtures.gif }),
    },
    {
      name: 'a truncated PNG',
      rule: 'image-decode',
      reason: /cannot be decoded/,
      body: () => vtoBody({ personImage: Buffer.from(fixtures.person, 'base64').subarray(0, 60).toString('base64') }),
    },
    {
      name: 'an image as a number',
      rule: 'base64-type',
      reason: /got number/,
      body: () => vtoBody({ personImage: 7 }),
    },
    {
      name: 'an empty image',
      rule: 'base64-empty',
      reason: /must not be empty/,
      body: () => vtoBody({ personImage: '' }),
    },
    {
      name: 'a mask of another aspect ratio',
      rule: 'mask-aspect',
      reason: /60×60, a different shape from the 80×60/,
      body: () => vtoBody({ maskBase64: fixtures.maskSquare }),
    },
    {
      name: 'a mask that is not an image',
      rule: 'base64-invalid',
      reason: /maskBase64/,
      body: () => vtoBody({ maskBase64: '@@@@' }),
    },
    {
      name: 'an unknown field',
      rule: 'unknown-field',
      reason: /does not take "seed"/,
      body: () => vtoBody({ seed: 4 }),
    },
    {
      name: 'runWithPrompt as a string',
      rule: 'run-with-prompt-type',
      reason: /boolean/,
      body: () => vtoBody({ prompt: 'x', runWithPrompt: 'true' }),
    },
    {
      name: 'a prompt that is not a string',
      rule: 'prompt-type',
      reason: /prompt must be a string/,
      body: () => vtoBody({ prompt: ['x'], runWithPrompt: true }),
    },
    { name: 'a JSON array body', rule: 'body-type', reason: /JSON object/, body: () => [vtoBody()] },
  ];

  it.each(cases)('refuses $name with 400 and charges nothing', async ({ rule, reason, body }) => {
    const h = await setup();
    const reply = await h.vto(body());
    expectRefused(h, reply, 400, rule, reason);
  });

  it('refuses a body that is not application/json, or not JSON', async () => {
    const h = await setup();
    const text = await h.call('POST', '/api/ai/vto', { body: JSON.stringify(vtoBody()), contentType: 'text/plain' });
    expectRefused(h, text, 400, 'content-type', /application\/json \(got text\/plain\)/);
    const broken = await h.call('POST', '/api/ai/vto', { body: '{"personImage":', contentType: 'application/json' });
    expectRefused(h, broken, 400, 'json', /not valid JSON/);
  });

  it('refuses a body over maxBodyBytes with 413', async () => {
    const h = await setup({ maxBodyBytes: 1000 });
    expectRefused(h, await h.vto(vtoBody({ prompt: 'x'.repeat(2000) })), 413, 'body-size', /over 1000 bytes/);
  });

  it('lists every problem of a request in one answer, each recorded on its own', async () => {
    const h = await setup();
    const reply = await h.vto({ productType: 'HAT', garmentStrength: 9, extra: true });
    expect(reply.status).toBe(400);
    expect(h.sandbox.violations.map((v) => v.rule).sort()).toEqual(
      ['garment-strength', 'garmentImage-required', 'personImage-required', 'product-type', 'unknown-field'].sort(),
    );
    expect((reply.json as { error: string }).error).toMatch(/HAT.*9/s);
  });

  it('accepts a clean request without recording anything', async () => {
    const h = await setup();
    const reply = await h.vto(vtoBody({ maskBase64: fixtures.maskLeft, prompt: 'tucked in', runWithPrompt: true }));
    expect(reply.status).toBe(200);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.advisories).toEqual([]);
    expect(h.sandbox.tasks()[0]?.input).toMatchObject({
      productType: 'GARMENT',
      garmentStrength: 2,
      person: { format: 'png', width: 80, height: 60 },
      mask: { width: 80, height: 60 },
      prompt: 'tucked in',
      runWithPrompt: true,
    });
  });

  it('accepts a mask of the same aspect at another size, recording it as a violation', async () => {
    const h = await setup();
    const reply = await h.vto(vtoBody({ maskBase64: fixtures.maskSmall }));
    expect(reply.status).toBe(200);
    expect(h.sandbox.violations).toMatchObject([
      { rule: 'mask-size', reason: expect.stringMatching(/40×30/) as unknown },
    ]);
    expect(h.sandbox.ledger).toHaveLength(1);
  });

  it('accepts runWithPrompt without a prompt, and a prompt without runWithPrompt, as advisories', async () => {
    const h = await setup();
    expect((await h.vto(vtoBody({ runWithPrompt: true }))).status).toBe(200);
    expect((await h.vto(vtoBody({ prompt: 'sleeves rolled' }))).status).toBe(200);
    expect(h.sandbox.advisories.map((a) => a.rule)).toEqual(['run-with-prompt-without-prompt', 'prompt-ignored']);
    expect(h.sandbox.violations).toEqual([]);
  });
});

describe('AuraX sandbox: POST /api/ai/image-generation validation', () => {
  const cases: { name: string; rule: string; reason: RegExp; body: () => unknown }[] = [
    {
      name: 'width 4096',
      rule: 'width-range',
      reason: /1 to 2048 \(got 4096\)/,
      body: () => generationBody({ width: 4096 }),
    },
    { name: 'height 2049', rule: 'height-range', reason: /got 2049/, body: () => generationBody({ height: 2049 }) },
    { name: 'width 0', rule: 'width-range', reason: /got 0/, body: () => generationBody({ width: 0 }) },
    { name: 'width 512.5', rule: 'width-type', reason: /whole number/, body: () => generationBody({ width: 512.5 }) },
    { name: 'width as a string', rule: 'width-type', reason: /"1024"/, body: () => generationBody({ width: '1024' }) },
    { name: 'no prompt', rule: 'prompt-required', reason: /required/, body: () => ({ productType: 'BAG' }) },
    { name: 'an empty prompt', rule: 'prompt-empty', reason: /empty/, body: () => generationBody({ prompt: '   ' }) },
    {
      name: 'a bad product type',
      rule: 'product-type',
      reason: /"HAT"/,
      body: () => generationBody({ productType: 'HAT' }),
    },
    {
      name: 'a shape reference that is not an image',
      rule: 'image-format',
      reason: /maskBase64/,
      body: () => generationBody({ maskBase64: Buffer.from('nope').toString('base64') }),
    },
    {
      name: 'an unknown field',
      rule: 'unknown-field',
      reason: /does not take "steps"/,
      body: () => generationBody({ steps: 30 }),
    },
  ];

  it.each(cases)('refuses $name with 400 and charges nothing', async ({ rule, reason, body }) => {
    const h = await setup();
    expectRefused(h, await h.generate(body()), 400, rule, reason);
  });

  it('accepts 2048×2048, and defaults to 1024×1024', async () => {
    const h = await setup();
    expect((await h.generate(generationBody({ width: 2048, height: 2048 }))).status).toBe(200);
    expect((await h.generate({ prompt: 'x', productType: 'BAG' })).status).toBe(200);
    expect(h.sandbox.tasks().map((t) => [t.input.width, t.input.height])).toEqual([
      [2048, 2048],
      [1024, 1024],
    ]);
  });
});

describe('AuraX sandbox: POST /api/ai/product-description validation', () => {
  const form = (parts: [string, string | Blob, string?][]) => {
    const data = new FormData();
    for (const [name, value, filename] of parts) {
      if (typeof value === 'string') data.append(name, value);
      else data.append(name, value, filename);
    }
    return data;
  };
  const imageBlob = () => new Blob([new Uint8Array(fixtures.personJpeg)], { type: 'image/jpeg' });

  const cases: { name: string; rule: string; reason: RegExp; body: () => FormData }[] = [
    {
      name: 'a file that is not an image',
      rule: 'image-format',
      reason: /image is not a PNG, JPEG or WebP/,
      body: () =>
        form([
          ['image', new Blob(['plain text']), 'notes.txt'],
          ['productType', 'DRESS'],
        ]),
    },
    {
      name: 'the image as a text field',
      rule: 'image-not-file',
      reason: /sent as a file/,
      body: () =>
        form([
          ['image', fixtures.personJpeg.toString('base64')],
          ['productType', 'DRESS'],
        ]),
    },
    { name: 'no image', rule: 'image-required', reason: /required/, body: () => form([['productType', 'DRESS']]) },
    {
      name: 'no product type',
      rule: 'product-type-required',
      reason: /required/,
      body: () => form([['image', imageBlob(), 'a.jpg']]),
    },
    {
      name: 'a bad product type',
      rule: 'product-type',
      reason: /"Dress"/,
      body: () =>
        form([
          ['image', imageBlob(), 'a.jpg'],
          ['productType', 'Dress'],
        ]),
    },
    {
      name: 'an unknown field',
      rule: 'unknown-field',
      reason: /does not take "language"/,
      body: () =>
        form([
          ['image', imageBlob(), 'a.jpg'],
          ['productType', 'DRESS'],
          ['language', 'en'],
        ]),
    },
    {
      name: 'two images',
      rule: 'duplicate-field',
      reason: /image was sent more than once/,
      body: () =>
        form([
          ['image', imageBlob(), 'a.jpg'],
          ['image', imageBlob(), 'b.jpg'],
          ['productType', 'DRESS'],
        ]),
    },
  ];

  it.each(cases)('refuses $name with 400 and charges nothing', async ({ rule, reason, body }) => {
    const h = await setup();
    const reply = await h.call('POST', '/api/ai/product-description', { body: body() });
    expectRefused(h, reply, 400, rule, reason);
  });

  it('refuses JSON: the doc uploads a file', async () => {
    const h = await setup();
    const reply = await h.call('POST', '/api/ai/product-description', {
      json: { image: fixtures.personJpeg.toString('base64'), productType: 'DRESS' },
    });
    expectRefused(h, reply, 400, 'content-type', /multipart\/form-data/);
  });

  it('answers the description as text, synchronously, saying what the image shows', async () => {
    const h = await setup();
    const reply = await h.describeImage(fixtures.personJpeg, 'DRESS');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.text).toMatch(/^A dress in #[0-9a-f]{6}, photographed in a landscape 64×48 frame\.$/);
    expect(h.sandbox.tasks()).toEqual([]);
    expect(h.sandbox.requests.at(-1)?.body).toEqual([
      { name: 'image', filename: 'photo.jpg', contentType: 'image/jpeg', bytes: fixtures.personJpeg.length },
      { name: 'productType', filename: null, contentType: null, bytes: 5 },
    ]);
  });
});

describe('AuraX sandbox: credits and the ledger', () => {
  it('charges 3, 1 and 0.25 credits exactly, each a ledger line; three descriptions cost exactly 0.75', async () => {
    const h = await setup();
    const task = await h.createTask();
    expect((await h.generate(generationBody())).status).toBe(200);
    for (let index = 0; index < 3; index += 1) expect((await h.describeImage(fixtures.personJpeg)).status).toBe(200);
    const generationId = h.sandbox.tasks()[1]?.id;
    expect(h.sandbox.ledger).toMatchObject([
      { endpoint: 'vto', taskId: task, credits: 3, quarters: 12, balanceBefore: 100, balanceAfter: 97 },
      { endpoint: 'image-generation', taskId: generationId, credits: 1, balanceBefore: 97, balanceAfter: 96 },
      { endpoint: 'product-description', taskId: null, credits: 0.25, balanceAfter: 95.75 },
      { endpoint: 'product-description', taskId: null, credits: 0.25, balanceAfter: 95.5 },
      { endpoint: 'product-description', taskId: null, credits: 0.25, balanceAfter: 95.25 },
    ]);
    const descriptions = h.sandbox.ledger.filter((line) => line.endpoint === 'product-description');
    expect(descriptions.reduce((sum, line) => sum + line.credits, 0)).toBe(0.75);
    expect(h.sandbox.balance).toBe(95.25);
    expect(h.sandbox.balanceQuarters).toBe(381);
    expect(h.sandbox.ledger.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('spends a balance of 0.75 to exactly 0 in three descriptions', async () => {
    const h = await setup();
    h.sandbox.setBalance(0.75);
    for (let index = 0; index < 3; index += 1) await h.describeImage(fixtures.personJpeg);
    expect(h.sandbox.balance).toBe(0);
    expect(h.sandbox.balanceQuarters).toBe(0);
  });

  it('refuses short of the price with the out-of-credits answer: no task, no charge, no violation', async () => {
    const h = await setup({ credits: 2.75 });
    const vto = await h.vto(vtoBody());
    expect(vto.status).toBe(402);
    expect(vto.json).toEqual({ error: 'Insufficient credits' });
    expect(h.sandbox.tasks()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect((await h.generate(generationBody())).status).toBe(200);
    for (let index = 0; index < 7; index += 1) expect((await h.describeImage(fixtures.personJpeg)).status).toBe(200);
    expect(h.sandbox.balance).toBe(0);
    const last = await h.describeImage(fixtures.personJpeg);
    expect(last.status).toBe(402);
    expect(h.sandbox.ledger).toHaveLength(8);
    expect(h.sandbox.counters.noCredits).toBe(2);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('validates before it checks the balance', async () => {
    const h = await setup({ credits: 0 });
    const reply = await h.vto(vtoBody({ garmentStrength: 4 }));
    expect(reply.status).toBe(400);
    expect(h.sandbox.counters.noCredits).toBe(0);
  });

  it('refuses a balance that is not whole quarters', async () => {
    await expect(startAuraxSandbox({ credits: 0.1 })).rejects.toThrow(/multiple of 0.25/);
    const h = await setup();
    expect(() => h.sandbox.setBalance(1.3)).toThrow(/multiple of 0.25/);
  });
});

describe('AuraX sandbox: tasks', () => {
  it('moves a task pending → processing → completed in real time, divided by speed', async () => {
    const h = await setup({ speed: 50 }, false); // pending 20 ms, done 400 ms after creation
    const id = await h.createTask();
    const seen: string[] = [];
    const imageId = h.sandbox.task(id)?.imageIds[0] ?? '';
    const early = await h.call('GET', `/images/${imageId}`);
    expect(early.status).toBe(404);
    expect(h.sandbox.violations.at(-1)).toMatchObject({ rule: 'image-unknown', reason: /not ready/ });
    await waitFor(async () => {
      const status = ((await h.poll(id)).json as { status: string }).status;
      if (seen.at(-1) !== status) seen.push(status);
      return status === 'completed';
    });
    expect(seen).toEqual(['pending', 'processing', 'completed']);
    const polled = (await h.poll(id)).json;
    expect(polled).toEqual({ taskId: id, status: 'completed', images: [imageId] });
    const image = await h.call('GET', `/images/${imageId}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.bytes.equals(h.sandbox.image(imageId) ?? Buffer.alloc(0))).toBe(true);
    expect(h.sandbox.counters.polls).toBeGreaterThanOrEqual(3);
  });

  it('moves tasks with the clock even when nobody asks', async () => {
    const h = await setup();
    const id = await h.createTask();
    expect(h.sandbox.task(id)?.status).toBe('pending');
    h.clock.advance(1_000);
    await waitFor(() => h.sandbox.task(id)?.status === 'processing');
    h.clock.advance(20_000);
    await waitFor(() => h.sandbox.task(id)?.status === 'completed');
    expect(h.sandbox.counters.polls).toBe(0);
  });

  it('renders a try-on without a mask: the central rectangle in the garment colour, the rest kept', async () => {
    const h = await setup();
    const id = await h.createTask();
    await h.finish();
    const png = h.sandbox.image(h.sandbox.task(id)?.imageIds[0] ?? '') ?? Buffer.alloc(0);
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 80, height: 60 });
    expect(await pixel(png, 40, 30)).toEqual(RED);
    expect(await pixel(png, 2, 2)).toEqual(GREY);
    expect(await pixel(png, 19, 30)).toEqual(GREY);
    expect(await pixel(png, 20, 30)).toEqual(RED);
    expect(h.sandbox.task(id)?.output).toMatchObject({ width: 80, height: 60 });
  });

  it('renders a generation at exactly width×height, the same for the same request', async () => {
    const h = await setup();
    await h.generate(generationBody({ width: 300, height: 200 }));
    await h.generate(generationBody({ width: 300, height: 200 }));
    await h.generate({ prompt: 'x', productType: 'BAG', maskBase64: fixtures.garment });
    await h.finish();
    const [first, second, third] = h.sandbox
      .tasks()
      .map((t) => h.sandbox.image(t.imageIds[0] ?? '') ?? Buffer.alloc(0));
    expect(await sharp(first).metadata()).toMatchObject({ format: 'png', width: 300, height: 200 });
    expect(first?.equals(second ?? Buffer.alloc(0))).toBe(true);
    expect(await sharp(third).metadata()).toMatchObject({ width: 1024, height: 1024 });
    expect(await pixel(third ?? Buffer.alloc(0), 512, 512)).toEqual(RED); // the shape reference, centred
  });
});

describe('AuraX sandbox: the SSE stream', () => {
  it('sends the current status at once, then each change, and ends after completed', async () => {
    const h = await setup();
    const id = await h.createTask();
    const stream = await openStream(h, id);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await waitFor(() => stream.frames.length === 1);
    expect(statusOf(stream.frames[0])).toBe('pending');
    h.clock.advance(1_000);
    await waitFor(() => stream.frames.length === 2);
    expect(statusOf(stream.frames[1])).toBe('processing');
    h.clock.advance(20_000);
    expect(await stream.ended).toBe('end');
    expect(stream.frames.map(statusOf)).toEqual(['pending', 'processing', 'completed']);
    expect(JSON.parse(stream.frames[2]?.data ?? '')).toEqual({
      taskId: id,
      status: 'completed',
      images: h.sandbox.task(id)?.imageIds,
    });
    expect(stream.frames.every((frame) => frame.event === null)).toBe(true);
    expect(h.sandbox.counters.streamsOpened).toBe(1);
    await waitFor(() => h.sandbox.counters.streamsOpen === 0);
    expect(h.sandbox.requests.at(-1)?.outcome).toBe('streamed');
  });

  it('ends at once on a task already finished, and after failed', async () => {
    const h = await setup();
    const done = await h.createTask();
    h.sandbox.setFaults({ kind: 'task-fail' });
    const failed = await h.createTask();
    await h.finish();
    const first = await openStream(h, done);
    expect(await first.ended).toBe('end');
    expect(first.frames.map(statusOf)).toEqual(['completed']);
    const second = await openStream(h, failed);
    expect(await second.ended).toBe('end');
    expect(second.frames.map(statusOf)).toEqual(['failed']);
    expect(h.sandbox.counters.streamsOpened).toBe(2);
  });

  it('answers an unknown task with a plain 404, not a stream', async () => {
    const h = await setup();
    const reply = await h.call('GET', '/api/ai/task/nope/stream');
    expectRefused(h, reply, 404, 'task-unknown', /no task "nope"/);
    expect(h.sandbox.counters.streamsOpened).toBe(0);
  });

  it('sends keep-alive comments when asked to', async () => {
    const h = await setup({ keepAliveMs: 10 });
    const stream = await openStream(h, await h.createTask());
    await waitFor(() => stream.frames.some((frame) => frame.comment === 'keep-alive'));
    expect(stream.frames.filter((frame) => frame.comment === null).map(statusOf)).toEqual(['pending']);
    stream.abort();
    await waitFor(() => h.sandbox.counters.streamsOpen === 0);
  });

  it('serves several streams of one task at once', async () => {
    const h = await setup();
    const id = await h.createTask();
    const streams = await Promise.all([openStream(h, id), openStream(h, id)]);
    await waitFor(() => h.sandbox.counters.streamsOpen === 2);
    await h.finish();
    for (const stream of streams) expect(await stream.ended).toBe('end');
    expect(h.sandbox.task(id)?.streams).toBe(2);
  });
});

describe('AuraX sandbox: faults', () => {
  it('answers 5xx to the next N requests to a route, before doing anything', async () => {
    const h = await setup();
    h.sandbox.setFaults({ kind: 'status', status: 503, count: 2, route: 'vto' });
    const first = await h.vto(vtoBody());
    expect(first.status).toBe(503);
    expect(first.json).toEqual({ error: 'Injected server error' });
    expect((await h.generate(generationBody())).status).toBe(200); // another route: untouched
    expect((await h.vto(vtoBody())).status).toBe(503);
    expect((await h.vto(vtoBody())).status).toBe(200);
    expect(h.sandbox.ledger.map((line) => line.endpoint)).toEqual(['image-generation', 'vto']);
    expect(h.sandbox.requests.map((r) => r.fault)).toEqual(['status', null, 'status', null]);
    expect(h.sandbox.counters.faulted).toBe(2);
  });

  it('answers 500 by default, on any route, polls included', async () => {
    const h = await setup({ faults: [{ kind: 'status' }] });
    expect((await h.poll('whatever')).status).toBe(500);
    expect((await h.poll('whatever')).status).toBe(404);
  });

  it('resets the connection before processing: no task, no charge', async () => {
    const h = await setup();
    h.sandbox.setFaults({ kind: 'reset-before', route: 'vto' });
    expect(await failure(h.vto(vtoBody()))).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(h.sandbox.tasks()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.requests.at(-1)).toMatchObject({ outcome: 'reset', status: null, fault: 'reset-before' });
  });

  it('resets the connection after processing: the task exists and is charged, the answer is lost', async () => {
    const h = await setup();
    h.sandbox.setFaults({ kind: 'reset-after', route: ['vto', 'product-description'] });
    expect(await failure(h.vto(vtoBody()))).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(h.sandbox.tasks()).toHaveLength(1);
    expect(h.sandbox.ledger).toMatchObject([{ endpoint: 'vto', taskId: h.sandbox.tasks()[0]?.id, credits: 3 }]);
    h.sandbox.setFaults({ kind: 'reset-after', route: 'product-description' });
    await failure(h.describeImage(fixtures.personJpeg));
    expect(h.sandbox.balance).toBe(96.75);
    expect(h.sandbox.requests.map((r) => r.outcome)).toEqual(['reset', 'reset']);
  });

  it('delays the answer after processing: the task exists before the answer arrives', async () => {
    const h = await setup();
    h.sandbox.setFaults({ kind: 'delay', ms: 300, route: 'vto' });
    const started = Date.now();
    let answered = false;
    const reply = h.vto(vtoBody()).finally(() => {
      answered = true;
    });
    await waitFor(() => h.sandbox.tasks().length === 1);
    expect(answered).toBe(false);
    expect((await reply).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('delays before processing: the request has arrived, no task yet', async () => {
    const h = await setup();
    h.sandbox.setFaults({ kind: 'delay', ms: 300, when: 'before' });
    const started = Date.now();
    const reply = h.vto(vtoBody());
    await waitFor(() => h.sandbox.requests.length === 1 && h.sandbox.requests[0]?.fault === 'delay');
    expect(h.sandbox.tasks()).toEqual([]);
    expect((await reply).status).toBe(200);
    expect(h.sandbox.tasks()).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('hangs: reads the request and never answers', async () => {
    const h = await setup({ faults: [{ kind: 'hang', route: 'task' }] });
    const controller = new AbortController();
    const reply = h.call('GET', '/api/ai/task/x', { signal: controller.signal });
    await waitFor(() => h.sandbox.requests[0]?.outcome === 'hung');
    controller.abort();
    expect(await failure(reply)).toBe('AbortError');
  });

  it('drops a stream after its first event', async () => {
    const h = await setup();
    const id = await h.createTask();
    h.sandbox.setFaults({ kind: 'stream-drop' });
    const dropped = await openStream(h, id);
    expect(await dropped.ended).toBe('error');
    expect(dropped.frames.map(statusOf)).toEqual(['pending']);
    expect(h.sandbox.requests.at(-1)).toMatchObject({ outcome: 'dropped', fault: 'stream-drop' });
    const next = await openStream(h, id); // the fault was used up
    await h.finish();
    expect(await next.ended).toBe('end');
    expect(h.sandbox.counters.streamsOpened).toBe(2);
  });

  it('stalls a stream: the first event, then nothing while the task finishes, and the stream stays open', async () => {
    const h = await setup();
    const id = await h.createTask();
    h.sandbox.setFaults({ kind: 'stream-stall' });
    const stalled = await openStream(h, id);
    const healthy = await openStream(h, id);
    await waitFor(() => stalled.frames.length === 1 && healthy.frames.length === 1);
    await h.finish();
    expect(await healthy.ended).toBe('end');
    expect(healthy.frames.map(statusOf)).toEqual(['pending', 'processing', 'completed']);
    // Both streams were told in the same turn; only the healthy one wrote anything.
    expect(stalled.frames.map(statusOf)).toEqual(['pending']);
    expect(stalled.finished).toBe(false);
    expect(h.sandbox.counters.streamsOpen).toBe(1);
    stalled.abort();
    expect(await stalled.ended).toBe('error');
    await waitFor(() => h.sandbox.counters.streamsOpen === 0);
  });

  it('fails the next task, with its reason kept', async () => {
    const h = await setup({ forms: { failure: 'error' } });
    h.sandbox.setFaults({ kind: 'task-fail', reason: 'Garment could not be fitted' });
    const failed = await h.createTask();
    const fine = await h.createTask();
    await h.finish();
    expect((await h.poll(failed)).json).toEqual({
      taskId: failed,
      status: 'failed',
      images: [],
      error: 'Garment could not be fitted',
    });
    expect(h.sandbox.task(fine)?.status).toBe('completed');
    expect(h.sandbox.ledger).toHaveLength(2); // no refund
    const imageId = h.sandbox.task(failed)?.imageIds[0] ?? '';
    expect((await h.call('GET', `/images/${imageId}`)).status).toBe(404);
  });

  it('clears armed faults', async () => {
    const h = await setup({ faults: [{ kind: 'status', count: 5 }] });
    h.sandbox.clearFaults();
    expect((await h.vto(vtoBody())).status).toBe(200);
  });
});

describe('AuraX sandbox: forms (docs/providers/aurax.md)', () => {
  const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown;
  const hat = expect.stringMatching(/"HAT"/) as unknown;

  it.each<[AuraxForms['created'], unknown]>([
    ['taskId', { taskId: uuid }],
    ['id', { id: uuid }],
    ['data.taskId', { data: { taskId: uuid } }],
    ['success.data.id', { success: true, data: { id: uuid } }],
  ])('created %s', async (created, shape) => {
    const h = await setup({ forms: { created } });
    const reply = await h.vto(vtoBody());
    expect(reply.json).toEqual(shape);
    expect(JSON.stringify(reply.json)).toContain(h.sandbox.tasks()[0]?.id);
  });

  it.each<[AuraxForms['task'], (task: unknown) => unknown]>([
    ['flat', (task) => task],
    ['data', (task) => ({ data: task })],
    ['task', (task) => ({ task })],
  ])('task %s', async (task, wrap) => {
    const h = await setup({ forms: { task } });
    const id = await h.createTask();
    expect((await h.poll(id)).json).toEqual(wrap({ taskId: id, status: 'pending', images: [] }));
  });

  it.each<[AuraxForms['statusWords'], string[]]>([
    ['lower', ['pending', 'processing', 'completed', 'failed']],
    ['upper', ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']],
    ['queued-running', ['QUEUED', 'RUNNING', 'SUCCEEDED', 'ERROR']],
    ['in_progress-done', ['in_progress', 'in_progress', 'done', 'error']],
  ])('statusWords %s', async (statusWords, words) => {
    const h = await setup({ forms: { statusWords } });
    const id = await h.createTask();
    h.sandbox.setFaults({ kind: 'task-fail' });
    const failing = await h.createTask();
    const word = async (task: string) => ((await h.poll(task)).json as { status: string }).status;
    const seen = [await word(id)];
    h.clock.advance(1_000);
    seen.push(await word(id));
    await h.finish();
    seen.push(await word(id), await word(failing));
    expect(seen).toEqual(words);
  });

  it.each<[AuraxForms['images'], (id: string, origin: string) => Record<string, unknown>]>([
    ['ids', (id) => ({ images: [id] })],
    ['objects', (id) => ({ images: [{ id }] })],
    ['urls', (id, origin) => ({ images: [{ url: `${origin}/images/${id}` }] })],
    ['resultImageId', (id) => ({ resultImageId: id })],
  ])('images %s', async (images, fields) => {
    const h = await setup({ forms: { images } });
    const id = await h.createTask();
    const before = (await h.poll(id)).json as Record<string, unknown>;
    expect(before).toEqual({ taskId: id, status: 'pending', ...(images === 'resultImageId' ? {} : { images: [] }) });
    await h.finish();
    const imageId = h.sandbox.task(id)?.imageIds[0] ?? '';
    const after = (await h.poll(id)).json;
    expect(after).toEqual({ taskId: id, status: 'completed', ...fields(imageId, h.sandbox.baseUrl) });
    // Whatever the reference, it leads to the image (a URL is fetched as is, with both headers).
    const url = images === 'urls' ? `${h.sandbox.baseUrl}/images/${imageId}` : null;
    const fetched = url
      ? await fetch(url, { headers: authHeaders() }).then(async (r) => Buffer.from(await r.arrayBuffer()))
      : (await h.call('GET', `/images/${imageId}`)).bytes;
    expect(fetched.equals(h.sandbox.image(imageId) ?? Buffer.alloc(1))).toBe(true);
  });

  it.each<[AuraxForms['imageBody'], (reply: Reply) => Buffer]>([
    [
      'bytes',
      (reply) => {
        expect(reply.headers.get('content-type')).toBe('image/png');
        return reply.bytes;
      },
    ],
    ['base64', (reply) => Buffer.from((reply.json as { base64: string }).base64, 'base64')],
    [
      'dataUrl',
      (reply) => {
        const data = (reply.json as { data: string }).data;
        expect(data).toMatch(/^data:image\/png;base64,/);
        return Buffer.from(data.slice(data.indexOf(',') + 1), 'base64');
      },
    ],
  ])('imageBody %s', async (imageBody, read) => {
    const h = await setup({ forms: { imageBody } });
    const id = await h.createTask();
    await h.finish();
    const imageId = h.sandbox.task(id)?.imageIds[0] ?? '';
    const reply = await h.call('GET', `/images/${imageId}`);
    expect(reply.status).toBe(200);
    if (imageBody !== 'bytes') expect(Object.keys(reply.json as object)).toHaveLength(1);
    expect(read(reply).equals(h.sandbox.image(imageId) ?? Buffer.alloc(1))).toBe(true);
  });

  it.each<[AuraxForms['errors'], (reply: Reply) => void]>([
    ['error', (reply) => expect(reply.json).toEqual({ error: hat })],
    ['message', (reply) => expect(reply.json).toEqual({ message: hat, code: 'BAD_REQUEST' })],
    ['errors', (reply) => expect(reply.json).toEqual({ errors: [{ message: hat }] })],
    [
      'text',
      (reply) => {
        expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(reply.text).toMatch(/^productType "HAT" is not one of/);
      },
    ],
  ])('errors %s', async (errors, check) => {
    const h = await setup({ forms: { errors } });
    const reply = await h.vto(vtoBody({ productType: 'HAT' }));
    expect(reply.status).toBe(400);
    check(reply);
    // Every error takes the same form, a 401 as well as a 400.
    const unauthorized = await h.call('GET', '/api/ai/task/x', { key: null });
    expect(unauthorized.status).toBe(401);
    if (errors === 'text') expect(unauthorized.text).toMatch(/^Unauthorized/);
    else expect(Object.keys(unauthorized.json as object)).toEqual(Object.keys(reply.json as object));
  });

  it.each<[AuraxForms['noCredits'], number, unknown]>([
    ['402', 402, { error: 'Insufficient credits' }],
    ['403', 403, { error: 'Insufficient credits' }],
    ['400', 400, { code: 'INSUFFICIENT_CREDITS' }],
  ])('noCredits %s', async (noCredits, status, body) => {
    const h = await setup({ forms: { noCredits }, credits: 0.75 });
    for (const reply of [await h.vto(vtoBody()), await h.generate(generationBody())]) {
      expect(reply.status).toBe(status);
      expect(reply.json).toEqual(body);
    }
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each<[AuraxForms['charge'], (credits: number, remaining: number) => Record<string, unknown>]>([
    ['none', () => ({})],
    ['creditsUsed', (credits) => ({ creditsUsed: credits })],
    ['credits', (used, remaining) => ({ credits: { used, remaining } })],
  ])('charge %s', async (charge, fields) => {
    const h = await setup({ forms: { charge, description: 'description' } });
    const created = await h.vto(vtoBody());
    const id = h.sandbox.tasks()[0]?.id ?? '';
    expect(created.json).toEqual({ taskId: id, ...fields(3, 97) });
    await h.generate(generationBody());
    expect((await h.poll(id)).json).toEqual({ taskId: id, status: 'pending', images: [], ...fields(3, 97) });
    const description = await h.describeImage(fixtures.personJpeg);
    expect(description.json).toEqual({ description: expect.any(String) as unknown, ...fields(0.25, 95.75) });
  });

  it.each<[AuraxForms['description'], (reply: Reply) => string]>([
    [
      'text',
      (reply) => {
        expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
        return reply.text;
      },
    ],
    ['description', (reply) => (reply.json as { description: string }).description],
    ['data.description', (reply) => (reply.json as { data: { description: string } }).data.description],
    ['textField', (reply) => (reply.json as { text: string }).text],
  ])('description %s', async (description, read) => {
    const h = await setup({ forms: { description } });
    const reply = await h.describeImage(fixtures.personJpeg, 'BAG');
    expect(reply.status).toBe(200);
    expect(read(reply)).toMatch(/^A bag in #[0-9a-f]{6}, photographed in a landscape 64×48 frame\.$/);
    if (description !== 'text') expect(Object.keys(reply.json as object)).toHaveLength(1);
  });

  it.each<[AuraxForms['events'], (frames: Frame[], task: Record<string, unknown>) => void]>([
    [
      'data',
      (frames, task) => {
        expect(frames.map((f) => f.event)).toEqual([null, null, null]);
        expect(frames.map(statusOf)).toEqual(['pending', 'processing', 'completed']);
        expect(JSON.parse(frames[2]?.data ?? '')).toEqual(task);
      },
    ],
    [
      'event-status',
      (frames, task) => {
        expect(frames.map((f) => f.event)).toEqual(['status', 'status', 'status']);
        expect(frames.map(statusOf)).toEqual(['pending', 'processing', 'completed']);
        expect(JSON.parse(frames[2]?.data ?? '')).toEqual(task);
      },
    ],
    [
      'word-then-done',
      (frames, task) => {
        expect(frames.map((f) => [f.event, f.event === 'done' ? 'json' : f.data])).toEqual([
          [null, 'pending'],
          [null, 'processing'],
          [null, 'completed'],
          ['done', 'json'],
        ]);
        expect(JSON.parse(frames[3]?.data ?? '')).toEqual(task);
      },
    ],
  ])('events %s', async (events, check) => {
    const h = await setup({ forms: { events } });
    const id = await h.createTask();
    const stream = await openStream(h, id);
    await waitFor(() => stream.frames.length === 1);
    h.clock.advance(1_000);
    await waitFor(() => stream.frames.length === 2);
    await h.finish();
    expect(await stream.ended).toBe('end');
    check(stream.frames, { taskId: id, status: 'completed', images: h.sandbox.task(id)?.imageIds });
  });

  it.each<[AuraxForms['failure'], Record<string, unknown>]>([
    ['none', {}],
    ['error', { error: 'Task failed: the model could not produce an image' }],
    ['reason', { reason: 'Task failed: the model could not produce an image' }],
  ])('failure %s', async (failure, fields) => {
    const h = await setup({ forms: { failure }, faults: [{ kind: 'task-fail' }] });
    const id = await h.createTask();
    await h.finish();
    const expected = { taskId: id, status: 'failed', images: [], ...fields };
    expect((await h.poll(id)).json).toEqual(expected);
    const stream = await openStream(h, id);
    await stream.ended;
    expect(JSON.parse(stream.frames[0]?.data ?? '')).toEqual(expected);
  });

  it.each<[AuraxForms['maskPolarity'], 'left' | 'right']>([
    ['white', 'left'],
    ['black', 'right'],
  ])('maskPolarity %s recolours the %s half (the mask is white on the left)', async (maskPolarity, side) => {
    const h = await setup({ forms: { maskPolarity } });
    const id = await h.createTask(vtoBody({ maskBase64: fixtures.maskLeft }));
    await h.finish();
    const png = h.sandbox.image(h.sandbox.task(id)?.imageIds[0] ?? '') ?? Buffer.alloc(0);
    const left = await pixel(png, 10, 30);
    const right = await pixel(png, 70, 30);
    expect(side === 'left' ? [left, right] : [right, left]).toEqual([RED, GREY]);
  });

  it('changes forms from the next answer on, and refuses unknown names and values', async () => {
    const h = await setup();
    const first = await h.vto(vtoBody());
    h.sandbox.setForms({ created: 'id', errors: 'text' });
    const second = await h.vto(vtoBody());
    expect(Object.keys(first.json as object)).toEqual(['taskId']);
    expect(Object.keys(second.json as object)).toEqual(['id']);
    expect(h.sandbox.forms).toMatchObject({ created: 'id', errors: 'text', task: 'flat' });
    expect(() => h.sandbox.setForms({ created: 'ID' as AuraxForms['created'] })).toThrow(
      /forms.created must be one of/,
    );
    expect(() => h.sandbox.setForms({ envelope: 'bare' } as Partial<AuraxForms>)).toThrow(/unknown answer form/);
    await expect(startAuraxSandbox({ forms: { events: 'ndjson' as AuraxForms['events'] } })).rejects.toThrow(
      /forms.events/,
    );
  });
});

describe('AuraX sandbox: on its own', () => {
  it('starts from the command line and prints its base URL, key and key id', async () => {
    const script = path.resolve(import.meta.dirname, '..', 'sandbox', 'aurax', 'main.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, '--port', '0', '--key', 'cli-key-1234', '--key-id', 'cli-id'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('AURAX_KEY_ID=')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const base = /AURAX_BASE_URL=(\S+)/.exec(output)?.[1];
      expect(output).toContain('AURAX_API_KEY=cli-key-1234\nAURAX_KEY_ID=cli-id');
      const known = await fetch(`${base}/api/ai/task/nope`, {
        headers: { 'x-api-key': 'cli-key-1234', 'x-key-id': 'cli-id' },
      });
      expect(known.status).toBe(404); // a known pair, an unknown task
      const wrong = await fetch(`${base}/api/ai/task/nope`, { headers: { 'x-api-key': 'cli-key-1234' } });
      expect(wrong.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
