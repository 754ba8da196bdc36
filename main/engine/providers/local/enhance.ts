import type { Sharp } from 'sharp';
import { decodesFromJpeg } from '../../imaging/decode';
import { configureSharp } from '../../imaging/sharp-config';
import { type EnhancePlan, planCurves } from './enhance-plan';
import type { SharedPixels } from './pixel-worker';

const sharp = configureSharp();

const ANALYSIS_SIZE = 384;

/**
 * The photo as planEnhance looks at it: reduced to ANALYSIS_SIZE the way it used to be read for
 * it, by sharp with a JPEG decoder scaling by 1/2, 1/4 or 1/8 and a resize after. The plan's
 * percentiles depend on how the reduction is made (resized straight from the full pixels, a stored
 * reference output moved by 2 levels); block means of the full decode stand in for the decoder's
 * scaling, without decoding a second time. `pixels` must have been made with analysisBlock's size.
 */
export async function analysisPreview(pixels: SharedPixels): Promise<Buffer> {
  // The block means are a view of the shared memory, read by sharp before anything changes them.
  return rawImage(await pixels.blockMeans())
    .resize(ANALYSIS_SIZE, ANALYSIS_SIZE, { fit: 'inside' })
    .raw()
    .toBuffer();
}

/** The block size analysisPreview reduces by: the JPEG scale for photos decoded from JPEG data, else 1. */
export function analysisBlock(format: string, width: number, height: number): number {
  return decodesFromJpeg(format) ? jpegScaleFor(width, height) : 1;
}

/**
 * The scale sharp has libjpeg decode at for a resize to ANALYSIS_SIZE (its shrink-on-load): 8, 4 or
 * 2 while the result stays at least that big, halved when the shrink's whole part equals it (sharp
 * steps back there from libjpeg's rounding).
 */
export function jpegScaleFor(width: number, height: number): number {
  const shrink = Math.max(width, height) / ANALYSIS_SIZE;
  const scale = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  return scale > 1 && Math.floor(shrink) === scale ? scale / 2 : scale;
}

/** Decoded 8-bit sRGB pixels, three channels, no alpha. */
export interface RgbPixels {
  data: Buffer;
  width: number;
  height: number;
}

export function rawImage(pixels: RgbPixels): Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 3 } });
}

/**
 * Applies a plan to the decoded full-resolution photo: the tone curves and the sharpening in a
 * worker (lookup tables and WebAssembly SIMD; libvips would run both in floating point at several
 * times the cost), saturation and noise reduction in sharp. The order is the plan's: curves,
 * saturation, noise reduction, sharpening; with neither of the middle two (the Auto preset),
 * curves and sharpening are one request. Changes `pixels`; returns the pipeline that reads them,
 * for the caller to encode before it releases them.
 */
export async function applyEnhance(pixels: SharedPixels, plan: EnhancePlan): Promise<Sharp> {
  const curves = planCurves(plan);
  // A well-exposed, neutral photo's curves leave every value as it is: no curves pass.
  const luts = curves.every((lut) => lut.every((value, index) => value === index)) ? null : curves;
  // A 3×3 unsharp kernel on RGB: gentle, and a fraction of the cost of libvips' sharpen, which
  // converts the whole image to Lab and back.
  const sharpen = Math.max(0, plan.sharpen) * 0.1;
  const saturate = Math.abs(plan.saturation - 1) > 0.005;
  const { width, height } = pixels;
  if (!saturate && !plan.noiseReduction) {
    await pixels.apply({ luts, sharpen });
    return rawImage({ data: pixels.data, width, height });
  }
  await pixels.apply({ luts, sharpen: 0 });
  let pipeline = rawImage({ data: pixels.data, width, height });
  if (saturate) pipeline = pipeline.modulate({ saturation: plan.saturation });
  if (plan.noiseReduction) pipeline = pipeline.median(3);
  if (sharpen === 0) return pipeline;
  // sharp has read the pixels once toBuffer resolves: its result can take their place.
  const finished = await pipeline.raw().toBuffer();
  if (finished.byteLength !== width * height * 3) {
    throw new Error(`sharp gave ${finished.byteLength} bytes for a ${width} × ${height} RGB photo.`);
  }
  pixels.data.set(finished);
  await pixels.apply({ luts: null, sharpen });
  return rawImage({ data: pixels.data, width, height });
}
