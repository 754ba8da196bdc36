import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus';
import { call, startTestEngine } from '../support/engine';
import { enhanced, filesUnder, finished, ingested } from '../support/exports';
import { tempDir } from '../support/temp';

/** What gets exported, where its crop sits, and what the export warns about before it starts. */

const CUPS = corpusPath('photos/colorfulcups_sony-nex3n_gps_srgb.jpg'); // 2560 × 1600
const SMALL = corpusPath('photos/iphone4s_thumb_gps.jpg'); // 180 × 135
const HOPPER = corpusPath('photos/grace_hopper.jpg'); // 512 × 600

const base = {
  format: 'png',
  outputFolder: 'Out',
  filenameTemplate: '{name}_{variant}',
  metadata: 'strip-all',
} as const;

async function meanDifference(a: Buffer | string, b: Buffer | string): Promise<number> {
  const [first, second] = await Promise.all(
    [a, b].map((input) => sharp(input).removeAlpha().resize(80, 100, { fit: 'fill' }).raw().toBuffer()),
  );
  let sum = 0;
  for (let index = 0; index < (first?.length ?? 0); index++)
    sum += Math.abs((first?.[index] ?? 0) - (second?.[index] ?? 0));
  return sum / (first?.length ?? 1);
}

describe('what an export takes', () => {
  it('leaves out every variant of a photo rejected in the grid, with "all variants except rejected"', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const [kept, rejected] = await ingested(engine, [HOPPER, SMALL], 'Cull');
    await enhanced(engine, [kept?.id ?? '', rejected?.id ?? '']);
    await call(engine, 'assets.cull', { marks: [{ id: rejected?.id ?? '', pick: 'rejected' }] });
    const target = tempDir();
    const preset = { ...base, name: 'All', what: 'all-variants', size: { mode: 'original' } };
    const run = await call(engine, 'exports.start', { shootId: kept?.shootId ?? '', preset, targetRoot: target });
    expect(await finished(engine, run.id)).toMatchObject({ state: 'done', total: 1 });
    expect(filesUnder(target)).toEqual(['Out/grace_hopper_v1.png']);
  });

  it('places a 4:5 crop where the photo says, not in the middle', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const [photo] = await ingested(engine, [CUPS], 'Crops');
    const id = photo?.id ?? '';
    const size = { mode: 'exact', width: 400, height: 500, crop: 'centre' } as const;
    const exportWith = async (name: string) => {
      const target = tempDir();
      const preset = { ...base, name, what: 'originals', size };
      const run = await call(engine, 'exports.start', { shootId: photo?.shootId ?? '', preset, targetRoot: target });
      expect(await finished(engine, run.id)).toMatchObject({ state: 'done' });
      return path.join(target, filesUnder(target)[0] ?? '');
    };
    // At 500 px high the photo is 800 px wide: the crop's 400 px sit at 0–400 (left edge) or 400–800.
    const scaled = await sharp(CUPS).resize(800, 500, { fit: 'fill' }).png().toBuffer();
    const left = await sharp(scaled).extract({ left: 0, top: 0, width: 400, height: 500 }).png().toBuffer();
    const right = await sharp(scaled).extract({ left: 400, top: 0, width: 400, height: 500 }).png().toBuffer();

    await call(engine, 'assets.setCropFocus', { id, focus: { x: 0.05, y: 0.5 } });
    const atLeft = await exportWith('Left');
    expect(await sharp(atLeft).metadata()).toMatchObject({ width: 400, height: 500 });
    expect(await meanDifference(atLeft, left)).toBeLessThan(3);
    expect(await meanDifference(atLeft, right)).toBeGreaterThan(15);

    await call(engine, 'assets.setCropFocus', { id, focus: { x: 0.95, y: 0.5 } });
    const atRight = await exportWith('Right');
    expect(await meanDifference(atRight, right)).toBeLessThan(3);
    expect(await meanDifference(atRight, left)).toBeGreaterThan(15);
  });

  it('warns before enlarging a small photo, and a preset that refuses to enlarge leaves it out, in words', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const [big, small] = await ingested(engine, [HOPPER, SMALL], 'Sizes');
    const shootId = big?.shootId ?? '';
    const targetRoot = tempDir();
    const enlarge = {
      ...base,
      name: 'Insta',
      what: 'originals',
      size: { mode: 'exact', width: 1080, height: 1350, enlarge: true },
    };
    expect(await call(engine, 'exports.preview', { shootId, preset: enlarge, targetRoot })).toMatchObject({
      total: 2,
      smaller: 2,
    });
    const refuse = { ...enlarge, size: { mode: 'long-edge', value: 400, refuseSmaller: true } };
    expect(await call(engine, 'exports.preview', { shootId, preset: refuse, targetRoot })).toMatchObject({
      smaller: 1,
    });
    // The preview shows a file the preset makes: with the small photo alone, it says why there is none.
    expect(
      await call(engine, 'exports.preview', { shootId, preset: refuse, targetRoot, assetIds: [small?.id ?? ''] }).catch(
        (error: unknown) => String(error),
      ),
    ).toMatch(/At 180 × 135 this picture is smaller than the preset's 400 px on the long edge/);
    const run = await call(engine, 'exports.start', { shootId, preset: refuse, targetRoot });
    // Left out, not failed: the preset chose this, and a Resume would not change it.
    expect(await finished(engine, run.id)).toMatchObject({ state: 'done', done: 1, skipped: 1, failed: 0 });
    expect(await call(engine, 'exports.problems', { id: run.id })).toEqual([
      {
        name: 'iphone4s_thumb_gps.jpg',
        state: 'skipped',
        reason:
          "At 180 × 135 this picture is smaller than the preset's 400 px on the long edge, and the preset does not enlarge photos.",
      },
    ]);
    expect(filesUnder(targetRoot)).toEqual(['Out/grace_hopper.png']);
  });

  it('says when two variants are the same picture, and can export it once', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const [photo] = await ingested(engine, [HOPPER], 'Twice');
    // The local enhance is deterministic: the same recipe run twice makes the same bytes.
    await enhanced(engine, [photo?.id ?? '']);
    // Running it again is said before anything runs.
    const again = await call(engine, 'recipes.create', {
      name: 'Enhance again',
      provider: 'local',
      operation: 'enhance',
      params: { preset: 'auto', output: 'jpeg' },
    });
    const estimate = await call(engine, 'recipes.estimate', { recipeId: again.id, assetIds: [photo?.id ?? ''] });
    expect(estimate.repeats).toEqual([photo?.id]);
    const other = await call(engine, 'recipes.estimate', {
      recipeId: (
        await call(engine, 'recipes.create', {
          provider: 'local',
          operation: 'enhance',
          name: 'Real estate',
          params: { preset: 'real_estate', output: 'jpeg' },
        })
      ).id,
      assetIds: [photo?.id ?? ''],
    });
    expect(other.repeats).toEqual([]);
    await enhanced(engine, [photo?.id ?? '']);
    const shootId = photo?.shootId ?? '';
    const targetRoot = tempDir();
    const preset = { ...base, name: 'All', what: 'all-variants', size: { mode: 'original' } };
    expect(await call(engine, 'exports.preview', { shootId, preset, targetRoot })).toMatchObject({
      total: 2,
      repeats: 1,
    });
    const run = await call(engine, 'exports.start', { shootId, preset, targetRoot, skipRepeats: true });
    expect(await finished(engine, run.id)).toMatchObject({ state: 'done', total: 1 });
    expect(filesUnder(targetRoot)).toEqual(['Out/grace_hopper_v1.png']);
  });
});
