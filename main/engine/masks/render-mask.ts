import sharp from 'sharp';
import { AppError } from '../../../shared/errors';
import type { MaskContent, MaskRaster } from '../../../shared/mask';
import { assertOutputSize, MAX_MASK_PIXELS } from '../../../shared/mask-raster';
import { rasterizeStrokesInWorker } from './rasterize-worker';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders one mask version at outWidth × outHeight as 8-bit grayscale (255 = selected): its raster
 * layers first, in order, then its strokes over them (in a worker), then the invert flag. This is
 * the one renderer every job's mask goes through.
 */
export async function renderMask(content: MaskContent, outWidth: number, outHeight: number): Promise<Uint8Array> {
  assertOutputSize(outWidth, outHeight);
  let base: Uint8Array | undefined;
  for (const raster of content.rasters) {
    base = await applyRaster(base ?? new Uint8Array(outWidth * outHeight), raster, outWidth, outHeight);
  }
  const rendered = await rasterizeStrokesInWorker(content, outWidth, outHeight, base);
  if (content.invert) {
    for (let index = 0; index < rendered.length; index++) rendered[index] = 255 - (rendered[index] ?? 0);
  }
  return rendered;
}

/** A rendered mask as a grayscale PNG (what providers that take a mask file are sent). */
export function encodeMaskPng(pixels: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width, height, channels: 1 },
  })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/**
 * Lays one raster layer over what is there: its alpha (or, without one, its gray level) stretched
 * to the output, raising the mask where it paints and lowering it where it erases.
 */
async function applyRaster(below: Uint8Array, raster: MaskRaster, width: number, height: number): Promise<Uint8Array> {
  const bytes = Buffer.from(raster.png, 'base64');
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new AppError('invalid_input', 'A raster layer of this mask is not a PNG.');
  }
  let layer: Buffer;
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_MASK_PIXELS, failOn: 'error' });
    const { hasAlpha } = await image.metadata();
    layer = await (hasAlpha ? image.extractChannel('alpha') : image.greyscale().toColourspace('b-w'))
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new AppError('invalid_input', `A raster layer of this mask could not be read: ${(error as Error).message}`);
  }
  const out = new Uint8Array(below);
  for (let index = 0; index < out.length; index++) {
    const value = Math.round((layer[index] ?? 0) * raster.opacity);
    if (value === 0) continue;
    const current = out[index] ?? 0;
    out[index] = raster.mode === 'paint' ? Math.max(current, value) : Math.floor((current * (255 - value) + 127) / 255);
  }
  return out;
}
