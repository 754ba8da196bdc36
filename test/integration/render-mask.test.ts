import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MaskContentSchema, type MaskContentInput } from '../../shared/mask';
import { rasterizeStrokes } from '../../shared/mask-raster';
import { encodeMaskPng, renderMask } from '../../main/engine/masks/render-mask';

/** A PNG of a white square (x0..x1, y0..y1) on black, at `size` × `size`, gray or as alpha. */
async function squarePng(size: number, x0: number, x1: number, asAlpha: boolean): Promise<string> {
  const pixels = Buffer.alloc(size * size);
  for (let y = x0; y < x1; y++) for (let x = x0; x < x1; x++) pixels[y * size + x] = 255;
  const gray = sharp(pixels, { raw: { width: size, height: size, channels: 1 } });
  const png = asAlpha
    ? await sharp({ create: { width: size, height: size, channels: 3, background: '#808080' } })
        .joinChannel(pixels, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toBuffer()
    : await gray.png().toBuffer();
  return png.toString('base64');
}

function content(input: Omit<MaskContentInput, 'width' | 'height'>) {
  return MaskContentSchema.parse({ width: 100, height: 100, ...input });
}

const at = (pixels: Uint8Array, x: number, y: number, width = 100) => pixels[y * width + x];

describe('the mask renderer: raster layers, strokes, invert, PNG', () => {
  it('renders strokes alone exactly as the shared rasteriser does', async () => {
    const drawing = content({
      strokes: [
        {
          points: [
            { x: 30, y: 40 },
            { x: 70, y: 60 },
          ],
          size: 20,
          hardness: 0.4,
          mode: 'paint',
        },
      ],
    });
    expect(
      Buffer.from(await renderMask(drawing, 100, 100)).equals(Buffer.from(rasterizeStrokes(drawing, 100, 100))),
    ).toBe(true);
  });

  it('lays a raster layer under the strokes (its gray level, or its alpha), erases with another, and stretches it to the output', async () => {
    const selection = await squarePng(50, 10, 40, false);
    const drawing = content({
      rasters: [{ png: selection }],
      strokes: [{ points: [{ x: 90, y: 90 }], size: 10, mode: 'paint' }],
    });
    const out = await renderMask(drawing, 100, 100);
    expect(at(out, 50, 50)).toBe(255); // inside the square, stretched 2×
    expect(at(out, 5, 5)).toBe(0);
    expect(at(out, 90, 90)).toBe(255); // the stroke on top
    const halfErased = await renderMask(
      content({
        strokes: [],
        rasters: [{ png: selection }, { png: await squarePng(50, 0, 30, true), mode: 'erase', opacity: 0.5 }],
      }),
      100,
      100,
    );
    // Half erased (a level of rounding either way), and untouched where the eraser's square did not reach.
    expect(Math.abs((at(halfErased, 50, 50) ?? 0) - 128)).toBeLessThanOrEqual(1);
    expect(at(halfErased, 70, 70)).toBe(255);
  });

  it('inverts the whole result when asked', async () => {
    const drawing = content({ strokes: [{ points: [{ x: 50, y: 50 }], size: 20, mode: 'paint' }], invert: true });
    const out = await renderMask(drawing, 100, 100);
    expect(at(out, 50, 50)).toBe(0);
    expect(at(out, 2, 2)).toBe(255);
  });

  it('refuses a raster layer that is not a PNG, with a sentence', async () => {
    const drawing = content({ strokes: [], rasters: [{ png: Buffer.from('GIF89a not a png').toString('base64') }] });
    await expect(renderMask(drawing, 100, 100)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'A raster layer of this mask is not a PNG.',
    });
  });

  it('encodes a rendered mask as an 8-bit gray PNG that decodes to the same pixels', async () => {
    const pixels = await renderMask(
      content({
        strokes: [
          {
            points: [
              { x: 20, y: 20 },
              { x: 80, y: 70 },
            ],
            size: 15,
            hardness: 0.3,
            mode: 'paint',
          },
        ],
      }),
      120,
      80,
    );
    const png = await encodeMaskPng(pixels, 120, 80);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Colour type 0: one gray channel, 8 bits (sharp would hand it back as RGB unless asked for the one channel).
    expect([png[24], png[25]]).toEqual([8, 0]);
    const decoded = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width: 120, height: 80, channels: 1 });
    expect(decoded.data.equals(Buffer.from(pixels))).toBe(true);
  });
});
