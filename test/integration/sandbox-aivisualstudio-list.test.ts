import { afterEach, describe, expect, it } from 'vitest';
import { MODELS, type AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import { errorOf, field, startHarness, type Harness } from '../sandbox/aivisualstudio/testkit';

/**
 * GET generations (filters, pagination, bounds, order) and GET models against the doc, over real
 * HTTP. Images end quickly and videos never do here, so a list holds every state at once.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: AivsSandboxOptions = {}): Promise<Harness> {
  const harness = await startHarness({
    speed: 1,
    credits: 100_000,
    durationsMs: { image: 20, video: 600_000 },
    ...options,
  });
  cleanups.push(() => harness.sandbox.close());
  return harness;
}

const ids = (body: unknown): string[] => (field(body, 'data') as { id: string }[]).map((item) => item.id);

/** Two completed images, one failed image, one processing video; ids newest first. */
async function mixed(h: Harness): Promise<{ completed: string[]; failed: string; processing: string; all: string[] }> {
  const first = await h.image({ prompt: 'first' });
  await h.ended(first);
  const second = await h.image({ prompt: 'second' });
  await h.ended(second);
  h.sandbox.addFault({ kind: 'fail', route: 'generate/image' });
  const failed = await h.image({ prompt: 'third' });
  await h.ended(failed);
  const reply = await h.generate('video', { prompt: 'fourth' });
  const processing = String(field(reply.json, 'id'));
  return { completed: [second, first], failed, processing, all: [processing, failed, second, first] };
}

describe('aivisualstudio sandbox: list generations', () => {
  it('lists newest first as {data, total, limit, offset} with 20 and 0 by default', async () => {
    const h = await setup();
    const made = await mixed(h);
    const reply = await h.call('GET', '/api/v1/generations');
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json as object).sort()).toEqual(['data', 'limit', 'offset', 'total']);
    expect(reply.json).toMatchObject({ total: 4, limit: 20, offset: 0 });
    expect(ids(reply.json)).toEqual(made.all);
    const statuses = (field(reply.json, 'data') as { status: string }[]).map((item) => item.status);
    expect(statuses).toEqual(['processing', 'failed', 'completed', 'completed']);
  });

  it.each([
    ['type=image', (m: Awaited<ReturnType<typeof mixed>>) => [m.failed, ...m.completed]],
    ['type=video', (m: Awaited<ReturnType<typeof mixed>>) => [m.processing]],
    ['status=completed', (m: Awaited<ReturnType<typeof mixed>>) => m.completed],
    ['status=failed', (m: Awaited<ReturnType<typeof mixed>>) => [m.failed]],
    ['status=processing', (m: Awaited<ReturnType<typeof mixed>>) => [m.processing]],
    ['type=video&status=completed', () => []],
    ['type=image&status=completed&colour=red', (m: Awaited<ReturnType<typeof mixed>>) => m.completed],
  ])('filters by %s, total counting every match', async (query, expected) => {
    const h = await setup();
    const made = await mixed(h);
    const reply = await h.call('GET', `/api/v1/generations?${query}`);
    expect(reply.status, reply.text).toBe(200);
    expect(ids(reply.json)).toEqual(expected(made));
    expect(field(reply.json, 'total')).toBe(expected(made).length);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('pages with limit and offset; total stays the count of every match', async () => {
    const h = await setup({ durationsMs: { image: 600_000 } });
    const made: string[] = [];
    for (let index = 0; index < 5; index += 1) made.unshift(await h.image({ prompt: `n${index}` }));
    const page = await h.call('GET', '/api/v1/generations?limit=2&offset=1');
    expect(page.json).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(ids(page.json)).toEqual(made.slice(1, 3));
    const tail = await h.call('GET', '/api/v1/generations?limit=100&offset=4');
    expect(ids(tail.json)).toEqual(made.slice(4));
    const beyond = await h.call('GET', '/api/v1/generations?offset=50');
    expect(beyond.json).toMatchObject({ data: [], total: 5 });
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit-range', 'limit'],
    ['limit=101', 'limit-range', 'limit'],
    ['limit=abc', 'limit-type', 'limit'],
    ['limit=2.5', 'limit-type', 'limit'],
    ['limit=', 'limit-type', 'limit'],
    ['limit=-1', 'limit-type', 'limit'],
    ['offset=-1', 'offset', 'offset'],
    ['offset=x', 'offset', 'offset'],
    ['type=audio', 'type-filter', 'type'],
    ['status=done', 'status-filter', 'status'],
    ['status=pending', 'status-filter', 'status'],
    ['status=canceled', 'status-filter', 'status'],
  ])('refuses ?%s: 400 invalid_request, %s', async (query, rule, name) => {
    const h = await setup();
    const reply = await h.call('GET', `/api/v1/generations?${query}`);
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatchObject({ code: 'invalid_request', details: { rule, field: name } });
    expect(h.rules()).toEqual([rule]);
  });

  it('takes the filters in the doc’s words in every reading: pending counts as processing, canceled as failed', async () => {
    const h = await setup({ forms: { statuses: 'pending' }, durationsMs: { image: 600_000 } });
    const pending = await h.image();
    const listed = await h.call('GET', '/api/v1/generations?status=processing');
    expect(ids(listed.json)).toEqual([pending]);
    expect((field(listed.json, 'data') as { status: string }[])[0]?.status).toBe('pending');

    const other = await setup({ forms: { statuses: 'canceled' }, durationsMs: { image: 20 } });
    other.sandbox.addFault({ kind: 'fail' });
    const failed = await other.image();
    await other.ended(failed);
    const failedList = await other.call('GET', '/api/v1/generations?status=failed');
    expect(ids(failedList.json)).toEqual([failed]);
    expect((field(failedList.json, 'data') as { status: string }[])[0]?.status).toBe('canceled');
  });

  it('lists every key’s generations: the keys share one account', async () => {
    const h = await setup({
      keys: [
        { key: 'avs_live_first_key', scopes: ['read', 'generate:image'] },
        { key: 'avs_live_second_key', scopes: ['read', 'generate:image'] },
      ],
    });
    const mine = await h.image();
    const theirs = await h.generate('image', { prompt: 'theirs' }, { key: 'avs_live_second_key' });
    const reply = await h.call('GET', '/api/v1/generations');
    expect(ids(reply.json)).toEqual([String(field(theirs.json, 'id')), mine]);
  });
});

describe('aivisualstudio sandbox: models', () => {
  it('lists the catalog as {data, total}, each model with the doc’s fields', async () => {
    const h = await setup();
    const reply = await h.call('GET', '/api/v1/models');
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json as object).sort()).toEqual(['data', 'total']);
    expect(field(reply.json, 'total')).toBe(7);
    const data = field(reply.json, 'data') as Record<string, unknown>[];
    for (const model of data) {
      expect(Object.keys(model).sort()).toEqual(
        ['category', 'credits_per_generation', 'description', 'id', 'name', 'type'].sort(),
      );
    }
    expect(data).toContainEqual({
      id: 'prunaai/z-image-turbo',
      name: 'Z-Image Turbo',
      type: 'image',
      credits_per_generation: 5,
      description: 'Fast image generation',
      category: 'image-generation',
    });
    expect(data).toContainEqual({
      id: 'minimax/hailuo-2.3-fast',
      name: 'Hailuo 2.3 Fast',
      type: 'video',
      credits_per_generation: 450,
      description: 'Fast video generation',
      category: 'video-generation',
    });
  });

  it.each([
    ['image', 4],
    ['video', 3],
  ])('filters ?type=%s to %i models', async (type, count) => {
    const h = await setup();
    const reply = await h.call('GET', `/api/v1/models?type=${type}`);
    const data = field(reply.json, 'data') as { type: string }[];
    expect(data).toHaveLength(count);
    expect(data.every((model) => model.type === type)).toBe(true);
    expect(field(reply.json, 'total')).toBe(count);
  });

  it('refuses ?type=audio with type-filter', async () => {
    const h = await setup();
    const reply = await h.call('GET', '/api/v1/models?type=audio');
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual(['type-filter']);
  });

  it('serves a catalog given in the options, and charges by it', async () => {
    const only = { ...MODELS[0], id: 'acme/tiny', credits_per_generation: 1 } as (typeof MODELS)[number];
    const h = await setup({ models: [only] });
    const reply = await h.call('GET', '/api/v1/models');
    expect(reply.json).toEqual({ data: [only], total: 1 });
    const created = await h.generate('image', { prompt: 'p', model: 'acme/tiny' });
    expect(field(created.json, 'credits_charged')).toBe(1);
    expect((await h.generate('image', { prompt: 'p' })).status).toBe(400);
    expect(h.rules()).toEqual(['model-unknown']);
  });
});
