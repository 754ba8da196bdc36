import sharp from 'sharp';
import { AppError } from '../../../../shared/errors';
import type { InputPhoto } from '../contract';

/**
 * The photo and the mask iacrea fetches by URL. The photo goes upright (the orientation baked in),
 * sRGB, as a JPEG within MAX_SIDE on its long side; its size is the `width` and `height` sent, and
 * the mask is rendered at exactly that size, so every reading of what those must match holds.
 */

/** The doc gives no limit; 4096 px keeps uploads reasonable and is more than a listing photo needs. */
export const MAX_SIDE = 4096;

/**
 * Which part of the mask is the area to build in. The doc says only "a mask indicating the area":
 * white on black is the common convention (docs/providers/iacrea.md lists the other readings).
 * This is the one place it is decided.
 */
export type MaskPolarity = 'white' | 'black' | 'alpha';
export const DEFAULT_MASK_POLARITY: MaskPolarity = 'white';

export interface PreparedPhoto {
  bytes: Buffer;
  width: number;
  height: number;
}

export async function preparePhoto(photo: InputPhoto): Promise<PreparedPhoto> {
  const scale = Math.min(1, MAX_SIDE / Math.max(photo.width, photo.height));
  const width = Math.max(1, Math.round(photo.width * scale));
  const height = Math.max(1, Math.round(photo.height * scale));
  let pipeline = photo.pipeline().removeAlpha().toColourspace('srgb');
  if (scale < 1) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  const { data, info } = await pipeline.jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height) {
    throw new AppError('internal', `The photo came out ${info.width}×${info.height}, not ${width}×${height}.`);
  }
  return { bytes: data, width, height };
}

/**
 * The mask as a PNG at the photo's size: `levels` is 0 (keep) … 255 (build here), one byte a pixel,
 * as the engine's mask renderer gives it.
 */
export async function maskPng(
  levels: Uint8Array,
  width: number,
  height: number,
  polarity: MaskPolarity = DEFAULT_MASK_POLARITY,
): Promise<Buffer> {
  if (levels.length !== width * height) {
    throw new AppError('internal', `The mask has ${levels.length} pixels, not ${width}×${height}.`);
  }
  const raw = { width, height, channels: 1 as const };
  switch (polarity) {
    case 'white':
      return sharp(Buffer.from(levels), { raw }).png().toBuffer();
    case 'black':
      return sharp(Buffer.from(levels.map((level) => 255 - level)), { raw })
        .png()
        .toBuffer();
    case 'alpha': {
      // Grey and alpha alike: opaque where the area is, transparent elsewhere.
      const pairs = Buffer.alloc(width * height * 2);
      for (let at = 0; at < levels.length; at++) {
        pairs[at * 2] = levels[at] ?? 0;
        pairs[at * 2 + 1] = levels[at] ?? 0;
      }
      return sharp(pairs, { raw: { width, height, channels: 2 } })
        .png()
        .toBuffer();
    }
  }
}
