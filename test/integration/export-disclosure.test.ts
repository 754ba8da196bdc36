import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generatedName } from '../../shared/job-inputs';
import { DIGITAL_SOURCE_TYPES } from '../../shared/operation-effects';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => exiftool.end());

/** How much a region of an exported picture varies: a flat result has none until a label is drawn on it. */
async function spread(file: string, region: { left: number; top: number; width: number; height: number }) {
  // stats() reads its input, not the pipeline: the region is cut out first.
  const cut = await sharp(file).extract(region).png().toBuffer();
  const { channels } = await sharp(cut).stats();
  return Math.max(...channels.map((channel) => channel.stdev));
}

describe('export says how each picture was made', () => {
  it('labels a fully generated item and a composite, each with its own IPTC DigitalSourceType (read by exiftool)', async () => {
    const server = await startTestProvider({
      dedupe: true,
      pollsUntilDone: 1,
      resultSize: { width: 800, height: 600 },
    });
    cleanups.push(server.close);
    const provider = testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: true });
    const { engine, dataDir } = startTestEngine({ providers: [provider] });
    const shoot = await call(engine, 'shoots.create', { name: 'Garden concepts' });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'test', autoApprove: true });
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    cleanups.push(() => db.close());
    const photo = randomUUID();
    insertAsset(
      db,
      {
        id: photo,
        shootId: shoot.id,
        relativePath: 'front.jpg',
        contentHash: 'h',
        sizeBytes: 10,
        width: 800,
        height: 600,
      },
      Date.now(),
    );

    // A composite (generated content put into a photo) and an image made from a prompt alone.
    const recipe = await call(engine, 'recipes.create', {
      name: 'Compose',
      provider: 'test',
      operation: 'generate',
      params: {},
    });
    const composite = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [photo] });
    const generated = await call(engine, 'shoots.runOperation', {
      shootId: shoot.id,
      provider: 'test',
      operation: 'imagine',
      params: { prompt: 'a pool at dusk' },
    });
    const jobIds = [...composite.jobIds, ...generated.jobIds];
    await until(
      async () => Promise.all(jobIds.map((id) => call(engine, 'jobs.get', { id }))),
      (jobs) => jobs.every((job) => job.state === 'done'),
    );
    const detail = await call(engine, 'shoots.get', { id: shoot.id });
    expect(detail.generated).toHaveLength(1);
    const [made] = detail.generated;
    if (!made) throw new Error('nothing generated');
    for (const variant of await call(engine, 'variants.list', { shootId: shoot.id })) {
      await call(engine, 'variants.update', { id: variant.id, approved: true });
    }

    const listing = (await call(engine, 'exports.presets', {})).find((entry) => entry.preset.name === 'Listing (MLS)');
    const named = await call(engine, 'exports.savePreset', {
      preset: { ...listing?.preset, name: 'Listing by name', filenameTemplate: '{name}', outputFolder: 'out' },
    });
    const target = tempDir();
    const started = await call(engine, 'exports.start', { shootId: shoot.id, presetId: named.id, targetRoot: target });
    const run = await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === started.id),
      (entry) => entry !== undefined && entry.state !== 'running',
    );
    expect(run).toMatchObject({ state: 'done', total: 2, done: 2 });

    // The generated item is named as the grid names it; the composite after its photo.
    const out = path.join(target, 'out');
    expect(fs.readdirSync(out).sort()).toEqual([`${generatedName(made)}.jpg`, 'front.jpg'].sort());
    const tags = (name: string) => exiftool.read<Record<string, unknown>>(path.join(out, name));
    expect((await tags(`${generatedName(made)}.jpg`)).DigitalSourceType).toBe(
      DIGITAL_SOURCE_TYPES.trainedAlgorithmicMedia,
    );
    expect((await tags('front.jpg')).DigitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);

    // Both carry the preset's label in the bottom-left corner; the rest of the flat picture is untouched.
    for (const name of [`${generatedName(made)}.jpg`, 'front.jpg']) {
      const file = path.join(out, name);
      expect(await spread(file, { left: 0, top: 540, width: 300, height: 60 }), name).toBeGreaterThan(20);
      expect(await spread(file, { left: 500, top: 0, width: 300, height: 60 }), name).toBeLessThan(3);
    }
  });
});
