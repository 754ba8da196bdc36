import { afterEach, describe, expect, it } from 'vitest';
import { IACREA_ID } from '../../main/engine/providers/iacrea';
import { renderMask } from '../../main/engine/masks/render-mask';
import type { IacreaForms } from '../sandbox/iacrea/forms';
import { call, until } from '../support/engine';
import { iacreaRecipes, iacreaShoot, jobsEnded, paintLowerHalf } from '../support/iacrea';

/**
 * Every reading the iacrea sandbox offers for a silent point of the doc (docs/providers/iacrea.md),
 * through the real queue: the adapter as shipped finishes the work, or says specifically why not.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PHOTO = 'photos/dune_canon-rebel.jpg';

/** A generation on one painted photo, then a variation of its first result with the area repainted or not. */
async function generationAndVariation(
  forms: Partial<IacreaForms>,
  { repaint = false, maskPolarity }: { repaint?: boolean; maskPolarity?: 'white' | 'black' | 'alpha' } = {},
) {
  const shoot = await iacreaShoot(cleanups, [PHOTO], {
    sandbox: { forms },
    ...(maskPolarity ? { provider: { maskPolarity } } : {}),
  });
  const { engine, assets } = shoot;
  const [photo] = assets;
  if (!photo?.width || !photo.height) throw new Error('no photo');
  const { exterior, variation } = await iacreaRecipes(engine, 'POOL');
  const first = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [photo.id] });
  const [generation] = await jobsEnded(engine, first.jobIds);
  const [result] = await call(engine, 'variants.list', { jobId: first.jobIds[0] ?? '' });
  if (!result) return { ...shoot, generation, result: null, variation: null };
  if (repaint) await paintLowerHalf(engine, photo.id, photo.width, photo.height, 0.6);
  const next = await call(engine, 'recipes.run', { recipeId: variation.id, variantIds: [result.id] });
  const [made] = await jobsEnded(engine, next.jobIds);
  return { ...shoot, generation, result, variation: made };
}

describe('iacrea: every reading of the doc’s silent points', () => {
  it.each(['error', 'message', 'errors', 'text'] as const)(
    'error bodies as `%s`: a refused generation fails with iacrea’s own words',
    async (errors) => {
      const { engine, sandbox, assets } = await iacreaShoot(cleanups, [PHOTO], {
        sandbox: { forms: { errors }, faults: [{ kind: 'fetch-expired', count: 1 }] },
      });
      const { exterior } = await iacreaRecipes(engine);
      const run = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [assets[0]?.id ?? ''] });
      const [job] = await jobsEnded(engine, run.jobIds);
      expect(job?.state).toBe('failed');
      const refusal = sandbox.violations.find((violation) => violation.fault === 'fetch-expired');
      expect(refusal?.rule).toBe('image-fetch');
      expect(sandbox.requests.find((request) => request.seq === refusal?.seq)?.status).toBe(400);
      // The words the sandbox gave, whatever their form, reach the job.
      expect(job?.lastError?.message).toMatch(/^iacrea: .*image/i);
      expect(sandbox.ledger).toHaveLength(0);
    },
  );

  it.each(['402', '403', '400'] as const)(
    'out of photos answered %s: iacrea pauses for credits, nothing fails, nothing is charged',
    async (noPhotos) => {
      const { engine, sandbox, assets } = await iacreaShoot(cleanups, [PHOTO], {
        sandbox: { forms: { noPhotos }, photos: 0 },
      });
      const { exterior } = await iacreaRecipes(engine);
      const run = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: [assets[0]?.id ?? ''] });
      const paused = await untilPaused(engine);
      expect(paused?.pausedReason).toMatch(/credit|photo/i);
      // The job is held, waiting for the account to be topped up: queued again, not failed.
      await until(
        () => call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
        (read) => read.state === 'queued',
      );
      expect(sandbox.counters.noPhotos).toBeGreaterThan(0);
      expect(sandbox.ledger).toHaveLength(0);
    },
  );

  it.each(['white', 'black', 'alpha'] as const)(
    'mask polarity %s, the adapter set to the same: the area iacrea reads is the painted one',
    async (maskPolarity) => {
      const { sandbox, generation, masks } = await generationAndVariation({ maskPolarity }, { maskPolarity });
      expect(generation?.state).toBe('done');
      const made = sandbox.generation(generation?.remoteId ?? '');
      if (!made || !masks[0]) throw new Error('no generation');
      const { width, height, pixels } = made.mask.area;
      const painted = await renderMask(masks[0].content, width, height);
      let agree = 0;
      for (let at = 0; at < width * height; at++) if ((pixels[at] ?? 0) >= 128 === (painted[at] ?? 0) >= 128) agree++;
      expect(agree / (width * height)).toBeGreaterThanOrEqual(0.99);
      expect(sandbox.violations).toEqual([]);
    },
  );

  it.each([
    ['maskFormat', 'exact'],
    ['maskFormat', 'png-exact'],
    ['maskFormat', 'same-aspect'],
    ['sizeRule', 'exact'],
    ['sizeRule', 'aspect'],
    ['sizeRule', 'none'],
    ['files', 'public'],
    ['files', 'key'],
    ['files', 'expiring'],
  ] as const)('%s read as `%s`: the generation and its variation finish, no violation', async (name, reading) => {
    const { generation, variation, sandbox } = await generationAndVariation({ [name]: reading });
    expect([generation?.state, variation?.state]).toEqual(['done', 'done']);
    expect(sandbox.violations).toEqual([]);
  });

  it.each([
    ['strings', 2],
    ['objects', 2],
    ['url', 1],
  ] as const)('urls written as `%s`: one variant per URL (%i)', async (urls, count) => {
    const { engine, generation, sandbox } = await generationAndVariation({ urls });
    const variants = await call(engine, 'variants.list', { jobId: generation?.id ?? '' });
    expect(variants).toHaveLength(count);
    expect(sandbox.violations).toEqual([]);
  });

  it.each([
    ['free', false, 0],
    ['photo', false, 1],
    ['new-mask', true, 1],
    ['new-mask', false, 0],
  ] as const)(
    'variations costing `%s` (area repainted: %s): billed %i, and the ledger brackets it',
    async (variationCost, repaint, billed) => {
      const { variation, sandbox, dataDir } = await generationAndVariation({ variationCost }, { repaint });
      expect(variation?.state).toBe('done');
      const charges = sandbox.ledger.filter((entry) => entry.kind === 'variation' && entry.photos > 0);
      expect(charges).toHaveLength(billed);
      // Ours: the generation a charge, the variation a possible one (charges ≤ billed ≤ + possible).
      const ledger = await ledgerOf(dataDir);
      expect(ledger.charges).toBe(1);
      expect(ledger.possible).toBe(1);
      expect(ledger.charges).toBeLessThanOrEqual(sandbox.ledger.length);
      expect(sandbox.ledger.length).toBeLessThanOrEqual(ledger.charges + ledger.possible);
    },
  );

  it.each(['same-size', 'same-url', 'same-bytes'] as const)(
    'original_url must be `%s`: the variation is accepted',
    async (originalUrl) => {
      const { variation, sandbox } = await generationAndVariation({ originalUrl });
      expect(variation?.state).toBe('done');
      expect(sandbox.violations.filter((violation) => violation.rule !== 'original-url-mismatch')).toEqual([]);
      if (originalUrl === 'same-url') {
        // A link signed again in another second differs from the first: refused for it, the first
        // link is sent next (signed in the same second, the two links are one and nothing is refused).
        expect(sandbox.violations.length).toBeLessThanOrEqual(1);
        expect(sandbox.counters.variations).toBe(1 + sandbox.violations.length);
      } else expect(sandbox.violations).toEqual([]);
    },
  );

  it.each([
    ['index', 1],
    ['project', 1],
    ['before', 0],
  ] as const)(
    'variationNumber read as `%s`: each variant of the first variation keeps the %i iacrea gave',
    async (variationNumber, expected) => {
      const { engine, variation, sandbox } = await generationAndVariation({ variationNumber });
      const variants = await call(engine, 'variants.list', { jobId: variation?.id ?? '' });
      expect(variants).toHaveLength(2);
      expect(variants.map((variant) => [variant.remote?.id, variant.remote?.version])).toEqual([
        [variation?.remoteId, expected],
        [variation?.remoteId, expected],
      ]);
      expect(sandbox.violations).toEqual([]);
    },
  );
});

async function untilPaused(engine: Parameters<typeof call>[0]) {
  return until(
    async () => (await call(engine, 'providers.list', {})).find((entry) => entry.id === IACREA_ID),
    (provider) => Boolean(provider?.pausedReason),
  );
}

async function ledgerOf(dataDir: string): Promise<{ charges: number; possible: number }> {
  const { openDatabase } = await import('../../main/engine/db/connection');
  const path = await import('node:path');
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  try {
    const sum = (kind: string) =>
      (
        db.prepare('SELECT COALESCE(SUM(amount), 0) AS total FROM credit_ledger WHERE kind = ?').get(kind) as {
          total: number;
        }
      ).total;
    return { charges: sum('charge'), possible: sum('possible_charge') };
  } finally {
    db.close();
  }
}
