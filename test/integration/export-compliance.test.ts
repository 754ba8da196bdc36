import fs from 'node:fs';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DIGITAL_SOURCE_TYPES } from '../../shared/operation-effects';
import { parseCsv } from '../../main/engine/export/alterations-log';
import { call, until } from '../support/engine';
import { filesUnder } from '../support/exports';
import { iacreaRecipes, iacreaShoot, jobsEnded } from '../support/iacrea';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => exiftool.end());

const FOUR = [
  'photos/dune_canon-rebel.jpg',
  'photos/fog_hp-photosmart735.jpg',
  'photos/grace_hopper.jpg',
  'photos/storm_canon-400d.jpg',
];

describe('a compliance export of altered work', () => {
  it('writes 3 labelled concepts with their 3 originals beside them, the enhanced photo unlabelled, and a log of the 3', async () => {
    const { engine, shootId, assets } = await iacreaShoot(cleanups, FOUR);
    const { exterior } = await iacreaRecipes(engine, 'POOL');
    const altered = assets.slice(0, 3).map((asset) => asset.id);
    const enhanced = assets[3]?.id ?? '';
    const concepts = await call(engine, 'recipes.run', { recipeId: exterior.id, assetIds: altered });
    const enhance = await call(engine, 'recipes.create', {
      name: 'Enhance',
      provider: 'local',
      operation: 'enhance',
      params: { preset: 'auto', output: 'jpeg' },
    });
    const local = await call(engine, 'recipes.run', { recipeId: enhance.id, assetIds: [enhanced] });
    await jobsEnded(engine, [...concepts.jobIds, ...local.jobIds]);
    // The third concept is enhanced afterwards: still a concept, disclosed and logged as one.
    const [third] = await call(engine, 'variants.list', { assetId: altered[2] ?? '' });
    const touchUp = await call(engine, 'recipes.run', { recipeId: enhance.id, variantIds: [third?.id ?? ''] });
    await jobsEnded(engine, touchUp.jobIds);
    // One result of each photo approved: the first, and for the third its enhanced concept.
    for (const asset of assets) {
      const made = await call(engine, 'variants.list', { assetId: asset.id });
      const chosen = asset.id === altered[2] ? made.find((variant) => variant.jobId === touchUp.jobIds[0]) : made[0];
      await call(engine, 'variants.update', { id: chosen?.id ?? '', approved: true });
    }

    const listing = (await call(engine, 'exports.presets', {})).find((entry) => entry.preset.name === 'Listing (MLS)');
    const target = tempDir();
    const started = await call(engine, 'exports.start', {
      shootId,
      preset: { ...listing?.preset, filenameTemplate: '{name}', outputFolder: 'Listing', pairOriginals: true },
      targetRoot: target,
    });
    const run = await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === started.id),
      (entry) => entry !== undefined && entry.state !== 'running',
    );
    expect(run).toMatchObject({ state: 'done', done: 4, failed: 0 });

    const stems = FOUR.map((file) => path.parse(file).name);
    const [a, b, c, d] = stems;
    expect(filesUnder(path.join(target, 'Listing'))).toEqual(
      [
        'alterations.csv',
        `${a}.jpg`,
        `${a}_original.jpg`,
        `${b}.jpg`,
        `${b}_original.jpg`,
        `${c}.jpg`,
        `${c}_original.jpg`,
        `${d}.jpg`,
      ].sort(),
    );
    const tags = (name: string) => exiftool.read<Record<string, unknown>>(path.join(target, 'Listing', name));
    for (const stem of [a, b, c]) {
      expect((await tags(`${stem}.jpg`)).DigitalSourceType).toBe(
        DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia,
      );
      // The original is the photo as it is: no AI source type.
      expect((await tags(`${stem}_original.jpg`)).DigitalSourceType).toBeUndefined();
    }
    // Enhanced is not altered: its own type, no pair, not in the log.
    expect((await tags(`${d}.jpg`)).DigitalSourceType).toBe(DIGITAL_SOURCE_TYPES.algorithmicallyEnhanced);

    const raw = fs.readFileSync(path.join(target, 'Listing', 'alterations.csv'), 'utf8');
    // With a byte order mark for spreadsheets; read back with the exporter's own CSV reader.
    expect(raw.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(raw.slice(1));
    expect(header).toEqual(['file', 'original', 'provider', 'operation', 'parameters', 'date']);
    expect(rows).toHaveLength(3);
    // Paths relative to the log's own folder; the enhanced concept is logged by the exterior that altered it.
    expect(rows.map((row) => row[0]).sort()).toEqual([a, b, c].map((stem) => `${stem}.jpg`).sort());
    for (const row of rows) {
      expect(row[1]).toBe((row[0] ?? '').replace('.jpg', '_original.jpg'));
      expect(row.slice(2, 4)).toEqual(['iacrea', 'exterior']);
      expect(JSON.parse(row[4] ?? '')).toEqual({ roomType: 'POOL' });
      expect(Number.isNaN(Date.parse(row[5] ?? ''))).toBe(false);
    }
  }, 180_000);
});
