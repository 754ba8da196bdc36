import sharp from 'sharp';
import { readSandboxVideo } from '../sandbox/video/read';
import { afterEach, describe, expect, it } from 'vitest';
import { MODELS, promptColour, type AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import { errorOf, fetchReply, field, startHarness, type Harness, type Reply } from '../sandbox/aivisualstudio/testkit';

/**
 * The AI Visual Studio sandbox's generate endpoints against the doc: what a create answers, what it
 * charges, what it makes (real images and MP4s at the asked aspect ratio), and every validation rule
 * refusing a wrong request, recorded as a violation, with nothing created or charged.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: AivsSandboxOptions = {}): Promise<Harness> {
  const harness = await startHarness(options);
  cleanups.push(() => harness.sandbox.close());
  return harness;
}

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function completed(h: Harness, id: string): Promise<Reply> {
  await h.ended(id);
  return h.call('GET', `/api/v1/generations/${id}`);
}

describe('aivisualstudio sandbox: generate/image', () => {
  it('answers the doc’s seven fields, charges the model’s credits once, and ends completed with a real WebP', async () => {
    const h = await setup();
    const reply = await h.generate('image', { prompt: 'A futuristic city at sunset', aspect_ratio: '16:9' });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json as object).sort()).toEqual(
      ['created_at', 'credits_charged', 'id', 'model', 'prompt', 'status', 'type'].sort(),
    );
    expect(reply.json).toMatchObject({
      id: expect.stringMatching(/^gen_[0-9a-f]{16}$/) as unknown,
      status: 'processing',
      prompt: 'A futuristic city at sunset',
      model: 'prunaai/z-image-turbo',
      type: 'image',
      credits_charged: 5,
      created_at: expect.stringMatching(ISO_SECONDS) as unknown,
    });
    const id = String(field(reply.json, 'id'));
    expect(h.sandbox.credits()).toBe(995);
    expect(h.sandbox.ledger).toEqual([
      expect.objectContaining({
        seq: 1,
        generationId: id,
        model: 'prunaai/z-image-turbo',
        credits: 5,
        balanceAfter: 995,
      }),
    ]);

    const got = await completed(h, id);
    expect(got.json).toMatchObject({ id, type: 'image', status: 'completed', credits_charged: 5 });
    expect(field(got.json, 'completed_at')).toMatch(ISO_SECONDS);
    const url = String(field(got.json, 'output_url'));
    expect(url).toMatch(new RegExp(`^${h.sandbox.baseUrl}/files/out_[0-9a-f]{16}\\.webp$`));
    const file = await fetchReply(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(file.bytes).metadata()).toMatchObject({ format: 'webp', width: 512, height: 288 });
    const { data } = await sharp(file.bytes).extract({ left: 256, top: 144, width: 1, height: 1 }).raw().toBuffer({
      resolveWithObject: true,
    });
    const colour = promptColour('A futuristic city at sunset');
    expect(Math.abs((data[0] ?? 0) - colour.r)).toBeLessThan(12);
    expect(Math.abs((data[1] ?? 0) - colour.g)).toBeLessThan(12);
    expect(Math.abs((data[2] ?? 0) - colour.b)).toBeLessThan(12);
    expect(h.sandbox.generation(id)).toMatchObject({
      state: 'completed',
      aspectRatio: '16:9',
      outputFormat: 'webp',
      creditsCharged: 5,
      requestSeq: 1,
      outputs: [{ url, contentType: 'image/webp', bytes: file.bytes.length }],
    });
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    ['1:1', 512, 512],
    ['16:9', 512, 288],
    ['9:16', 288, 512],
    ['4:3', 512, 384],
    ['3:4', 384, 512],
    ['3:2', 512, 341],
    ['2:3', 341, 512],
  ])('makes %s images %i×%i', async (ratio, width, height) => {
    const h = await setup();
    const got = await completed(h, await h.image({ aspect_ratio: ratio, output_format: 'png' }));
    const file = await fetchReply(String(field(got.json, 'output_url')));
    expect(await sharp(file.bytes).metadata()).toMatchObject({ format: 'png', width, height });
  });

  it.each([
    ['png', 'image/png', 'png'],
    ['jpg', 'image/jpeg', 'jpeg'],
  ])('encodes output_format %s as %s', async (format, contentType, sharpFormat) => {
    const h = await setup();
    const got = await completed(h, await h.image({ output_format: format }));
    const url = String(field(got.json, 'output_url'));
    expect(url.endsWith(`.${format}`)).toBe(true);
    const file = await fetchReply(url);
    expect(file.headers.get('content-type')).toBe(contentType);
    expect(await sharp(file.bytes).metadata()).toMatchObject({ format: sharpFormat, width: 512, height: 512 });
  });

  it('charges each catalog model its own credits, and the ledger equals credits_charged', async () => {
    const h = await setup({ credits: 5_000 });
    for (const model of MODELS) {
      const reply = await h.generate(model.type, { prompt: 'A quiet harbour', model: model.id });
      expect(reply.status, reply.text).toBe(200);
      expect(field(reply.json, 'credits_charged')).toBe(model.credits_per_generation);
    }
    const total = MODELS.reduce((sum, model) => sum + model.credits_per_generation, 0);
    expect(h.sandbox.ledger.map((line) => line.credits)).toEqual(MODELS.map((model) => model.credits_per_generation));
    expect(h.sandbox.ledger.at(-1)?.balanceAfter).toBe(5_000 - total);
    expect(h.sandbox.credits()).toBe(5_000 - total);
  });

  it('refuses with 403 insufficient_credits {required, available}, creating and charging nothing, not a violation', async () => {
    const h = await setup({ credits: 100 });
    const reply = await h.generate('video', { prompt: 'A spaceship flying through an asteroid field' });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: {
        code: 'insufficient_credits',
        message: 'You need 450 credits but only have 100',
        details: { required: 450, available: 100 },
      },
    });
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.counters.noCredits).toBe(1);
    h.sandbox.setCredits(450);
    expect((await h.generate('video', { prompt: 'A spaceship' })).status).toBe(200);
    expect(h.sandbox.credits()).toBe(0);
  });

  it('serves outputs publicly with GET and HEAD, and 404 not_found for an unknown file', async () => {
    const h = await setup();
    const got = await completed(h, await h.image());
    const url = String(field(got.json, 'output_url'));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    const missing = await fetchReply(`${h.sandbox.baseUrl}/files/out_0000000000000000.webp`);
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
    expect(h.rules()).toEqual(['file-unknown']);
  });

  it('answers 404 not_found for an unknown generation id, recorded', async () => {
    const h = await setup();
    const reply = await h.call('GET', '/api/v1/generations/gen_0123456789abcdef');
    expect(reply.status).toBe(404);
    expect(errorOf(reply).code).toBe('not_found');
    expect(h.rules()).toEqual(['generation-unknown']);
  });
});

describe('aivisualstudio sandbox: generate/video', () => {
  it('defaults to hailuo, 16:9 and 5 s, and ends with an H.264 MP4 of 10 frames at 256×144', async () => {
    const h = await setup();
    const reply = await h.generate('video', { prompt: 'A spaceship flying through an asteroid field' });
    expect(reply.json).toMatchObject({ type: 'video', model: 'minimax/hailuo-2.3-fast', credits_charged: 450 });
    const id = String(field(reply.json, 'id'));
    const got = await completed(h, id);
    const url = String(field(got.json, 'output_url'));
    expect(url.endsWith('.mp4')).toBe(true);
    const file = await fetchReply(url);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(file.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(file.bytes.includes(Buffer.from('moov'))).toBe(true);
    const played = readSandboxVideo(file.bytes);
    expect(played).toMatchObject({ codec: 'avc1', width: 256, height: 144, fps: 2 });
    expect(played.frames).toHaveLength(10);
    expect(h.sandbox.generation(id)).toMatchObject({ aspectRatio: '16:9', duration: 5, outputFormat: 'mp4' });
  });

  it('takes a duration and an aspect ratio of its own, at the same flat price', async () => {
    const h = await setup();
    const reply = await h.generate('video', { prompt: 'Waves', aspect_ratio: '9:16', duration: 10 });
    expect(field(reply.json, 'credits_charged')).toBe(450);
    const got = await completed(h, String(field(reply.json, 'id')));
    const file = await fetchReply(String(field(got.json, 'output_url')));
    expect(readSandboxVideo(file.bytes)).toMatchObject({ width: 144, height: 256 });
  });
});

type Case = [rule: string, field: string | null, body: unknown];

const IMAGE_CASES: Case[] = [
  ['prompt-missing', 'prompt', {}],
  ['prompt-type', 'prompt', { prompt: 42 }],
  ['prompt-type', 'prompt', { prompt: null }],
  ['prompt-empty', 'prompt', { prompt: '   ' }],
  ['prompt-length', 'prompt', { prompt: 'x'.repeat(4001) }],
  ['model-unknown', 'model', { prompt: 'p', model: 'acme/nothing' }],
  ['model-unknown', 'model', { prompt: 'p', model: null }],
  ['model-type', 'model', { prompt: 'p', model: 'minimax/hailuo-2.3-fast' }],
  ['aspect-ratio', 'aspect_ratio', { prompt: 'p', aspect_ratio: '21:9' }],
  ['output-format', 'output_format', { prompt: 'p', output_format: 'gif' }],
  ['webhook-url', 'webhook_url', { prompt: 'p', webhook_url: 'http://example.com/hook' }],
  ['webhook-url', 'webhook_url', { prompt: 'p', webhook_url: '/relative' }],
  ['unknown-field', 'seed', { prompt: 'p', seed: 7 }],
  ['unknown-field', 'duration', { prompt: 'p', duration: 5 }],
];

const VIDEO_CASES: Case[] = [
  ['prompt-missing', 'prompt', { duration: 5 }],
  ['model-type', 'model', { prompt: 'p', model: 'prunaai/z-image-turbo' }],
  ['aspect-ratio', 'aspect_ratio', { prompt: 'p', aspect_ratio: '3:2' }],
  ['aspect-ratio', 'aspect_ratio', { prompt: 'p', aspect_ratio: '2:3' }],
  ['duration-type', 'duration', { prompt: 'p', duration: '5' }],
  ['duration-type', 'duration', { prompt: 'p', duration: 2.5 }],
  ['duration-range', 'duration', { prompt: 'p', duration: 0 }],
  ['duration-range', 'duration', { prompt: 'p', duration: 11 }],
  ['unknown-field', 'output_format', { prompt: 'p', output_format: 'webp' }],
  ['first-frame-url', 'first_frame_image', { prompt: 'p', first_frame_image: 'ftp://example.com/a.jpg' }],
  ['webhook-url', 'webhook_url', { prompt: 'p', webhook_url: 'ftp://example.com/hook' }],
];

function expectRefused(h: Harness, reply: Reply, rule: string, fieldName: string | null): void {
  expect(reply.status, reply.text).toBe(400);
  expect(errorOf(reply).code).toBe('invalid_request');
  expect(errorOf(reply).details).toMatchObject({ rule, field: fieldName });
  expect(h.rules()).toEqual([rule]);
  expect(h.sandbox.violations[0]).toMatchObject({ seq: 1, field: fieldName });
  expect(h.sandbox.generations()).toEqual([]);
  expect(h.sandbox.ledger).toEqual([]);
  expect(h.sandbox.credits()).toBe(1000);
  // The rate headers ride on refusals too.
  expect(reply.headers.get('x-ratelimit-remaining')).toBe('59');
}

describe('aivisualstudio sandbox: validation', () => {
  it.each(IMAGE_CASES)('refuses image %s (%s)', async (rule, fieldName, body) => {
    const h = await setup();
    expectRefused(h, await h.generate('image', body), rule, fieldName);
  });

  it.each(VIDEO_CASES)('refuses video %s (%s)', async (rule, fieldName, body) => {
    const h = await setup();
    expectRefused(h, await h.generate('video', body), rule, fieldName);
  });

  it.each([
    ['content-type', { body: '{"prompt":"p"}', contentType: 'text/plain' }],
    ['json', { body: '{"prompt":', contentType: 'application/json' }],
    ['body-type', { body: '["prompt"]', contentType: 'application/json' }],
    ['body-size', { body: JSON.stringify({ prompt: 'x'.repeat(70_000) }), contentType: 'application/json' }],
  ])('refuses a body breaking %s', async (rule, options) => {
    const h = await setup();
    expectRefused(h, await h.call('POST', '/api/v1/generate/image', options), rule, null);
  });

  it('lists every problem of a request, each a violation', async () => {
    const h = await setup();
    const reply = await h.generate('image', { prompt: '', aspect_ratio: '5:4', output_format: 'bmp', style: 'x' });
    expect(reply.status).toBe(400);
    const problems = field(errorOf(reply).details, 'problems') as { rule: string }[];
    expect(problems.map((problem) => problem.rule).sort()).toEqual(
      ['aspect-ratio', 'output-format', 'prompt-empty', 'unknown-field'].sort(),
    );
    expect(h.rules().sort()).toEqual(['aspect-ratio', 'output-format', 'prompt-empty', 'unknown-field'].sort());
  });

  it('accepts the boundaries: a 4000-character prompt, durations 1 and 10, https and loopback http webhook URLs', async () => {
    const h = await setup();
    const accepted = [
      await h.generate('image', { prompt: 'y'.repeat(4000) }),
      await h.generate('video', { prompt: 'p', duration: 1 }),
      await h.generate('video', { prompt: 'p', duration: 10, aspect_ratio: '1:1' }),
      await h.generate('image', { prompt: 'p', webhook_url: 'https://127.0.0.1:1/hook' }),
      await h.generate('image', { prompt: 'p', webhook_url: 'http://localhost:1/hook' }),
      await h.generate('image', { prompt: 'p', webhook_url: 'http://127.0.0.9:1/hook' }),
      await h.generate('image', { prompt: 'p', webhook_url: 'http://[::1]:1/hook' }),
    ];
    expect(accepted.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(h.sandbox.violations).toEqual([]);
  });
});
