import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { refineToEdges, selectColour } from '../../main/engine/masks/refine-edges';
import { assetsOf, call, refusal, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A patterned object on a patterned ground that share a colour: the ground is a fine checker of
 * red and blue, the object (an ellipse) a checker of red and green. A colour cannot tell them
 * apart where both are red; GrabCut, modelling both sides' colours and preferring cuts along
 * edges, can.
 */
function scene(width: number, height: number) {
  const rgb = new Uint8Array(width * height * 3);
  const object = new Uint8Array(width * height);
  const [cx, cy, rx, ry] = [width / 2, height / 2, width * 0.22, height * 0.22];
  const red = [200, 60, 60];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      const inside = ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1;
      const checker = (Math.floor(x / 4) + Math.floor(y / 4)) % 2 === 0;
      const colour = checker ? red : inside ? [60, 200, 60] : [60, 60, 200];
      rgb.set(colour, index * 3);
      object[index] = inside ? 1 : 0;
    }
  }
  const box = {
    x: Math.round(cx - rx * 1.2),
    y: Math.round(cy - ry * 1.2),
    width: Math.round(rx * 2.4),
    height: Math.round(ry * 2.4),
  };
  return { rgb, object, box };
}

function iou(selected: Uint8Array, object: Uint8Array): number {
  let both = 0;
  let either = 0;
  selected.forEach((value, index) => {
    const a = value >= 128;
    const b = object[index] === 1;
    if (a && b) both++;
    if (a || b) either++;
  });
  return both / either;
}

describe('refine to edges', () => {
  it('snaps a box 20% larger than the object to it (IoU ≥ 0.9), where a colour select from the same box cannot (< 0.8)', async ({
    annotate,
  }) => {
    const [width, height] = [320, 240];
    const { rgb, object, box } = scene(width, height);
    const refined = await refineToEdges(
      { width, height, rgb, box, rough: null, iterations: 5 },
      new AbortController().signal,
    );
    const byColour = selectColour({ width, height, rgb }, { x: width / 2 + 4, y: height / 2 }, 0.25, false, box);
    const scores = { grabCut: iou(refined, object), colour: iou(byColour, object) };
    // The box itself, taken as the selection, is what a refinement must beat.
    const boxOnly = new Uint8Array(width * height).map((_, index) => {
      const [x, y] = [index % width, Math.floor(index / width)];
      return x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height ? 255 : 0;
    });
    await annotate(
      `IoU with the object: GrabCut ${scores.grabCut.toFixed(3)}, colour select ${scores.colour.toFixed(3)}, the box ${iou(boxOnly, object).toFixed(3)}`,
    );
    expect(scores.grabCut).toBeGreaterThanOrEqual(0.9);
    expect(scores.colour).toBeLessThan(0.8);
  }, 60_000);
});

describe('selections through the API', () => {
  it('masks.refine and masks.selectColour answer a layer at the preview size, and refuse what cannot be selected', async () => {
    const [width, height] = [640, 480];
    const { rgb, object, box } = scene(width, height);
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Objects');
    fs.mkdirSync(path.join(root, 'Studio'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    // PNG: a JPEG would blend the fine checker's colours at their edges.
    await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
      .png()
      .toFile(path.join(root, 'Studio', 'object.png'));
    const [asset] = await until(
      () => assetsOf(engine),
      (list) => list.length === 1 && list.every((one) => one.state === 'ok'),
    );
    const assetId = asset?.id ?? '';
    const blank = { width, height, strokes: [] };
    const decode = async (png: string) =>
      new Uint8Array(await sharp(Buffer.from(png, 'base64')).greyscale().raw().toBuffer());

    const refined = await call(engine, 'masks.refine', { assetId, content: blank, box });
    expect({ width: refined.width, height: refined.height }).toEqual({ width, height });
    expect(iou(await decode(refined.png), object)).toBeGreaterThanOrEqual(0.9);
    const picked = await call(engine, 'masks.selectColour', {
      assetId,
      point: { x: width / 2 + 4, y: height / 2 },
      tolerance: 0.25,
      contiguous: false,
      box,
    });
    expect(iou(await decode(picked.png), object)).toBeLessThan(0.8);

    expect((await refusal(engine, 'masks.refine', { assetId, content: blank })).message).toContain('draw a box');
    expect(
      (await refusal(engine, 'masks.refine', { assetId, content: blank, box: { x: 700, y: 10, width: 5, height: 5 } }))
        .message,
    ).toContain('outside the photo');
    expect(
      (await refusal(engine, 'masks.refine', { assetId, content: { ...blank, width: 10 }, box })).message,
    ).toContain('another picture size');
    expect((await refusal(engine, 'masks.selectColour', { assetId: 'nope', point: { x: 1, y: 1 } })).code).toBe(
      'not_found',
    );
  }, 60_000);
});
