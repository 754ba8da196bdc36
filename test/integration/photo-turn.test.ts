import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { renderMask } from '../../main/engine/masks/render-mask';
import type { MaskContentInput } from '../../shared/mask';
import { MaskContentSchema } from '../../shared/mask';
import { corpusPath } from '../support/corpus';
import { call, startTestEngine, until } from '../support/engine';
import { enhanced, filesUnder, finished, ingested } from '../support/exports';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Grayscale pixels of a picture at a small common size, for comparing content across encodes. */
async function gray(input: Buffer | string, width: number, height: number): Promise<Buffer> {
  return sharp(input).resize(width, height, { fit: 'fill' }).grayscale().raw().toBuffer();
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += Math.abs((a[index] ?? 0) - (b[index] ?? 0));
  return sum / a.length;
}

function intersectionOverUnion(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let index = 0; index < a.length; index++) {
    const inA = (a[index] ?? 0) >= 128;
    const inB = (b[index] ?? 0) >= 128;
    if (inA && inB) both += 1;
    if (inA || inB) either += 1;
  }
  return either === 0 ? 0 : both / either;
}

describe('a photo turned by hand', () => {
  it('is turned in its thumbnail, in a local enhance and in an export, and its mask still covers the same content', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    // 512 × 600, upright by its own EXIF: turned a quarter clockwise it is 600 × 512.
    const source = corpusPath('photos/grace_hopper.jpg');
    const [photo] = await ingested(engine, [source], 'Portraits');
    const id = photo?.id ?? '';
    expect(photo).toMatchObject({ width: 512, height: 600, turn: 0 });
    const thumbnailBefore = fs.readFileSync((await engine.resolveMedia({ kind: 'thumbnail', id }))?.file ?? '');

    // A mask painted before the turn: a stroke over the face's left side, and an imported layer on the lower left.
    const layer = await sharp({
      create: { width: 64, height: 75, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([
        { input: { create: { width: 20, height: 30, channels: 4, background: '#ffffff' } }, left: 2, top: 40 },
      ])
      .png()
      .toBuffer();
    const painted: MaskContentInput = {
      width: 512,
      height: 600,
      strokes: [
        {
          points: [
            { x: 150, y: 120 },
            { x: 220, y: 260 },
          ],
          size: 60,
          mode: 'paint',
        },
      ],
      rasters: [{ png: layer.toString('base64') }],
    };
    const mask = await call(engine, 'masks.save', { assetId: id, purpose: 'heal', content: painted });

    const turned = await call(engine, 'assets.turn', { id, by: 1 });
    expect(turned.masksTurned).toBe(1);
    expect(turned.asset).toMatchObject({ width: 600, height: 512, turn: 1 });

    // The thumbnail: the one from before, turned.
    const thumbnail = (await engine.resolveMedia({ kind: 'thumbnail', id }))?.file ?? '';
    const expectedThumb = await sharp(thumbnailBefore).rotate(90).toBuffer();
    const thumbMeta = await sharp(thumbnail).metadata();
    expect(thumbMeta.width).toBeGreaterThan(thumbMeta.height);
    expect(meanDifference(await gray(thumbnail, 60, 51), await gray(expectedThumb, 60, 51))).toBeLessThan(4);

    // The mask: version 2 is the same area on the turned photo (IoU against version 1 rendered and turned).
    const after = await call(engine, 'masks.get', { id: mask.id });
    expect(after.version).toBe(2);
    const before = await call(engine, 'masks.version', { id: mask.id, version: 1 });
    const renderedBefore = await renderMask(MaskContentSchema.parse(before.content), 512, 600);
    const turnedBefore = await sharp(Buffer.from(renderedBefore), { raw: { width: 512, height: 600, channels: 1 } })
      .rotate(90)
      .extractChannel(0)
      .raw()
      .toBuffer();
    const renderedAfter = await renderMask(MaskContentSchema.parse(after.content), 600, 512);
    expect(intersectionOverUnion(new Uint8Array(turnedBefore), renderedAfter)).toBeGreaterThanOrEqual(0.9);

    // A local enhance planned after the turn works on the turned photo.
    const [variant] = await enhanced(engine, [id]);
    expect(variant).toMatchObject({ width: 600, height: 512 });
    const variantFile = (await engine.resolveMedia({ kind: 'variant', id: variant?.mediaId ?? '' }))?.file ?? '';
    const turnedSource = await sharp(source).rotate().rotate(90).toBuffer();
    expect(meanDifference(await gray(variantFile, 60, 51), await gray(turnedSource, 60, 51))).toBeLessThan(20);
    expect(meanDifference(await gray(variantFile, 60, 51), await gray(source, 60, 51))).toBeGreaterThan(20);

    // An export of the original is turned too.
    const target = tempDir();
    const preset = {
      name: 'Originals',
      what: 'originals',
      format: 'png',
      size: { mode: 'original' },
      outputFolder: 'Out',
      filenameTemplate: '{name}',
      metadata: 'strip-all',
    };
    const run = await call(engine, 'exports.start', { shootId: photo?.shootId ?? '', preset, targetRoot: target });
    expect(await finished(engine, run.id)).toMatchObject({ state: 'done', done: 1 });
    const exported = path.join(target, filesUnder(target)[0] ?? '');
    expect(await sharp(exported).metadata()).toMatchObject({ width: 600, height: 512 });
    // (The reference went through one more JPEG encode: a few levels apart, against tens for the unturned photo.)
    expect(meanDifference(await gray(exported, 60, 51), await gray(turnedSource, 60, 51))).toBeLessThan(6);
    expect(meanDifference(await gray(exported, 60, 51), await gray(source, 60, 51))).toBeGreaterThan(20);
  }, 120_000);
});

describe('a job that waits for a mask while the photo is turned', () => {
  it('takes the photo at the turn the mask was painted on', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const source = corpusPath('photos/grace_hopper.jpg');
    const [photo] = await ingested(engine, [source], 'Redactions');
    const id = photo?.id ?? '';
    const recipe = await call(engine, 'recipes.create', {
      name: 'Redact',
      provider: 'local',
      operation: 'redact',
      params: { style: 'pixelate' },
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [id] });
    expect(run.awaitingInput).toBe(1);
    await call(engine, 'assets.turn', { id, by: 1 });
    // Painted on the turned photo (600 × 512): its top-left quarter.
    await call(engine, 'masks.save', {
      assetId: id,
      purpose: 'redact',
      content: { width: 600, height: 512, strokes: [{ points: [{ x: 150, y: 128 }], size: 200, mode: 'paint' }] },
    });
    const [variant] = await until(
      () => call(engine, 'variants.list', { assetId: id }),
      (list) => list.length === 1,
    );
    expect(variant).toMatchObject({ width: 600, height: 512 });
    const output = (await engine.resolveMedia({ kind: 'variant', id: variant?.mediaId ?? '' }))?.file ?? '';
    const turned = await sharp(source).rotate().rotate(90).toBuffer();
    const region = async (input: Buffer | string, left: number, top: number) =>
      sharp(input).extract({ left, top, width: 100, height: 100 }).grayscale().raw().toBuffer();
    // Changed where the mask is, untouched elsewhere: the mask and the picture lined up.
    expect(meanDifference(await region(output, 100, 78), await region(turned, 100, 78))).toBeGreaterThan(3);
    expect(meanDifference(await region(output, 450, 380), await region(turned, 450, 380))).toBeLessThan(3);
  }, 120_000);
});
