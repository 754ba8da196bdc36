import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { renderMask } from '../../main/engine/masks/render-mask';
import { assetsOf, call, refusal, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An engine with photos of these sizes written straight into its library (no pixels needed here). */
async function library(sizes: [number, number][]) {
  const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1 });
  cleanups.push(server.close);
  const provider = testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: true });
  const { engine, dataDir } = startTestEngine({ providers: [provider] });
  const shoot = await call(engine, 'shoots.create', { name: 'Brackets' });
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  cleanups.push(() => db.close());
  const assetIds = sizes.map(([width, height], index) => {
    const id = randomUUID();
    const asset = { id, shootId: shoot.id, relativePath: `IMG_${index}.jpg`, contentHash: `hash-${index}` };
    insertAsset(db, { ...asset, sizeBytes: 100, width, height }, Date.now());
    return id;
  });
  return { engine, assetIds, shoot };
}

const drawing = (width: number, height: number) => ({
  width,
  height,
  strokes: [
    {
      points: [
        { x: width * 0.2, y: height * 0.5 },
        { x: width * 0.8, y: height * 0.5 },
      ],
      size: width * 0.2,
      hardness: 0.5,
      mode: 'paint' as const,
    },
  ],
});

const grey = async (png: string) => sharp(Buffer.from(png, 'base64')).greyscale().raw().toBuffer();

describe('the mask library', () => {
  it('renames (never onto a name in use), duplicates, and exports a PNG that imports on another photo as the same pixels', async () => {
    const { engine, assetIds } = await library([
      [300, 200],
      [300, 200],
    ]);
    const [first = '', second = ''] = assetIds;
    const garden = await call(engine, 'masks.save', {
      assetId: first,
      purpose: 'exterior',
      name: 'Garden',
      content: drawing(300, 200),
    });
    const pool = await call(engine, 'masks.save', {
      assetId: first,
      purpose: 'exterior',
      name: 'Pool',
      content: drawing(300, 200),
    });
    expect((await refusal(engine, 'masks.rename', { id: pool.id, name: 'Garden' })).code).toBe('conflict');
    expect(await call(engine, 'masks.rename', { id: pool.id, name: 'Terrace' })).toMatchObject({
      name: 'Terrace',
      version: 1,
    });
    const copy = await call(engine, 'masks.duplicate', { id: garden.id });
    expect(copy).toMatchObject({ name: 'Garden copy', version: 1, purpose: 'exterior', assetId: first });
    expect(copy.content).toEqual(garden.content);
    // Names stay within their bound when a copy or a suffix is added.
    const long = await call(engine, 'masks.rename', { id: copy.id, name: 'L'.repeat(100) });
    const copies = [
      await call(engine, 'masks.duplicate', { id: long.id }),
      await call(engine, 'masks.duplicate', { id: long.id }),
    ];
    expect(copies.map((one) => one.name.length <= 100)).toEqual([true, true]);
    expect(copies[0]?.name.endsWith('L copy')).toBe(true);
    expect(copies[1]?.name.endsWith('L (2)')).toBe(true);

    const exported = await call(engine, 'masks.export', { id: garden.id });
    expect({ width: exported.width, height: exported.height }).toEqual({ width: 300, height: 200 });
    const pixels = await grey(exported.png);
    expect(pixels.some((value) => value === 255) && pixels.some((value) => value === 0)).toBe(true);
    const imported = await call(engine, 'masks.import', { assetId: second, purpose: 'redact', png: exported.png });
    expect(imported).toMatchObject({ assetId: second, purpose: 'redact', version: 1, name: 'Redact' });
    expect(await grey((await call(engine, 'masks.export', { id: imported.id })).png)).toEqual(pixels);

    // A PNG of another aspect, or not a PNG, is refused with the reason.
    const wide = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const refusedWide = await refusal(engine, 'masks.import', {
      assetId: second,
      purpose: 'redact',
      png: wide.toString('base64'),
    });
    expect(refusedWide.message).toContain('400 × 200 against 300 × 200');
    const notPng = await refusal(engine, 'masks.import', { assetId: second, purpose: 'redact', png: 'AAAA' });
    expect(notPng.message).toContain('not a PNG');
    // A PNG cut short is refused at import, not when a job renders it.
    const cut = (
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
        .png()
        .toBuffer()
    )
      .subarray(0, 60)
      .toString('base64');
    expect((await refusal(engine, 'masks.import', { assetId: second, purpose: 'redact', png: cut })).message).toContain(
      'could not be read as a PNG',
    );
  });

  it('applies a mask to photos of the same framing as their own masks (version 1, refitted), refuses another aspect, and releases their waiting jobs', async () => {
    const { engine, assetIds, shoot } = await library([
      [300, 200],
      [300, 200],
      [600, 400],
      [301, 200],
      [400, 200],
    ]);
    const [source = '', same = '', larger = '', nearly = '', wide = ''] = assetIds;
    await call(engine, 'queue.pause', { scope: 'global' });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'test', autoApprove: true, cap: 100 });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Paint',
      provider: 'test',
      operation: 'paint',
      params: {},
    });
    const waiting = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [same] });
    expect((await call(engine, 'jobs.get', { id: waiting.jobIds[0] ?? '' })).waitingFor).toBe('mask');

    const mask = await call(engine, 'masks.save', { assetId: source, purpose: 'exterior', content: drawing(300, 200) });
    const result = await call(engine, 'masks.apply', { id: mask.id, assetIds: [same, larger, nearly, wide, source] });
    expect(result.applied.map((applied) => [applied.assetId, applied.version, applied.name])).toEqual([
      [same, 1, 'Exterior'],
      [larger, 1, 'Exterior'],
      [nearly, 1, 'Exterior'],
    ]);
    expect(result.refused).toEqual([
      { assetId: wide, reason: expect.stringContaining('aspect differs') as string },
      { assetId: source, reason: expect.stringContaining('painted on') as string },
    ]);
    // Refitted: on a photo twice the size, the stroke is twice as long and twice as wide.
    const onLarger = (await call(engine, 'masks.get', { id: result.applied[1]?.maskId ?? '' })).content;
    expect(onLarger).toMatchObject({ width: 600, height: 400 });
    expect(onLarger?.strokes[0]?.size).toBeCloseTo(120, 6);
    expect(onLarger?.strokes[0]?.points[1]).toEqual({ x: 480, y: 200 });
    // Its own mask: editing the source later leaves the copies as they were.
    await call(engine, 'masks.save', {
      maskId: mask.id,
      assetId: source,
      purpose: 'exterior',
      content: drawing(300, 200),
    });
    expect((await call(engine, 'masks.get', { assetId: same, purpose: 'exterior' })).version).toBe(1);
    // The job that waited for a mask on that photo has it now.
    const released = await call(engine, 'jobs.get', { id: waiting.jobIds[0] ?? '' });
    expect(released.waitingFor).toBeNull();
    expect(released.inputs.mask).toEqual({ maskId: result.applied[0]?.maskId, version: 1 });
  });
});

describe('one mask for a whole series', () => {
  it('applied to two more photos of the same framing, a redaction on all three changes each one inside its mask only', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Brackets');
    fs.mkdirSync(path.join(root, 'Hall'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    // Three exposures of one framing: the same size, different pixels (noise seeded apart).
    const [width, height] = [320, 240];
    for (const [index, brightness] of [90, 130, 170].entries()) {
      const noise = Buffer.alloc(width * height * 3);
      for (let at = 0; at < noise.length; at++) noise[at] = (brightness + ((at * 7919 + index * 104729) % 61)) & 255;
      await sharp(noise, { raw: { width, height, channels: 3 } })
        .png()
        .toFile(path.join(root, 'Hall', `bracket-${index}.png`));
    }
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 3 && list.every((asset) => asset.state === 'ok'),
    );
    const [first, ...others] = assets;
    const mask = await call(engine, 'masks.save', {
      assetId: first?.id ?? '',
      purpose: 'redact',
      content: drawing(width, height),
    });
    const { applied, refused } = await call(engine, 'masks.apply', {
      id: mask.id,
      assetIds: others.map((asset) => asset.id),
    });
    expect({ applied: applied.length, refused }).toEqual({ applied: 2, refused: [] });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Redact',
      provider: 'local',
      operation: 'redact',
      params: { style: 'pixelate', strength: 0.05, output: 'png' },
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    expect(run.jobIds).toHaveLength(3);
    await until(
      async () => Promise.all(run.jobIds.map((id) => call(engine, 'jobs.get', { id }))),
      (jobs) => jobs.every((job) => job.state === 'done'),
    );
    for (const asset of assets) {
      const [variant] = await call(engine, 'variants.list', { assetId: asset.id });
      const output = await engine.resolveMedia({ kind: 'variant', id: variant?.mediaId ?? '' });
      const original = await engine.resolveMedia({ kind: 'original', id: asset.id });
      const before = await sharp(original?.file).removeAlpha().raw().toBuffer();
      const after = await sharp(output?.file).removeAlpha().raw().toBuffer();
      const own = await call(engine, 'masks.get', { assetId: asset.id, purpose: 'redact' });
      const selection = await renderMask(own.content, width, height);
      let [inside, insideChanged, outsideChanged] = [0, 0, 0];
      selection.forEach((value, index) => {
        const moved = [0, 1, 2].some((channel) => before[index * 3 + channel] !== after[index * 3 + channel]);
        if (value === 0 && moved) outsideChanged++;
        if (value === 255) {
          inside++;
          if (moved) insideChanged++;
        }
      });
      expect(outsideChanged).toBe(0);
      expect(insideChanged / inside).toBeGreaterThan(0.9);
    }
  }, 60_000);
});
