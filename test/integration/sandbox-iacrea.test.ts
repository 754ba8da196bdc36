import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFileHost, startWebhookReceiver, type FileHost, type WebhookReceiver } from '../sandbox/iacrea/hosts';
import {
  DEFAULT_API_KEY,
  DEFAULT_USER_ID,
  FORM_CHOICES,
  NO_PHOTOS_MESSAGE,
  paintColour,
  startIacreaSandbox,
  type IacreaForms,
  type IacreaSandbox,
  type IacreaSandboxOptions,
  type Rgb,
  type RoomType,
} from '../sandbox/iacrea/server';
import { corpusPath } from '../support/corpus';

/**
 * The iacrea sandbox against its doc (shared/api-docs/iacrea-exterior.txt): the happy path through
 * generate, get and variations with real photos fetched over HTTP, photos charged and refunded,
 * webhooks, every validation rule refusing a wrong request and recording why, every fault, and every
 * reading of every silent point. All traffic is real HTTP on loopback.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OTHER_KEY = 'iacrea-sandbox-other-key';
const OTHER_USER = '9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e';
/** The main photo's upright size. */
const W = 640;
const H = 480;

let host: FileHost;
const raw = { photo: Buffer.alloc(0), rotated: Buffer.alloc(0), maskLeft: Buffer.alloc(0) };

type Region = (x: number, y: number, width: number, height: number) => boolean;
const LEFT: Region = (x, _y, width) => x < width / 2;
const RIGHT: Region = (x, _y, width) => x >= width / 2;
const TOP: Region = (_x, y, _width, height) => y < height / 2;
const NOWHERE: Region = () => false;

/** A one-channel mask, 255 where `region` is, as PNG (or JPEG). */
async function maskImage(width: number, height: number, region: Region, format: 'png' | 'jpeg' | 'webp' = 'png') {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) pixels[y * width + x] = region(x, y, width, height) ? 255 : 0;
  }
  const image = sharp(pixels, { raw: { width, height, channels: 1 } });
  const encoded = format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 100 }) : image.webp();
  return { bytes: await encoded.toBuffer(), pixels };
}

/** Black everywhere, opaque only on the right half: the area in the alpha reading, none in the white one. */
async function alphaRightMask(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) pixels[(y * width + x) * 4 + 3] = RIGHT(x, y, width, height) ? 255 : 0;
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  host = await startFileHost();
  raw.photo = fs.readFileSync(corpusPath('photos/canon-s400_odd-exif-offsets.jpg'));
  host.put('photo.jpg', raw.photo, 'image/jpeg');
  host.put('photo-flopped.jpg', await sharp(raw.photo).flop().jpeg().toBuffer(), 'image/jpeg');
  host.putFile('portrait.jpg', corpusPath('photos/grace_hopper.jpg'), 'image/jpeg');
  raw.rotated = fs.readFileSync(corpusPath('photos/panasonic-gf1_orient6.jpg'));
  host.put('rotated.jpg', raw.rotated, 'image/jpeg');
  const left = await maskImage(W, H, LEFT);
  raw.maskLeft = left.pixels;
  host.put('mask-left.png', left.bytes, 'image/png');
  host.put('mask-top.png', (await maskImage(W, H, TOP)).bytes, 'image/png');
  host.put('mask-left.jpg', (await maskImage(W, H, LEFT, 'jpeg')).bytes, 'image/jpeg');
  host.put('mask-left.webp', (await maskImage(W, H, LEFT, 'webp')).bytes, 'image/webp');
  host.put('mask-left-small.png', (await maskImage(W / 2, H / 2, LEFT)).bytes, 'image/png');
  host.put('mask-square.png', (await maskImage(300, 300, LEFT)).bytes, 'image/png');
  host.put('mask-empty.png', (await maskImage(W, H, NOWHERE)).bytes, 'image/png');
  host.put('mask-full.png', (await maskImage(W, H, () => true)).bytes, 'image/png');
  host.putFile('thumb.jpg', corpusPath('photos/iphone4s_thumb_gps.jpg'), 'image/jpeg');
  host.put('mask-thumb.png', (await maskImage(180, 135, LEFT)).bytes, 'image/png');
  host.put('mask-alpha-right.png', await alphaRightMask(W, H), 'image/png');
  host.put('mask-rotated.png', (await maskImage(428, 640, LEFT)).bytes, 'image/png');
  host.put('page.html', Buffer.from('<!doctype html><title>Sign in</title>'), 'text/html');
  host.put('anim.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif');
  host.put('truncated.jpg', raw.photo.subarray(0, 3000), 'image/jpeg');
});
afterAll(async () => {
  await host.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  json: unknown;
}

interface CallOptions {
  /** `null` leaves the header out; default DEFAULT_API_KEY. */
  key?: string | null;
  json?: unknown;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

type ApiRoute = 'generate' | 'generate-variation' | 'get';

const generateBody = (extra: Record<string, unknown> = {}, omit: readonly string[] = []) => {
  const body: Record<string, unknown> = {
    user_id: DEFAULT_USER_ID,
    image_url: host.link('photo.jpg'),
    mask_url: host.link('mask-left.png'),
    room_type: 'TERRACE',
    width: W,
    height: H,
    ...extra,
  };
  for (const name of omit) delete body[name];
  return body;
};

async function fetchReply(url: string, init: RequestInit): Promise<Reply> {
  const response = await fetch(url, init);
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: kept as text so an assertion shows what came back.
  }
  return { status: response.status, headers: response.headers, bytes, text, json };
}

const field = (value: unknown, name: string): unknown => (value as Record<string, unknown>)[name];
const text = (value: unknown, name: string): string => String(field(value, name));

/** With `manual` (default) the sandbox runs on a clock the test moves; else on real time. */
async function setup(options: IacreaSandboxOptions = {}, manual = true) {
  let time = Date.UTC(2025, 5, 1, 12);
  const clock = {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
  const sandbox = await startIacreaSandbox({
    speed: 50,
    keys: [
      { apiKey: DEFAULT_API_KEY, userId: DEFAULT_USER_ID },
      { apiKey: OTHER_KEY, userId: OTHER_USER },
    ],
    ...(manual ? { now: clock.now } : {}),
    ...options,
  });
  cleanups.push(() => sandbox.close());
  const call = (method: string, path: string, options: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? DEFAULT_API_KEY : options.key;
    if (key !== null) headers['x-api-key'] = key;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    return fetchReply(`${sandbox.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
  const post = (route: ApiRoute, json: unknown, options: CallOptions = {}) =>
    call('POST', `/api/create_exterior/${route}`, { json, ...options });
  const generate = (extra: Record<string, unknown> = {}, options: CallOptions = {}) =>
    post('generate', generateBody(extra), options);
  const variation = (extra: Record<string, unknown>, options: CallOptions = {}) =>
    post(
      'generate-variation',
      { user_id: DEFAULT_USER_ID, original_url: host.link('photo.jpg'), room_type: 'POOL', ...extra },
      options,
    );
  const get = (id: string, options: CallOptions = {}) =>
    post('get', { user_id: DEFAULT_USER_ID, generation_id: id }, options);
  /** Moves the clock past every generation's end and waits for them and their webhooks. */
  const finish = async () => {
    clock.advance(60_000);
    await sandbox.settle();
  };
  /** Sends, expects 200, finishes everything, and reads the generation back. */
  const completed = async (send: () => Promise<Reply>) => {
    const reply = await send();
    expect(reply.status, reply.text).toBe(200);
    const id = text(reply.json, 'generation_id');
    await finish();
    const got = await get(id);
    return { id, reply, got: got.json, urls: (field(got.json, 'urls') as string[] | undefined) ?? [] };
  };
  return { sandbox, clock, call, post, generate, variation, get, finish, completed };
}

type Harness = Awaited<ReturnType<typeof setup>>;

async function download(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return fetchReply(url, { headers });
}

/** Decoded RGB pixels of a JPEG. */
async function pixelsOf(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * The share of pixels that are what the output should hold: `colour` inside `region`, the photo
 * (upright, stretched to the output's size) outside it, each channel within 16 levels. 1 means the
 * painted area is exactly the region.
 */
async function agreement(jpeg: Buffer, colour: Rgb, region: Region, photo: Buffer = raw.photo): Promise<number> {
  const image = await pixelsOf(jpeg);
  const { width, height } = image;
  const reference = await sharp(photo)
    .autoOrient()
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  let agree = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * image.channels;
      const inside = region(x, y, width, height);
      const expected = inside
        ? [colour.r, colour.g, colour.b]
        : [
            reference[(y * width + x) * 3] ?? 0,
            reference[(y * width + x) * 3 + 1] ?? 0,
            reference[(y * width + x) * 3 + 2] ?? 0,
          ];
      const close = expected.every((value, channel) => Math.abs((image.data[at + channel] ?? 0) - value) <= 16);
      if (close) agree += 1;
    }
  }
  return agree / (width * height);
}

/** Downloads every url and checks each output is painted over `region` in its own colour. */
async function expectPainted(
  urls: readonly string[],
  room: RoomType,
  variationIndex: number,
  region: Region,
  size: { width: number; height: number } = { width: W, height: H },
  photo: Buffer = raw.photo,
) {
  for (const [index, url] of urls.entries()) {
    const reply = await download(url);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(reply.bytes).metadata()).toMatchObject({ format: 'jpeg', ...size });
    expect(await agreement(reply.bytes, paintColour(room, index, variationIndex), region, photo)).toBeGreaterThan(0.98);
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const rules = (sandbox: IacreaSandbox) => sandbox.violations.map((violation) => violation.rule);

describe('iacrea sandbox: generations', () => {
  it('generates, moves STARTING → PROCESSING → SUCCEEDED with the clock, and serves JPEGs of width×height painted over the mask', async () => {
    const h = await setup();
    const first = await h.generate();
    expect(first.status).toBe(200);
    expect(Object.keys(first.json as object).sort()).toEqual(['generation_id', 'project_id', 'remaining_photos']);
    expect(first.json).toMatchObject({ generation_id: expect.stringMatching(UUID) as unknown, remaining_photos: 99 });
    expect(text(first.json, 'project_id')).toMatch(UUID);
    const id = text(first.json, 'generation_id');

    expect((await h.get(id)).json).toEqual({ status: 'STARTING', variationNumber: 0 });
    h.clock.advance(1_000 / 50);
    expect((await h.get(id)).json).toEqual({ status: 'PROCESSING', variationNumber: 0 });
    h.clock.advance(15_000 / 50 - 1_000 / 50 - 1);
    expect((await h.get(id)).json).toEqual({ status: 'PROCESSING', variationNumber: 0 });
    h.clock.advance(1);
    const done = await h.get(id);
    expect(Object.keys(done.json as object).sort()).toEqual(['status', 'urls', 'variationNumber']);
    expect(done.json).toMatchObject({ status: 'SUCCEEDED', variationNumber: 0 });
    const urls = field(done.json, 'urls') as string[];
    expect(urls).toHaveLength(2);
    for (const url of urls) expect(url).toMatch(new RegExp(`^${h.sandbox.baseUrl}/files/[0-9a-f-]{36}\\.jpg$`));
    await expectPainted(urls, 'TERRACE', 0, LEFT);

    const second = await h.generate({ room_type: 'POOL' });
    expect(field(second.json, 'remaining_photos')).toBe(98);
    expect(field(second.json, 'project_id')).not.toBe(field(first.json, 'project_id'));
    expect(h.sandbox.remainingPhotos()).toBe(98);
    expect(h.sandbox.ledger).toEqual([
      expect.objectContaining({ seq: 1, generationId: id, kind: 'generate', photos: 1, balanceAfter: 99 }),
      expect.objectContaining({ seq: 2, kind: 'generate', photos: 1, balanceAfter: 98 }),
    ]);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.advisories).toEqual([]);
    expect(h.sandbox.counters).toMatchObject({ generates: 2, projectsCreated: 2, generationsCreated: 2 });
  });

  it('records what it fetched: the photo upright and the exact mask pixels and area', async () => {
    const h = await setup();
    const reply = await h.generate();
    const generation = h.sandbox.generation(text(reply.json, 'generation_id'));
    expect(generation?.image).toMatchObject({ format: 'jpeg', width: W, height: H, bytes: raw.photo.length });
    expect(generation?.mask).toMatchObject({ format: 'png', width: W, height: H, polarity: 'white', resized: false });
    expect(generation?.mask.url).toContain('/mask-left.png?');
    expect(Buffer.compare(generation?.mask.pixels ?? Buffer.alloc(0), raw.maskLeft)).toBe(0);
    expect(generation?.mask.area).toMatchObject({ width: W, height: H, count: (W / 2) * H });
    expect(h.sandbox.project(generation?.projectId ?? '')).toMatchObject({
      userId: DEFAULT_USER_ID,
      width: W,
      height: H,
      generationIds: [generation?.id],
      variations: 0,
    });
  });

  it('moves on real time too, whether or not anyone asks', async () => {
    const h = await setup({ speed: 100 }, false);
    const id = text((await h.generate()).json, 'generation_id');
    await waitFor(() => h.sandbox.generation(id)?.status === 'SUCCEEDED');
    const done = await h.get(id);
    expect(done.json).toMatchObject({ status: 'SUCCEEDED', variationNumber: 0 });
    expect(h.sandbox.generation(id)?.polls).toBe(1);
  });

  it('reads sizes upright: an EXIF-rotated photo is 428×640, not 640×428', async () => {
    const h = await setup();
    const wrong = await h.generate({
      image_url: host.link('rotated.jpg'),
      mask_url: host.link('mask-rotated.png'),
      width: 640,
      height: 428,
    });
    expect(wrong.status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['size-mismatch']);
    const right = await h.completed(() =>
      h.generate({
        image_url: host.link('rotated.jpg'),
        mask_url: host.link('mask-rotated.png'),
        width: 428,
        height: 640,
      }),
    );
    expect(h.sandbox.generation(right.id)?.image).toMatchObject({ width: 428, height: 640 });
    await expectPainted(right.urls, 'TERRACE', 0, LEFT, { width: 428, height: 640 }, raw.rotated);
  });
});

describe('iacrea sandbox: variations', () => {
  it('makes a variation with a new mask: {generation_id} only, painted over the new mask, counted', async () => {
    const h = await setup();
    const parent = await h.completed(() => h.generate());
    const child = await h.completed(() =>
      h.variation({ generation_id: parent.id, mask_url: host.link('mask-top.png') }),
    );
    expect(Object.keys(child.reply.json as object)).toEqual(['generation_id']);
    expect(child.got).toMatchObject({ status: 'SUCCEEDED', variationNumber: 1 });
    await expectPainted(child.urls, 'POOL', 1, TOP);
    const record = h.sandbox.generation(child.id);
    expect(record).toMatchObject({ kind: 'variation', parentId: parent.id, variationIndex: 1, roomType: 'POOL' });
    expect(record?.mask).toMatchObject({ reusedFrom: null, area: { count: W * (H / 2) } });
    expect(record?.projectId).toBe(h.sandbox.generation(parent.id)?.projectId);
    expect(h.sandbox.project(record?.projectId ?? '')).toMatchObject({
      generationIds: [parent.id, child.id],
      variations: 1,
    });
    // Free by default: only the generate was charged.
    expect(h.sandbox.ledger.map((line) => line.kind)).toEqual(['generate']);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('reuses the previous generation’s mask when mask_url is absent, and counts variations of variations', async () => {
    const h = await setup();
    const parent = await h.completed(() => h.generate());
    const first = await h.completed(() => h.variation({ generation_id: parent.id }));
    expect(first.got).toMatchObject({ status: 'SUCCEEDED', variationNumber: 1 });
    const record = h.sandbox.generation(first.id);
    expect(record?.mask).toMatchObject({ url: null, reusedFrom: parent.id, area: { count: (W / 2) * H } });
    await expectPainted(first.urls, 'POOL', 1, LEFT);
    const second = await h.completed(() => h.variation({ generation_id: first.id, room_type: 'PETANQUE' }));
    expect(second.got).toMatchObject({ status: 'SUCCEEDED', variationNumber: 2 });
    expect(h.sandbox.generation(second.id)?.mask.reusedFrom).toBe(first.id);
    await expectPainted(second.urls, 'PETANQUE', 2, LEFT);
    expect((await h.get(parent.id)).json).toMatchObject({ variationNumber: 0 });
  });

  it('refuses a variation of a generation that has not SUCCEEDED (409)', async () => {
    const h = await setup();
    const id = text((await h.generate()).json, 'generation_id');
    const reply = await h.variation({ generation_id: id });
    expect(reply.status).toBe(409);
    expect(rules(h.sandbox)).toEqual(['generation-not-succeeded']);
    expect(h.sandbox.generations()).toHaveLength(1);
  });
});

describe('iacrea sandbox: photos', () => {
  it('refunds a FAILED generation: a -1 ledger line and the balance back up', async () => {
    const h = await setup({ faults: [{ kind: 'fail', reason: 'The model could not see a garden' }] });
    const created = await h.generate();
    expect(field(created.json, 'remaining_photos')).toBe(99);
    const id = text(created.json, 'generation_id');
    expect(h.sandbox.remainingPhotos()).toBe(99);
    await h.finish();
    expect((await h.get(id)).json).toEqual({ status: 'FAILED', variationNumber: 0 });
    expect(h.sandbox.ledger).toEqual([
      expect.objectContaining({ seq: 1, requestSeq: 1, generationId: id, photos: 1, balanceAfter: 99 }),
      expect.objectContaining({ seq: 2, requestSeq: null, generationId: id, photos: -1, balanceAfter: 100 }),
    ]);
    expect(h.sandbox.remainingPhotos()).toBe(100);
    expect(h.sandbox.generation(id)).toMatchObject({
      refunded: true,
      failure: 'The model could not see a garden',
      outputs: [],
    });
    expect(h.sandbox.counters.refunds).toBe(1);
  });

  it('refuses a generate with no photo left, creating and charging nothing, not as a violation', async () => {
    const h = await setup({ photos: 1 });
    expect((await h.generate()).status).toBe(200);
    const refused = await h.generate();
    expect(refused.status).toBe(402);
    expect(refused.json).toEqual({ error: NO_PHOTOS_MESSAGE });
    expect(h.sandbox.counters.noPhotos).toBe(1);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.generations()).toHaveLength(1);
    h.sandbox.setRemainingPhotos(5);
    expect(field((await h.generate()).json, 'remaining_photos')).toBe(4);
  });

  it('keeps one balance per user', async () => {
    const h = await setup({ photos: 10 });
    await h.generate({ user_id: OTHER_USER }, { key: OTHER_KEY });
    expect(h.sandbox.remainingPhotos(OTHER_USER)).toBe(9);
    expect(h.sandbox.remainingPhotos()).toBe(10);
  });
});

describe('iacrea sandbox: webhooks', () => {
  async function receiver(): Promise<WebhookReceiver> {
    const hooks = await startWebhookReceiver();
    cleanups.push(() => hooks.close());
    return hooks;
  }

  it('POSTs JSON to the webhook on SUCCEEDED and on FAILED, unsigned', async () => {
    const hooks = await receiver();
    const h = await setup({ faults: [{ kind: 'fail', route: 'generate-variation' }] });
    const done = await h.completed(() => h.generate({ webhook: hooks.url }));
    const failed = await h.completed(() => h.variation({ generation_id: done.id, webhook: hooks.url }));
    expect(hooks.received.map((hook) => hook.body)).toEqual([
      { generation_id: done.id, status: 'SUCCEEDED', urls: done.urls },
      { generation_id: failed.id, status: 'FAILED' },
    ]);
    expect(hooks.received[0]?.contentType).toBe('application/json');
    expect(
      h.sandbox.webhooks.map((attempt) => [attempt.generationId, attempt.attempt, attempt.status, attempt.ok]),
    ).toEqual([
      [done.id, 1, 200, true],
      [failed.id, 1, 200, true],
    ]);
    expect(h.sandbox.counters.webhooksDelivered).toBe(2);
  });

  it('retries a failed delivery a few times, then gives up', async () => {
    const hooks = await receiver();
    const h = await setup();
    hooks.failNext(2, 503);
    await h.completed(() => h.generate({ webhook: hooks.url }));
    expect(h.sandbox.webhooks.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
    hooks.failNext(5);
    await h.completed(() => h.generate({ webhook: hooks.url }));
    expect(h.sandbox.webhooks.slice(3).map((attempt) => attempt.status)).toEqual([500, 500, 500]);
    expect(h.sandbox.counters).toMatchObject({ webhookAttempts: 6, webhooksDelivered: 1, webhooksAbandoned: 1 });
    expect(h.sandbox.violations).toEqual([]);
  });

  it('records an unreachable webhook as attempts with an error', async () => {
    const h = await setup({ webhookAttempts: 2 });
    await h.completed(() => h.generate({ webhook: 'http://127.0.0.1:1/hook' }));
    expect(h.sandbox.webhooks).toHaveLength(2);
    expect(h.sandbox.webhooks.every((attempt) => attempt.status === null && attempt.error !== null)).toBe(true);
  });
});

interface RuleCase {
  name: string;
  rule: string;
  status: number;
  options?: IacreaSandboxOptions;
  /** Runs first (e.g. makes a generation to refer to); returns what `send` needs. */
  prepare?: (h: Harness) => Promise<string>;
  send: (h: Harness, prepared: string) => Promise<Reply>;
}

/** A generate body with `extra` (made when sent, since links need the file host) and without `omit`. */
const generateWith =
  (extra: Record<string, unknown> | (() => Record<string, unknown>), omit: readonly string[] = []) =>
  (h: Harness) =>
    h.post('generate', generateBody(typeof extra === 'function' ? extra() : extra, omit));
const finishedGeneration = async (h: Harness) => (await h.completed(() => h.generate())).id;

const RULE_CASES: RuleCase[] = [
  { name: 'no key', rule: 'auth-missing-key', status: 401, send: (h) => h.generate({}, { key: null }) },
  { name: 'an empty key', rule: 'auth-missing-key', status: 401, send: (h) => h.generate({}, { key: '' }) },
  { name: 'an unknown key', rule: 'auth-invalid-key', status: 401, send: (h) => h.generate({}, { key: 'nope' }) },
  { name: 'no user_id', rule: 'user-id-missing', status: 400, send: generateWith({}, ['user_id']) },
  { name: 'a user_id not a UUID', rule: 'user-id-format', status: 400, send: generateWith({ user_id: 'me' }) },
  { name: 'a numeric user_id', rule: 'user-id-format', status: 400, send: generateWith({ user_id: 42 }) },
  {
    name: 'another user’s user_id',
    rule: 'user-id-mismatch',
    status: 403,
    send: generateWith({ user_id: OTHER_USER }),
  },
  {
    name: 'no user_id on get',
    rule: 'user-id-missing',
    status: 400,
    send: (h) => h.post('get', { generation_id: '6a3e4a52-2f4e-4d0e-9a51-0f8f5f3c2b11' }),
  },
  {
    name: 'an unknown path',
    rule: 'route',
    status: 404,
    send: (h) => h.post('generate-image' as ApiRoute, generateBody()),
  },
  { name: 'GET on an endpoint', rule: 'method', status: 405, send: (h) => h.call('GET', '/api/create_exterior/get') },
  {
    name: 'a text body',
    rule: 'content-type',
    status: 400,
    send: (h) =>
      h.call('POST', '/api/create_exterior/generate', {
        body: JSON.stringify(generateBody()),
        contentType: 'text/plain',
      }),
  },
  {
    name: 'broken JSON',
    rule: 'json',
    status: 400,
    send: (h) =>
      h.call('POST', '/api/create_exterior/generate', { body: '{"user_id":', contentType: 'application/json' }),
  },
  { name: 'a JSON array', rule: 'body-type', status: 400, send: (h) => h.post('generate', [generateBody()]) },
  {
    name: 'a body over 64 KiB',
    rule: 'body-size',
    status: 413,
    send: generateWith({ webhook: `http://x/${'a'.repeat(70_000)}` }),
  },
  {
    name: 'a field the doc does not list',
    rule: 'unknown-field',
    status: 400,
    send: generateWith({ prompt: 'a pool' }),
  },
  {
    name: 'width on a variation',
    rule: 'unknown-field',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, width: W }),
  },
  { name: 'no room_type', rule: 'room-type-missing', status: 400, send: generateWith({}, ['room_type']) },
  { name: 'a lower-case room_type', rule: 'room-type', status: 400, send: generateWith({ room_type: 'terrace' }) },
  { name: 'an unknown room_type', rule: 'room-type', status: 400, send: generateWith({ room_type: 'GARDEN' }) },
  { name: 'no width', rule: 'width-missing', status: 400, send: generateWith({}, ['width']) },
  { name: 'no height', rule: 'height-missing', status: 400, send: generateWith({}, ['height']) },
  { name: 'width as a string', rule: 'width-type', status: 400, send: generateWith({ width: '640' }) },
  { name: 'height as null', rule: 'height-type', status: 400, send: generateWith({ height: null }) },
  { name: 'a fractional width', rule: 'width-integer', status: 400, send: generateWith({ width: 640.5 }) },
  { name: 'a zero width', rule: 'width-range', status: 400, send: generateWith({ width: 0 }) },
  { name: 'a huge height', rule: 'height-range', status: 400, send: generateWith({ height: 20_000 }) },
  { name: 'no image_url', rule: 'image-url-missing', status: 400, send: generateWith({}, ['image_url']) },
  { name: 'a numeric image_url', rule: 'image-url-type', status: 400, send: generateWith({ image_url: 123 }) },
  {
    name: 'an ftp image_url',
    rule: 'image-url-scheme',
    status: 400,
    send: generateWith({ image_url: 'ftp://example.com/a.jpg' }),
  },
  {
    name: 'a relative image_url',
    rule: 'image-url-scheme',
    status: 400,
    send: generateWith({ image_url: 'photo.jpg' }),
  },
  { name: 'no mask_url', rule: 'mask-url-missing', status: 400, send: generateWith({}, ['mask_url']) },
  {
    name: 'a data: mask_url',
    rule: 'mask-url-scheme',
    status: 400,
    send: generateWith({ mask_url: 'data:image/png;base64,iVBORw0KGgo=' }),
  },
  { name: 'a boolean webhook', rule: 'webhook-type', status: 400, send: generateWith({ webhook: true }) },
  { name: 'a webhook not a URL', rule: 'webhook-scheme', status: 400, send: generateWith({ webhook: 'my server' }) },
  {
    name: 'an image_url answering 404',
    rule: 'image-fetch',
    status: 400,
    send: generateWith(() => ({ image_url: host.link('missing.jpg') })),
  },
  {
    name: 'an unreachable image_url',
    rule: 'image-fetch',
    status: 400,
    send: generateWith({ image_url: 'http://127.0.0.1:1/a.jpg' }),
  },
  {
    name: 'an HTML image_url',
    rule: 'image-format',
    status: 400,
    send: generateWith(() => ({ image_url: host.link('page.html') })),
  },
  {
    name: 'a GIF image_url',
    rule: 'image-format',
    status: 400,
    send: generateWith(() => ({ image_url: host.link('anim.gif') })),
  },
  {
    name: 'a truncated JPEG',
    rule: 'image-decode',
    status: 400,
    send: generateWith(() => ({ image_url: host.link('truncated.jpg') })),
  },
  {
    name: 'an image over maxImageBytes',
    rule: 'image-too-large',
    status: 400,
    options: { maxImageBytes: 10_000 },
    send: generateWith({}),
  },
  {
    name: 'a mask_url answering 404',
    rule: 'mask-fetch',
    status: 400,
    send: generateWith(() => ({ mask_url: host.link('missing.png') })),
  },
  {
    name: 'a WebP mask',
    rule: 'mask-format',
    status: 400,
    send: generateWith(() => ({ mask_url: host.link('mask-left.webp') })),
  },
  {
    name: 'a truncated mask',
    rule: 'mask-decode',
    status: 400,
    send: generateWith(() => ({ mask_url: host.link('truncated.jpg') })),
  },
  {
    name: 'a mask of another size',
    rule: 'mask-size',
    status: 400,
    send: generateWith(() => ({ mask_url: host.link('mask-left-small.png') })),
  },
  { name: 'width×height not the photo’s', rule: 'size-mismatch', status: 400, send: generateWith({ width: 641 }) },
  {
    name: 'get without generation_id',
    rule: 'generation-id-missing',
    status: 400,
    send: (h) => h.post('get', { user_id: DEFAULT_USER_ID }),
  },
  {
    name: 'get with a generation_id not a UUID',
    rule: 'generation-id-format',
    status: 400,
    send: (h) => h.get('gen_1'),
  },
  {
    name: 'get with an extra field',
    rule: 'unknown-field',
    status: 400,
    send: (h) =>
      h.post('get', {
        user_id: DEFAULT_USER_ID,
        generation_id: '6a3e4a52-2f4e-4d0e-9a51-0f8f5f3c2b11',
        project_id: 'x',
      }),
  },
  {
    name: 'get of an unknown generation',
    rule: 'generation-unknown',
    status: 404,
    send: (h) => h.get('6a3e4a52-2f4e-4d0e-9a51-0f8f5f3c2b11'),
  },
  {
    name: 'get of another user’s generation',
    rule: 'generation-not-yours',
    status: 404,
    prepare: async (h) => text((await h.generate({ user_id: OTHER_USER }, { key: OTHER_KEY })).json, 'generation_id'),
    send: (h, id) => h.get(id),
  },
  {
    name: 'a variation of an unknown generation',
    rule: 'generation-unknown',
    status: 404,
    send: (h) => h.variation({ generation_id: '6a3e4a52-2f4e-4d0e-9a51-0f8f5f3c2b11' }),
  },
  {
    name: 'a variation without original_url',
    rule: 'original-url-missing',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.post('generate-variation', { user_id: DEFAULT_USER_ID, generation_id: id, room_type: 'POOL' }),
  },
  {
    name: 'a variation without room_type',
    rule: 'room-type-missing',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) =>
      h.post('generate-variation', {
        user_id: DEFAULT_USER_ID,
        generation_id: id,
        original_url: host.link('photo.jpg'),
      }),
  },
  {
    name: 'an original_url answering 404',
    rule: 'original-fetch',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, original_url: host.link('missing.jpg') }),
  },
  {
    name: 'a null original_url',
    rule: 'original-url-type',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, original_url: null }),
  },
  {
    name: 'an original_url not a URL',
    rule: 'original-url-scheme',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, original_url: '/photo.jpg' }),
  },
  {
    name: 'a truncated original',
    rule: 'original-decode',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, original_url: host.link('truncated.jpg') }),
  },
  {
    name: 'an original over maxImageBytes',
    rule: 'original-too-large',
    status: 400,
    options: { maxImageBytes: 50_000 },
    prepare: async (h) =>
      (
        await h.completed(() =>
          h.generate({
            image_url: host.link('thumb.jpg'),
            mask_url: host.link('mask-thumb.png'),
            width: 180,
            height: 135,
          }),
        )
      ).id,
    send: (h, id) => h.variation({ generation_id: id, original_url: host.link('photo.jpg') }),
  },
  {
    name: 'an HTML original_url',
    rule: 'original-format',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, original_url: host.link('page.html') }),
  },
  {
    name: 'a variation mask of another size',
    rule: 'mask-size',
    status: 400,
    prepare: finishedGeneration,
    send: (h, id) => h.variation({ generation_id: id, mask_url: host.link('mask-square.png') }),
  },
  {
    name: 'an unknown file',
    rule: 'file-unknown',
    status: 404,
    send: (h) => h.call('GET', '/files/6a3e4a52-2f4e-4d0e-9a51-0f8f5f3c2b11.jpg', { key: null }),
  },
  { name: 'POST on a file', rule: 'method', status: 405, send: (h) => h.call('POST', '/files/x.jpg') },
];

describe('iacrea sandbox: every rule refuses and records', () => {
  it.each(RULE_CASES.map((item) => [item.name, item] as const))('refuses %s', async (_name, item) => {
    const h = await setup(item.options ?? {});
    const prepared = item.prepare ? await item.prepare(h) : '';
    const before = {
      generations: h.sandbox.generations().length,
      ledger: h.sandbox.ledger.length,
      violations: h.sandbox.violations.length,
    };
    const reply = await item.send(h, prepared);
    expect(reply.status, reply.text).toBe(item.status);
    expect(typeof field(reply.json, 'error')).toBe('string');
    expect(rules(h.sandbox).slice(before.violations)).toEqual([item.rule]);
    expect(h.sandbox.generations()).toHaveLength(before.generations);
    expect(h.sandbox.ledger).toHaveLength(before.ledger);
    const last = h.sandbox.requests.at(-1);
    expect(h.sandbox.violations.at(-1)).toMatchObject({ seq: last?.seq, rule: item.rule });
    if (item.rule === 'method') expect(reply.headers.get('allow')).toMatch(/POST|GET/);
  });

  it('lists every problem of one request in one 400 and records each', async () => {
    const h = await setup();
    const reply = await h.generate({ room_type: 'GARDEN', width: '640', colour: 'blue' });
    expect(reply.status).toBe(400);
    expect(rules(h.sandbox).sort()).toEqual(['room-type', 'unknown-field', 'width-type']);
    expect(text(reply.json, 'error')).toContain('room_type');
    expect(text(reply.json, 'error')).toContain('width');
    expect(h.sandbox.violations.map((violation) => violation.field).sort()).toEqual(['colour', 'room_type', 'width']);
  });

  it('accepts plain http and loopback URLs without recording anything', async () => {
    const h = await setup();
    expect((await h.generate()).status).toBe(200);
    expect(h.sandbox.violations).toEqual([]);
    expect(host.hits.get('photo.jpg')).toBeGreaterThan(0);
  });

  it('refuses an unknown form name or value when set', async () => {
    const h = await setup();
    expect(() => h.sandbox.setForms({ urls: 'array' as IacreaForms['urls'] })).toThrow(/forms.urls/);
    expect(() => h.sandbox.setForms({ colour: 'red' } as Partial<IacreaForms>)).toThrow(/unknown/);
  });
});

describe('iacrea sandbox: faults', () => {
  it('drop-before: the socket is destroyed before anything is done', async () => {
    const h = await setup({ faults: [{ kind: 'drop-before' }] });
    const fetched = host.hits.get('photo.jpg');
    await expect(h.generate()).rejects.toThrow();
    expect(host.hits.get('photo.jpg')).toBe(fetched);
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.requests[0]).toMatchObject({ outcome: 'dropped', fault: 'drop-before', status: null });
  });

  it('drop-after: the generation is made and charged, then the answer is lost', async () => {
    const h = await setup({ faults: [{ kind: 'drop-after', route: 'generate' }] });
    await expect(h.generate()).rejects.toThrow();
    expect(h.sandbox.generations()).toHaveLength(1);
    expect(h.sandbox.ledger).toHaveLength(1);
    expect(h.sandbox.remainingPhotos()).toBe(99);
    expect(h.sandbox.requests[0]).toMatchObject({ outcome: 'dropped', fault: 'drop-after' });
  });

  it.each([
    ['status-500', 500],
    ['status-503', 503],
  ] as const)('%s: answers the status before doing anything', async (kind, status) => {
    const h = await setup({ faults: [{ kind }] });
    const reply = await h.generate();
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ error: 'Injected server error' });
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.counters.faulted).toBe(1);
  });

  it('status-429: answers 429 with Retry-After', async () => {
    const h = await setup({ faults: [{ kind: 'status-429', retryAfterSeconds: 7 }] });
    const reply = await h.generate();
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('7');
    expect(h.sandbox.ledger).toEqual([]);
  });

  it('slow (after): the work is done, the answer comes late, and a client that gave up still paid', async () => {
    const h = await setup({ faults: [{ kind: 'slow', ms: 400 }] });
    await expect(h.generate({}, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await waitFor(() => h.sandbox.ledger.length === 1);
    expect(h.sandbox.generations()).toHaveLength(1);
  });

  it('slow (before): the answer takes at least the delay', async () => {
    const h = await setup({ faults: [{ kind: 'slow', ms: 150, when: 'before', route: 'get' }] });
    const id = text((await h.generate()).json, 'generation_id');
    const started = Date.now();
    expect((await h.get(id)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('invalid-json: a 200 whose body is not JSON, after the work was done', async () => {
    const h = await setup({ faults: [{ kind: 'invalid-json' }] });
    const reply = await h.generate();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(reply.text) as unknown).toThrow();
    expect(h.sandbox.ledger).toHaveLength(1);
  });

  it('fail: only on the route named, and refunded', async () => {
    const h = await setup({
      forms: { variationCost: 'photo' },
      faults: [{ kind: 'fail', route: 'generate-variation' }],
    });
    const parent = await h.completed(() => h.generate());
    expect(parent.got).toMatchObject({ status: 'SUCCEEDED' });
    const child = await h.completed(() => h.variation({ generation_id: parent.id }));
    expect(child.got).toEqual({ status: 'FAILED', variationNumber: 1 });
    expect(h.sandbox.ledger.map((line) => [line.kind, line.photos, line.balanceAfter])).toEqual([
      ['generate', 1, 99],
      ['variation', 1, 98],
      ['variation', -1, 99],
    ]);
  });

  it('fetch-expired: the image link reads as expired, without a fetch', async () => {
    const h = await setup({ faults: [{ kind: 'fetch-expired' }] });
    host.put('expiring.jpg', raw.photo, 'image/jpeg');
    const reply = await h.generate({ image_url: host.link('expiring.jpg') });
    expect(reply.status).toBe(400);
    expect(h.sandbox.violations).toEqual([
      expect.objectContaining({ rule: 'image-fetch', field: 'image_url', fault: 'fetch-expired' }),
    ]);
    expect(host.hits.get('expiring.jpg')).toBeUndefined();
    expect((await h.generate({ image_url: host.link('expiring.jpg') })).status).toBe(200);
  });

  it('fetch-expired on a variation reads original_url (or the field named) as expired', async () => {
    const h = await setup();
    const parent = await h.completed(() => h.generate());
    h.sandbox.addFault({ kind: 'fetch-expired' }, { kind: 'fetch-expired', field: 'mask_url' });
    expect((await h.variation({ generation_id: parent.id })).status).toBe(400);
    expect((await h.variation({ generation_id: parent.id, mask_url: host.link('mask-top.png') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['original-fetch', 'mask-fetch']);
  });

  it('counts uses and filters by route; clearFaults disarms', async () => {
    const h = await setup({ faults: [{ kind: 'status-503', count: 2, route: 'get' }] });
    const id = text((await h.generate()).json, 'generation_id');
    expect((await h.get(id)).status).toBe(503);
    expect((await h.get(id)).status).toBe(503);
    expect((await h.get(id)).status).toBe(200);
    h.sandbox.addFault({ kind: 'status-500', count: 3 });
    expect(h.sandbox.armedFaults()).toEqual([{ fault: { kind: 'status-500', count: 3 }, remaining: 3 }]);
    h.sandbox.clearFaults();
    expect((await h.get(id)).status).toBe(200);
  });
});

describe('iacrea sandbox: every reading of every silent point', () => {
  it.each(FORM_CHOICES.errors.map((value) => [value]))('errors: %s', async (value) => {
    const h = await setup({ forms: { errors: value } });
    const reply = await h.generate({ room_type: 'GARDEN', width: '640' });
    expect(reply.status).toBe(400);
    switch (value) {
      case 'error':
        expect(text(reply.json, 'error')).toMatch(/room_type.*width/);
        break;
      case 'message':
        expect(reply.json).toMatchObject({
          message: expect.stringMatching(/room_type.*width/) as unknown,
          statusCode: 400,
        });
        break;
      case 'errors':
        expect(reply.json).toEqual({
          errors: [
            { field: 'room_type', message: expect.any(String) as unknown },
            { field: 'width', message: expect.any(String) as unknown },
          ],
        });
        break;
      case 'text':
        expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(reply.text).toMatch(/room_type.*width/);
        break;
    }
  });

  it.each(FORM_CHOICES.noPhotos.map((value) => [value]))('noPhotos: %s', async (value) => {
    const h = await setup({ photos: 0, forms: { noPhotos: value, errors: 'message' } });
    const reply = await h.generate();
    expect(reply.status).toBe(Number(value));
    expect(reply.json).toEqual({ message: NO_PHOTOS_MESSAGE, statusCode: Number(value) });
    expect(h.sandbox.counters.noPhotos).toBe(1);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.generations()).toEqual([]);
  });

  it.each([
    ['white', 'mask-left.png', LEFT, (W / 2) * H],
    ['black', 'mask-left.png', RIGHT, (W / 2) * H],
    ['alpha', 'mask-alpha-right.png', RIGHT, (W / 2) * H],
  ] as const)('maskPolarity: %s', async (value, mask, region, count) => {
    const h = await setup({ forms: { maskPolarity: value } });
    const done = await h.completed(() => h.generate({ mask_url: host.link(mask) }));
    expect(h.sandbox.generation(done.id)?.mask).toMatchObject({ polarity: value, area: { count } });
    await expectPainted(done.urls, 'TERRACE', 0, region);
  });

  it('maskPolarity: alpha refuses a mask without an alpha channel; white reads that alpha mask as empty', async () => {
    const h = await setup({ forms: { maskPolarity: 'alpha' } });
    expect((await h.generate()).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['mask-alpha']);
    h.sandbox.setForms({ maskPolarity: 'white' });
    expect((await h.generate({ mask_url: host.link('mask-alpha-right.png') })).status).toBe(200);
    expect(h.sandbox.advisories.map((advice) => advice.rule)).toEqual(['mask-empty']);
  });

  it('accepts a mask marking nothing or everything, with an advisory', async () => {
    const h = await setup();
    expect((await h.generate({ mask_url: host.link('mask-empty.png') })).status).toBe(200);
    expect((await h.generate({ mask_url: host.link('mask-full.png') })).status).toBe(200);
    expect(h.sandbox.advisories.map((advice) => advice.rule)).toEqual(['mask-empty', 'mask-full']);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('maskFormat: exact takes a JPEG mask at the photo’s size, not another size', async () => {
    const h = await setup({ forms: { maskFormat: 'exact' } });
    const done = await h.completed(() => h.generate({ mask_url: host.link('mask-left.jpg') }));
    expect(h.sandbox.generation(done.id)?.mask.format).toBe('jpeg');
    await expectPainted(done.urls, 'TERRACE', 0, LEFT);
    expect((await h.generate({ mask_url: host.link('mask-left-small.png') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['mask-size']);
  });

  it('maskFormat: png-exact refuses a JPEG mask', async () => {
    const h = await setup({ forms: { maskFormat: 'png-exact' } });
    expect((await h.generate({ mask_url: host.link('mask-left.jpg') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['mask-format']);
    expect((await h.generate()).status).toBe(200);
  });

  it('maskFormat: same-aspect resizes a smaller mask (an advisory) and refuses another aspect', async () => {
    const h = await setup({ forms: { maskFormat: 'same-aspect' } });
    const done = await h.completed(() => h.generate({ mask_url: host.link('mask-left-small.png') }));
    expect(h.sandbox.generation(done.id)?.mask).toMatchObject({
      width: W / 2,
      height: H / 2,
      resized: true,
      area: { width: W, height: H },
    });
    expect(h.sandbox.advisories.map((advice) => advice.rule)).toEqual(['mask-resized']);
    expect(h.sandbox.violations).toEqual([]);
    await expectPainted(done.urls, 'TERRACE', 0, LEFT);
    expect((await h.generate({ mask_url: host.link('mask-square.png') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['mask-aspect']);
  });

  it('sizeRule: exact wants the photo’s upright size', async () => {
    const h = await setup({ forms: { sizeRule: 'exact' } });
    expect((await h.generate({ width: W / 2, height: H / 2 })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['size-mismatch']);
    expect((await h.generate()).status).toBe(200);
  });

  it('sizeRule: aspect takes the same shape at another size and outputs at width×height', async () => {
    const h = await setup({ forms: { sizeRule: 'aspect' } });
    const done = await h.completed(() => h.generate({ width: W / 2, height: H / 2 }));
    await expectPainted(done.urls, 'TERRACE', 0, LEFT, { width: W / 2, height: H / 2 });
    expect((await h.generate({ width: 300, height: 300 })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['size-aspect']);
  });

  it('sizeRule: none outputs at width×height whatever the photo', async () => {
    const h = await setup({ forms: { sizeRule: 'none' } });
    const done = await h.completed(() => h.generate({ width: 300, height: 300 }));
    await expectPainted(done.urls, 'TERRACE', 0, LEFT, { width: 300, height: 300 });
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    ['free', ['generate']],
    ['photo', ['generate', 'variation', 'variation']],
    ['new-mask', ['generate', 'variation']],
  ] as const)('variationCost: %s', async (value, kinds) => {
    const h = await setup({ forms: { variationCost: value } });
    const parent = await h.completed(() => h.generate());
    const kept = await h.variation({ generation_id: parent.id });
    const masked = await h.variation({ generation_id: parent.id, mask_url: host.link('mask-top.png') });
    expect(Object.keys(kept.json as object)).toEqual(['generation_id']);
    expect(Object.keys(masked.json as object)).toEqual(['generation_id']);
    expect(h.sandbox.ledger.map((line) => line.kind)).toEqual(kinds);
    expect(h.sandbox.remainingPhotos()).toBe(100 - kinds.length);
    if (value === 'new-mask') expect(h.sandbox.ledger[1]?.generationId).toBe(text(masked.json, 'generation_id'));
  });

  it('variationCost: a charged variation is refused with no photo left', async () => {
    const h = await setup({ photos: 1, forms: { variationCost: 'photo' } });
    const parent = await h.completed(() => h.generate());
    expect((await h.variation({ generation_id: parent.id })).status).toBe(402);
    expect(h.sandbox.counters.noPhotos).toBe(1);
  });

  it('originalUrl: same-size takes a re-staged link or another photo of that size, not another size', async () => {
    const h = await setup({ forms: { originalUrl: 'same-size' } });
    const parent = await h.completed(() => h.generate());
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('photo.jpg') })).status).toBe(200);
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('photo-flopped.jpg') })).status).toBe(
      200,
    );
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('portrait.jpg') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['original-url-size']);
  });

  it('originalUrl: same-url wants the exact image_url string; a re-staged link is refused', async () => {
    const h = await setup({ forms: { originalUrl: 'same-url' } });
    const imageUrl = host.link('photo.jpg');
    const parent = await h.completed(() => h.generate({ image_url: imageUrl }));
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('photo.jpg') })).status).toBe(400);
    expect(rules(h.sandbox)).toEqual(['original-url-mismatch']);
    expect((await h.variation({ generation_id: parent.id, original_url: imageUrl })).status).toBe(200);
  });

  it('originalUrl: same-bytes takes any link to the same bytes, not another photo', async () => {
    const h = await setup({ forms: { originalUrl: 'same-bytes' } });
    const parent = await h.completed(() => h.generate());
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('photo.jpg') })).status).toBe(200);
    expect((await h.variation({ generation_id: parent.id, original_url: host.link('photo-flopped.jpg') })).status).toBe(
      400,
    );
    expect(rules(h.sandbox)).toEqual(['original-url-bytes']);
  });

  it.each([
    ['index', [0, 1, 2]],
    ['project', [2, 2, 2]],
    ['before', [0, 0, 1]],
  ] as const)('variationNumber: %s', async (value, numbers) => {
    const h = await setup({ forms: { variationNumber: value } });
    const parent = await h.completed(() => h.generate());
    const first = await h.completed(() => h.variation({ generation_id: parent.id }));
    const second = await h.completed(() => h.variation({ generation_id: first.id }));
    const read = async (id: string) => field((await h.get(id)).json, 'variationNumber');
    expect([await read(parent.id), await read(first.id), await read(second.id)]).toEqual(numbers);
  });

  it.each(FORM_CHOICES.webhook.map((value) => [value]))('webhook: %s', async (value) => {
    const hooks = await startWebhookReceiver();
    cleanups.push(() => hooks.close());
    const h = await setup({ forms: { webhook: value } });
    const done = await h.completed(() => h.generate({ webhook: hooks.url }));
    const expected = {
      flat: { generation_id: done.id, status: 'SUCCEEDED', urls: done.urls },
      event: { event: 'generation.completed', data: { generation_id: done.id, status: 'SUCCEEDED', urls: done.urls } },
      'id-status': { id: done.id, status: 'SUCCEEDED' },
    }[value];
    expect(hooks.received.map((hook) => hook.body)).toEqual([expected]);
  });

  it.each(FORM_CHOICES.urls.map((value) => [value]))('urls: %s', async (value) => {
    const h = await setup({ forms: { urls: value } });
    const done = await h.completed(() => h.generate());
    const outputs = h.sandbox.generation(done.id)?.outputs.map((output) => `${h.sandbox.baseUrl}${output.path}`) ?? [];
    expect(outputs).toHaveLength(2);
    const expected = {
      strings: { status: 'SUCCEEDED', urls: outputs, variationNumber: 0 },
      objects: { status: 'SUCCEEDED', urls: outputs.map((url) => ({ url })), variationNumber: 0 },
      url: { status: 'SUCCEEDED', url: outputs[0], variationNumber: 0 },
    }[value];
    expect(done.got).toEqual(expected);
  });

  it('files: public links need no key', async () => {
    const h = await setup({ forms: { files: 'public' } });
    const done = await h.completed(() => h.generate());
    expect((await download(done.urls[0] ?? '')).status).toBe(200);
    expect(h.sandbox.counters.fileGets).toBe(1);
  });

  it('files: key links need the generation user’s x-api-key', async () => {
    const h = await setup({ forms: { files: 'key' } });
    const done = await h.completed(() => h.generate());
    const url = done.urls[0] ?? '';
    expect((await download(url)).status).toBe(401);
    expect((await download(url, { 'x-api-key': 'nope' })).status).toBe(401);
    expect((await download(url, { 'x-api-key': OTHER_KEY })).status).toBe(404);
    const ok = await download(url, { 'x-api-key': DEFAULT_API_KEY });
    expect(ok.status).toBe(200);
    expect(
      Buffer.compare(ok.bytes, h.sandbox.file(h.sandbox.generation(done.id)?.outputs[0]?.id ?? '') ?? Buffer.alloc(0)),
    ).toBe(0);
    expect(rules(h.sandbox)).toEqual(['auth-missing-key', 'auth-invalid-key', 'file-not-yours']);
  });

  it('files: expiring links are signed and stop working after fileUrlTtlMs', async () => {
    const h = await setup({ forms: { files: 'expiring' }, fileUrlTtlMs: 60_000 });
    const done = await h.completed(() => h.generate());
    const url = done.urls[0] ?? '';
    expect(url).toMatch(/\.jpg\?expires=\d+&signature=[0-9a-f]{64}$/);
    expect((await download(url)).status).toBe(200);
    // One hex digit of the signature changed (to another digit: '0' stays '0' one time in 16).
    const forged = url.replace(/signature=(.)/, (_match, digit: string) => `signature=${digit === '0' ? '1' : '0'}`);
    expect((await download(forged)).status).toBe(403);
    expect((await download(url.split('?')[0] ?? '')).status).toBe(403);
    h.clock.advance(61_000);
    expect((await download(url)).status).toBe(403);
    expect(rules(h.sandbox)).toEqual(['file-signature', 'file-signature', 'file-expired']);
    // A fresh get signs fresh links.
    const fresh = field((await h.get(done.id)).json, 'urls') as string[];
    expect((await download(fresh[0] ?? '')).status).toBe(200);
  });
});
