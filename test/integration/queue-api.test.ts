import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/api';
import type { Job } from '../../shared/jobs';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { saveBudget } from '../../main/engine/db/budgets-repo';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import type { Engine } from '../../main/engine/engine';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, refusal, startTestEngine, until } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An engine with one test provider, a shoot and `assets` assets in it. */
async function setup(assets = 3) {
  const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1 });
  cleanups.push(server.close);
  const provider = testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: true });
  const { engine, dataDir, activity } = startTestEngine({ providers: [provider] });
  const seen: { event: EventName; payload: unknown }[] = [];
  engine.events.listen((event, payload) => seen.push({ event, payload }));
  const shoot = await call(engine, 'shoots.create', { name: 'Lakeside villa' });
  // Ingest lands in a later issue; until then assets are written straight into the library.
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  cleanups.push(() => db.close());
  const assetIds = Array.from({ length: assets }, (_, i) => {
    const id = randomUUID();
    insertAsset(
      db,
      {
        id,
        shootId: shoot.id,
        relativePath: `IMG_${i}.jpg`,
        contentHash: `hash-${i}`,
        sizeBytes: 100,
        width: 10,
        height: 10,
      },
      Date.now(),
    );
    return id;
  });
  return { engine, server, shoot, assetIds, db, seen, activity };
}

/**
 * Runs an action and proves the scheduler looked at the queue after it: `wake()` runs a pass
 * synchronously, so once the call has returned, any job the pass could start has been claimed
 * (it left queued/awaiting_input). No waiting: a slow engine cannot make this pass by accident.
 */
async function afterPass<T>(activity: { dispatchPasses: number }, action: () => Promise<T>): Promise<T> {
  const before = activity.dispatchPasses;
  const result = await action();
  expect(activity.dispatchPasses).toBeGreaterThan(before);
  return result;
}

/** The states of these jobs, read from the engine. */
async function statesOf(engine: Engine, ids: readonly string[]): Promise<Job['state'][]> {
  return Promise.all(ids.map(async (id) => (await call(engine, 'jobs.get', { id })).state));
}

/** Lets the shoot spend without asking (no cap). */
function autoApprove(db: Db, shootId: string): void {
  saveBudget(db, { shootId, provider: 'test', cap: null, approved: 0, autoApprove: true }, Date.now());
}

function generateRecipe(engine: Engine) {
  return call(engine, 'recipes.create', { name: 'Gen', provider: 'test', operation: 'generate', params: {} });
}

async function settledJobs(engine: Engine, ids: string[], states: Job['state'][] = ['done']): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { jobs } = await call(engine, 'jobs.list', { limit: 500 });
    const mine = jobs.filter((job) => ids.includes(job.id));
    if (mine.length === ids.length && mine.every((job) => states.includes(job.state))) return;
    if (Date.now() > deadline) throw new Error(`jobs not settled: ${JSON.stringify(mine.map((job) => job.state))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('recipes', () => {
  it('are validated against their operation, listed, updated and deleted', async () => {
    const { engine } = await setup(0);
    expect(
      await refusal(engine, 'recipes.create', { name: 'x', provider: 'nobody', operation: 'generate', params: {} }),
    ).toMatchObject({
      code: 'invalid_input',
      message: 'No provider named nobody.',
    });
    expect(
      await refusal(engine, 'recipes.create', { name: 'x', provider: 'test', operation: 'fly', params: {} }),
    ).toMatchObject({
      code: 'invalid_input',
    });
    const bad = await refusal(engine, 'recipes.create', {
      name: 'x',
      provider: 'test',
      operation: 'generate',
      params: { variants: 9 },
    });
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/^variants:/);

    const recipe = await call(engine, 'recipes.create', {
      name: 'Two looks',
      provider: 'test',
      operation: 'generate',
      params: { variants: 2 },
    });
    expect(recipe.params).toEqual({ variants: 2 });
    const defaults = await call(engine, 'recipes.create', {
      name: 'Default',
      provider: 'test',
      operation: 'generate',
      params: {},
    });
    expect(defaults.params).toEqual({ variants: 1 });
    // Listed by name, beside the one every library starts with.
    expect((await call(engine, 'recipes.list', {})).map((r) => r.name)).toEqual([
      'Default',
      'Local · Auto enhance',
      'Two looks',
    ]);
    const renamed = await call(engine, 'recipes.update', {
      id: recipe.id,
      name: 'Three looks',
      params: { variants: 3 },
    });
    expect(renamed).toMatchObject({ name: 'Three looks', params: { variants: 3 } });
    expect((await refusal(engine, 'recipes.update', { id: recipe.id, params: { variants: 0 } })).code).toBe(
      'invalid_input',
    );
    await call(engine, 'recipes.delete', { id: recipe.id });
    expect((await refusal(engine, 'recipes.delete', { id: recipe.id })).code).toBe('not_found');
  });
});

describe('running a recipe', () => {
  it('makes one job per asset that runs to variants, announced as it goes, and the editor culls them', async () => {
    const { engine, assetIds, seen, shoot, db } = await setup(3);
    autoApprove(db, shoot.id);
    const recipe = await generateRecipe(engine);
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    expect(run).toMatchObject({ totalEstimate: 3, awaitingApproval: 0, awaitingInput: 0 });
    await settledJobs(engine, run.jobIds);

    const updates = seen.filter((entry) => entry.event === 'job.updated').map((entry) => (entry.payload as Job).state);
    expect(updates).toEqual(
      expect.arrayContaining(['queued', 'preparing', 'submitting', 'remote', 'fetching', 'done']),
    );
    const detail = await call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' });
    expect(detail.steps).toEqual([expect.objectContaining({ step: 'create', state: 'done' })]);
    expect(detail.events.map((event) => event.toState)).toEqual([
      'queued',
      'preparing',
      'submitting',
      'remote',
      'fetching',
      'done',
    ]);
    expect(detail.costCharged).toBe(1);

    const variants = await call(engine, 'variants.list', { shootId: shoot.id });
    expect(variants).toHaveLength(3);
    expect(new Set(variants.map((variant) => variant.assetId))).toEqual(new Set(assetIds));
    const picked = await call(engine, 'variants.update', {
      id: variants[0]?.id ?? '',
      pick: 'picked',
      rating: 4,
      approved: true,
    });
    expect(picked).toMatchObject({ pick: 'picked', rating: 4, approved: true });
    expect(seen.some((entry) => entry.event === 'variant.updated')).toBe(true);
    expect((await call(engine, 'variants.list', { assetId: picked.assetId ?? '' }))[0]).toMatchObject({
      rating: 4,
      approved: true,
    });
    expect((await refusal(engine, 'variants.update', { id: variants[0]?.id ?? '', rating: 6 })).code).toBe(
      'invalid_input',
    );

    expect((await call(engine, 'queue.stats', {})).byState).toEqual({ done: 3 });
  });

  it('holds a new shoot’s paid jobs for approval, releases what is approved, and refuses to approve past the cap', async () => {
    const { engine, assetIds, shoot, db, server, activity } = await setup(3);
    saveBudget(db, { shootId: shoot.id, provider: 'test', cap: 2, approved: 0, autoApprove: false }, Date.now());
    const recipe = await generateRecipe(engine);
    // The estimate says what a run will do, with the same rules, and changes nothing.
    expect(await call(engine, 'recipes.estimate', { recipeId: recipe.id, assetIds })).toEqual({
      jobs: 3,
      totalEstimate: 3,
      awaitingApproval: 3,
      awaitingInput: 0,
      refused: [],
      repeats: [],
    });
    expect((await call(engine, 'jobs.list', {})).jobs).toEqual([]);
    await call(engine, 'settings.set', { patch: { retryLimit: 3 } });
    const run = await afterPass(activity, () => call(engine, 'recipes.run', { recipeId: recipe.id, assetIds }));
    expect(run).toMatchObject({ totalEstimate: 3, awaitingApproval: 3 });
    // New jobs take the retry limit from Settings.
    expect((await call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' })).maxAttempts).toBe(3);
    // Nothing paid before approval: the pass the run caused left every job waiting.
    expect(await statesOf(engine, run.jobIds)).toEqual(['awaiting_input', 'awaiting_input', 'awaiting_input']);
    expect(server.totals.submits).toBe(0);

    expect(await refusal(engine, 'jobs.approveBudget', { shootId: shoot.id })).toMatchObject({ code: 'conflict' });
    expect(await refusal(engine, 'jobs.approveBudget', { shootId: shoot.id, amount: 2 })).toMatchObject({
      code: 'invalid_input',
    });
    const approved = await call(engine, 'jobs.approveBudget', { shootId: shoot.id, provider: 'test', amount: 2 });
    expect(approved).toMatchObject({ released: 2 });
    expect(approved.budgets).toEqual([
      expect.objectContaining({ provider: 'test', cap: 2, approved: 2, awaiting: { jobs: 1, amount: 1 } }),
    ]);
    await settledJobs(engine, run.jobIds.slice(0, 2));
    const { jobs } = await call(engine, 'jobs.list', { shootId: shoot.id, states: ['awaiting_input'], limit: 10 });
    expect(jobs.map((job) => [job.id, job.waitingFor])).toEqual([[run.jobIds[2], 'approval']]);
    expect(server.charged.size).toBe(2);
  });

  it('waits for a mask the operation needs, and starts when it is saved', async () => {
    const { engine, assetIds, shoot, db } = await setup(1);
    autoApprove(db, shoot.id);
    const recipe = await call(engine, 'recipes.create', {
      name: 'Paint',
      provider: 'test',
      operation: 'paint',
      params: {},
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    expect(run.awaitingInput).toBe(1);
    const [jobId = ''] = run.jobIds;
    expect(await call(engine, 'jobs.get', { id: jobId })).toMatchObject({
      state: 'awaiting_input',
      waitingFor: 'mask',
    });
    expect((await refusal(engine, 'masks.get', { assetId: assetIds[0] ?? '', purpose: 'exterior' })).code).toBe(
      'not_found',
    );

    const content = {
      width: 10,
      height: 10,
      strokes: [{ points: [{ x: 5, y: 5 }], size: 4, mode: 'paint' as const }],
    };
    const mask = await call(engine, 'masks.save', { assetId: assetIds[0] ?? '', purpose: 'exterior', content });
    expect(mask).toMatchObject({ version: 1, name: 'Exterior', purpose: 'exterior' });
    await settledJobs(engine, [jobId]);
    expect((await call(engine, 'jobs.get', { id: jobId })).inputs.mask).toEqual({ maskId: mask.id, version: 1 });
    const again = await call(engine, 'masks.save', { assetId: assetIds[0] ?? '', purpose: 'exterior', content });
    expect(again).toMatchObject({ id: mask.id, version: 2 });
    // The job keeps the version it was given; the first version is still there to read.
    expect((await call(engine, 'jobs.get', { id: jobId })).inputs.mask).toEqual({ maskId: mask.id, version: 1 });
    expect((await call(engine, 'masks.version', { id: mask.id, version: 1 })).content.strokes).toHaveLength(1);
    expect(await call(engine, 'masks.list', { assetId: assetIds[0] ?? '' })).toHaveLength(1);
  });
});

describe('masks with names and versions', () => {
  it('names masks, versions every save, and keeps the version an unfinished job holds when its mask is deleted', async () => {
    const { engine, assetIds, shoot, db } = await setup(1);
    autoApprove(db, shoot.id);
    await call(engine, 'queue.pause', { scope: 'global' });
    const assetId = assetIds[0] ?? '';
    const stroke = (x: number) => ({
      width: 10,
      height: 10,
      strokes: [{ points: [{ x, y: 5 }], size: 3, mode: 'paint' as const }],
    });
    const first = await call(engine, 'masks.save', { assetId, purpose: 'exterior', content: stroke(2) });
    const second = await call(engine, 'masks.save', { assetId, purpose: 'exterior', content: stroke(5) });
    expect(second).toMatchObject({ id: first.id, version: 2, name: 'Exterior' });
    // Another name is another mask of the same photo and purpose; saving under its name versions it.
    const garden = await call(engine, 'masks.save', {
      assetId,
      purpose: 'exterior',
      name: 'Garden',
      content: stroke(8),
    });
    expect(garden.id).not.toBe(first.id);
    expect(
      await call(engine, 'masks.save', { assetId, purpose: 'exterior', name: 'Garden', content: stroke(7) }),
    ).toMatchObject({
      id: garden.id,
      version: 2,
    });
    expect((await call(engine, 'masks.list', { assetId })).map((mask) => [mask.name, mask.version])).toEqual([
      ['Exterior', 2],
      ['Garden', 2],
    ]);
    // A mask painted on another picture size is refused with both sizes named.
    expect(
      (await refusal(engine, 'masks.save', { assetId, purpose: 'exterior', content: { ...stroke(5), width: 20 } }))
        .message,
    ).toContain('20 × 10');

    const recipe = await call(engine, 'recipes.create', {
      name: 'Paint',
      provider: 'test',
      operation: 'paint',
      params: {},
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    const job = await call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' });
    // Planned with the photo's mask of that purpose saved last, at its current version.
    expect(job.inputs.mask).toEqual({ maskId: garden.id, version: 2 });
    await call(engine, 'masks.delete', { id: garden.id });
    expect((await call(engine, 'masks.list', { assetId })).map((mask) => mask.name)).toEqual(['Exterior']);
    expect((await refusal(engine, 'masks.get', { id: garden.id })).code).toBe('not_found');
    // The job still has what it was planned with; the version nobody holds is gone.
    expect((await call(engine, 'masks.version', { id: garden.id, version: 2 })).content.strokes[0]?.points).toEqual([
      { x: 7, y: 5 },
    ]);
    expect((await refusal(engine, 'masks.version', { id: garden.id, version: 1 })).code).toBe('not_found');
    // A mask nobody deleted keeps every version.
    expect((await call(engine, 'masks.version', { id: first.id, version: 1 })).content.strokes[0]?.points).toEqual([
      { x: 2, y: 5 },
    ]);
    // And the job runs with the version it holds, its mask deleted or not.
    await call(engine, 'queue.resume', { scope: 'global' });
    const done = await until(
      () => call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
      (ran) => ran.state === 'done' || ran.state === 'failed',
    );
    expect(done).toMatchObject({ state: 'done', inputs: { mask: { maskId: garden.id, version: 2 } } });
  });

  it('runs with the mask the user chose for the photo, and refuses a mask of another purpose or photo', async () => {
    const { engine, assetIds: both, shoot, db } = await setup(2);
    autoApprove(db, shoot.id);
    await call(engine, 'queue.pause', { scope: 'global' });
    const [assetId = '', otherId = ''] = both;
    const assetIds = [assetId];
    const content = { width: 10, height: 10, strokes: [{ points: [{ x: 5, y: 5 }], size: 3, mode: 'paint' as const }] };
    const pool = await call(engine, 'masks.save', { assetId, purpose: 'exterior', name: 'Pool', content });
    const terrace = await call(engine, 'masks.save', { assetId, purpose: 'exterior', name: 'Terrace', content });
    const spots = await call(engine, 'masks.save', { assetId, purpose: 'heal', content });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Paint',
      provider: 'test',
      operation: 'paint',
      params: {},
    });

    const chosen = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds, masks: [pool.id] });
    expect((await call(engine, 'jobs.get', { id: chosen.jobIds[0] ?? '' })).inputs.mask).toEqual({
      maskId: pool.id,
      version: 1,
    });
    const latest = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    expect((await call(engine, 'jobs.get', { id: latest.jobIds[0] ?? '' })).inputs.mask?.maskId).toBe(terrace.id);
    const wrong = await refusal(engine, 'recipes.run', { recipeId: recipe.id, assetIds, masks: [spots.id] });
    expect(wrong).toMatchObject({ code: 'invalid_input' });
    expect(wrong.message).toContain('heal mask');
    expect((await refusal(engine, 'recipes.estimate', { recipeId: recipe.id, assetIds, masks: ['nope'] })).code).toBe(
      'not_found',
    );
    // A mask of a photo the run does not include is a mistake, not silently ignored.
    const elsewhere = await refusal(engine, 'recipes.run', {
      recipeId: recipe.id,
      assetIds: [otherId],
      masks: [pool.id],
    });
    expect(elsewhere.message).toContain('does not include');
  });
});

describe('controlling the queue', () => {
  it('pauses and resumes, cancels, retries, moves to top and pages through jobs', async () => {
    const { engine, assetIds, shoot, db, server, activity } = await setup(5);
    autoApprove(db, shoot.id);
    const paused = await call(engine, 'queue.pause', { scope: 'global' });
    expect(paused.paused.global).toBe(true);
    expect((await refusal(engine, 'queue.pause', { scope: 'provider' })).code).toBe('invalid_input');

    const recipe = await generateRecipe(engine);
    const run = await afterPass(activity, () => call(engine, 'recipes.run', { recipeId: recipe.id, assetIds }));
    expect(new Set(await statesOf(engine, run.jobIds))).toEqual(new Set(['queued']));
    expect(server.totals.requests).toBe(0);

    const last = run.jobIds.at(-1) ?? '';
    const top = await call(engine, 'jobs.moveToTop', { id: last });
    expect(top.priority).toBeGreaterThan(0);
    const canceled = await call(engine, 'jobs.cancel', { id: run.jobIds[0] ?? '' });
    expect(canceled.state).toBe('canceled');
    expect((await refusal(engine, 'jobs.cancel', { id: run.jobIds[0] ?? '' })).code).toBe('conflict');

    const page1 = await call(engine, 'jobs.list', { shootId: shoot.id, limit: 2 });
    const page2 = await call(engine, 'jobs.list', { shootId: shoot.id, limit: 2, cursor: page1.nextCursor ?? '' });
    const page3 = await call(engine, 'jobs.list', { shootId: shoot.id, limit: 2, cursor: page2.nextCursor ?? '' });
    expect([...page1.jobs, ...page2.jobs, ...page3.jobs].map((job) => job.id)).toEqual(run.jobIds);
    expect(page3.nextCursor).toBeNull();
    expect((await refusal(engine, 'jobs.list', { limit: 2, cursor: 'garbage' })).code).toBe('invalid_input');

    await call(engine, 'queue.resume', { scope: 'global' });
    await settledJobs(engine, run.jobIds.slice(1));
    const order = db.prepare("SELECT job_id FROM job_events WHERE event = 'dispatch' ORDER BY id").all() as {
      job_id: string;
    }[];
    expect(order[0]?.job_id).toBe(last); // moved to the top: dispatched first

    const retried = await call(engine, 'jobs.retry', { id: run.jobIds[0] ?? '' });
    expect(retried).toMatchObject({ state: 'queued', attempts: 0 });
    await settledJobs(engine, run.jobIds);
    expect((await refusal(engine, 'jobs.retry', { id: run.jobIds[0] ?? '' })).code).toBe('conflict');
    expect((await refusal(engine, 'jobs.get', { id: 'nope' })).code).toBe('not_found');
    const stats = await call(engine, 'queue.stats', {});
    expect(stats).toMatchObject({ byState: { done: 5 }, byProvider: { test: { done: 5 } }, etaMs: 0 });
  });

  it('starts paused after a restart when the setting says so', async () => {
    const { engine, dataDir } = startTestEngine();
    await call(engine, 'settings.set', { patch: { startQueuePaused: true } });
    await engine.stop();
    engine.start();
    expect((await call(engine, 'queue.stats', {})).paused.global).toBe(true);
    expect(dataDir.length).toBeGreaterThan(0);
  });
});

describe('pausing a provider or a shoot', () => {
  it('holds only what is paused; the rest carries on', async () => {
    const { engine, assetIds, shoot, db, server, activity } = await setup(2);
    autoApprove(db, shoot.id);
    const other = await call(engine, 'shoots.create', { name: 'Harbour loft' });
    autoApprove(db, other.id);
    const otherAsset = randomUUID();
    insertAsset(
      db,
      { id: otherAsset, shootId: other.id, relativePath: 'x.jpg', contentHash: 'h', sizeBytes: 1, width: 1, height: 1 },
      Date.now(),
    );
    const recipe = await generateRecipe(engine);

    const stats = await call(engine, 'queue.pause', { scope: 'shoot', id: shoot.id });
    expect(stats.paused.shoots).toEqual([shoot.id]);
    const held = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    const going = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [otherAsset] });
    await settledJobs(engine, going.jobIds);
    const { jobs } = await call(engine, 'jobs.list', { shootId: shoot.id, limit: 10 });
    expect(jobs.map((job) => job.state)).toEqual(['queued', 'queued']);
    expect(server.charged.size).toBe(1);

    await call(engine, 'queue.pause', { scope: 'provider', id: 'test' });
    await afterPass(activity, () => call(engine, 'queue.resume', { scope: 'shoot', id: shoot.id }));
    // The provider is still paused: the pass the resume caused started nothing.
    expect(await statesOf(engine, held.jobIds)).toEqual(['queued', 'queued']);
    expect(server.charged.size).toBe(1);
    const resumed = await call(engine, 'queue.resume', { scope: 'provider', id: 'test' });
    expect(resumed.paused).toMatchObject({ global: false, providers: [], shoots: [] });
    await settledJobs(engine, held.jobIds);
    expect(server.charged.size).toBe(3);
  });
});

describe('a mask does not skip the budget', () => {
  it('a paid job released by its mask still waits for the approval of its spend', async () => {
    const { engine, assetIds, shoot, db, server, activity } = await setup(1);
    saveBudget(db, { shootId: shoot.id, provider: 'test', cap: 5, approved: 0, autoApprove: false }, Date.now());
    const recipe = await call(engine, 'recipes.create', {
      name: 'Paint',
      provider: 'test',
      operation: 'paint',
      params: {},
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    const content = {
      width: 10,
      height: 10,
      strokes: [{ points: [{ x: 5, y: 5 }], size: 4, mode: 'paint' as const }],
    };
    await afterPass(activity, () =>
      call(engine, 'masks.save', { assetId: assetIds[0] ?? '', purpose: 'exterior', content }),
    );
    const [jobId = ''] = run.jobIds;
    // The pass the saved mask caused found the job waiting for approval, so nothing was sent.
    expect(await call(engine, 'jobs.get', { id: jobId })).toMatchObject({
      state: 'awaiting_input',
      waitingFor: 'approval',
    });
    expect(server.totals.submits).toBe(0);
    expect(await call(engine, 'jobs.approveBudget', { shootId: shoot.id })).toMatchObject({ released: 1 });
    await settledJobs(engine, [jobId]);
  });
});
