import path from 'node:path';
import { openDatabase } from '../../main/engine/db/connection';
import { afterEach, describe, expect, it } from 'vitest';
import { IACREA_ID } from '../../main/engine/providers/iacrea';
import { renderMask } from '../../main/engine/masks/render-mask';
import { call } from '../support/engine';
import { iacreaRecipes, iacreaShoot, jobsEnded, paintLowerHalf } from '../support/iacrea';

const cleanups: (() => unknown)[] = [];

/** The engine's own credit ledger, read from its library file. */
function creditLedger(dataDir: string): { kind: string; amount: number }[] {
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  try {
    return db.prepare('SELECT kind, amount FROM credit_ledger ORDER BY id').all() as { kind: string; amount: number }[];
  } finally {
    db.close();
  }
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FOUR = [
  'photos/dune_canon-rebel.jpg',
  'photos/fog_hp-photosmart735.jpg',
  'photos/grace_hopper.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
];

describe('iacrea through the real queue, against the sandbox, with staging on s3rver', () => {
  it('4 painted photos make one variant per returned URL, 4 photos charged, and the balance is the last answer’s', async () => {
    const { engine, sandbox, shootId, assets } = await iacreaShoot(cleanups, FOUR);
    const { exterior } = await iacreaRecipes(engine, 'POOL');
    const run = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: assets.map((asset) => asset.id) });
    expect(run).toMatchObject({ totalEstimate: 4, awaitingInput: 0 });
    const jobs = await jobsEnded(engine, run.jobIds);
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'done', 'done']);

    // The sandbox answers 2 URLs a generation: 8 variants, each of its photo, knowing its generation.
    const variants = await call(engine, 'variants.list', { shootId });
    expect(variants).toHaveLength(8);
    for (const variant of variants) {
      const job = jobs.find((candidate) => candidate.id === variant.jobId);
      expect(variant.remote?.id).toBe(job?.remoteId);
      expect(variant.remote?.version).toBe(0);
      expect(variant.assetId).toBe(job?.inputs.source?.assetId);
      expect(sandbox.generation(variant.remote?.id ?? '')?.image.width).toBe(variant.width);
    }
    expect(sandbox.ledger.filter((entry) => entry.photos === 1)).toHaveLength(4);
    const provider = (await call(engine, 'providers.list', {})).find((entry) => entry.id === IACREA_ID);
    expect(provider?.balance).toBe(96);
    const [budget] = await call(engine, 'budgets.list', { shootId });
    expect(budget).toMatchObject({ provider: IACREA_ID, committed: 4 });
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('a variation reuses the first area unless the area was repainted; both are more variants of the photo', async () => {
    const { engine, dataDir, sandbox, shootId, assets } = await iacreaShoot(cleanups, FOUR.slice(0, 1));
    const [photo] = assets;
    if (!photo?.width || !photo.height) throw new Error('no photo');
    const { exterior, variation } = await iacreaRecipes(engine, 'TERRACE');
    const first = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [photo.id] });
    await jobsEnded(engine, first.jobIds);
    const [result] = await call(engine, 'variants.list', { shootId });
    if (!result) throw new Error('no result');

    // Same area: no mask is sent, iacrea reuses the first generation's.
    const same = await call(engine, 'recipes.run', { recipeId: variation.id, variantIds: [result.id] });
    const [sameJob] = await jobsEnded(engine, same.jobIds);
    expect(sameJob?.state).toBe('done');
    const reused = sandbox.generation(sameJob?.remoteId ?? '');
    expect(reused?.mask.reusedFrom).toBe(result.remote?.id);

    // The area repainted: the new mask goes with the variation.
    await paintLowerHalf(engine, photo.id, photo.width, photo.height, 0.7);
    const repainted = await call(engine, 'recipes.run', { recipeId: variation.id, variantIds: [result.id] });
    const [newJob] = await jobsEnded(engine, repainted.jobIds);
    expect(newJob?.state).toBe('done');
    expect(sandbox.generation(newJob?.remoteId ?? '')?.mask.reusedFrom ?? null).toBeNull();

    const variants = await call(engine, 'variants.list', { assetId: photo.id });
    expect(variants).toHaveLength(6);
    expect(
      variants.filter((variant) => variant.jobId === newJob?.id).map((variant) => variant.remote?.version),
    ).toEqual([2, 2]);
    // A variation's cost is not known (the doc is silent; the sandbox makes them free by default):
    // 1 photo charged, 2 possible charges, so the ledger brackets what was billed.
    const ledger = creditLedger(dataDir);
    expect(ledger.filter((entry) => entry.kind === 'charge').map((entry) => entry.amount)).toEqual([1]);
    expect(ledger.filter((entry) => entry.kind === 'possible_charge')).toHaveLength(2);
    expect(sandbox.ledger).toHaveLength(1);
    // The shoot's budget counts them in full: a capped shoot cannot run variations without end.
    const [budget] = await call(engine, 'budgets.list', { shootId });
    expect(budget).toMatchObject({ committed: 3 });

    // A variation that FAILED gives its possible charge back, as iacrea gives a photo back.
    sandbox.addFault({ kind: 'fail', count: 1 });
    const failing = await call(engine, 'recipes.run', { recipeId: variation.id, variantIds: [result.id] });
    const [failed] = await jobsEnded(engine, failing.jobIds);
    expect(failed?.state).toBe('failed');
    expect(
      creditLedger(dataDir)
        .filter((entry) => entry.kind === 'refund')
        .map((entry) => entry.amount),
    ).toEqual([1]);
    const [after] = await call(engine, 'budgets.list', { shootId });
    expect(after).toMatchObject({ committed: 3 });
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('a FAILED generation is refunded: the ledger gives the photo back and the shoot’s net spend counts it back', async () => {
    const { engine, dataDir, sandbox, shootId, assets } = await iacreaShoot(cleanups, FOUR.slice(0, 2), {
      sandbox: { faults: [{ kind: 'fail', count: 1 }] },
    });
    const { exterior } = await iacreaRecipes(engine, 'PETANQUE');
    const first = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [assets[0]?.id ?? ''] });
    const [failed] = await jobsEnded(engine, first.jobIds);
    expect(failed?.state).toBe('failed');
    expect(failed?.lastError?.message).toContain('iacrea: the exterior could not be made');
    const second = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [assets[1]?.id ?? ''] });
    expect((await jobsEnded(engine, second.jobIds)).map((job) => job.state)).toEqual(['done']);

    expect(sandbox.ledger.map((entry) => entry.photos)).toEqual([1, -1, 1]);
    const ledger = creditLedger(dataDir);
    expect(ledger.filter((entry) => entry.kind === 'refund').map((entry) => entry.amount)).toEqual([1]);
    const [budget] = await call(engine, 'budgets.list', { shootId });
    expect(budget).toMatchObject({ committed: 1 });
    expect(sandbox.violations).toEqual([]);
  }, 120_000);
});

describe('the mask iacrea receives is the painted area', () => {
  it.each([
    ['an upright photo', 'photos/dune_canon-rebel.jpg'],
    ['an orientation-6 photo', 'orientation/orient6_bythewater.jpg'],
  ])(
    'for %s, at least 99%% of its pixels agree with the painted area',
    async (_label, file) => {
      const { engine, sandbox, assets, masks } = await iacreaShoot(cleanups, [file]);
      const { exterior } = await iacreaRecipes(engine, 'POOL');
      const run = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [assets[0]?.id ?? ''] });
      const [job] = await jobsEnded(engine, run.jobIds);
      const generation = sandbox.generation(job?.remoteId ?? '');
      if (!generation) throw new Error('the sandbox has no such generation');
      // The photo went upright: the sandbox read it at the photo's upright size, and so the mask.
      expect([generation.image.width, generation.image.height]).toEqual([assets[0]?.width, assets[0]?.height]);
      const { width, height, pixels } = generation.mask.area;
      const [mask] = masks;
      if (!mask) throw new Error('no mask');
      const painted = await renderMask(mask.content, width, height);
      let agree = 0;
      for (let at = 0; at < width * height; at++) if ((pixels[at] ?? 0) >= 128 === (painted[at] ?? 0) >= 128) agree++;
      expect(agree / (width * height)).toBeGreaterThanOrEqual(0.99);
      // And it is a real area, not an empty or a full mask agreeing by accident.
      expect(generation.mask.area.count / (width * height)).toBeGreaterThan(0.3);
      expect(generation.mask.area.count / (width * height)).toBeLessThan(0.9);
      expect(sandbox.violations).toEqual([]);
    },
    120_000,
  );
});
