import type { OverlayOptions, Sharp } from 'sharp';
import type { ExportPreset } from '../../../shared/export-preset';
import type { Turn } from '../../../shared/turn';
import { embedJpegProfile, embedPngProfile, srgbProfile } from '../imaging/embed-profile';
import { configureSharp, MAX_INPUT_PIXELS } from '../imaging/sharp-config';
import { releaseBuffer } from '../release-buffer';
import type { SizePlan } from './size-plan';

/**
 * The sharp side of an export: the picture as the preset wants it (upright, sized, overlaid, in
 * its colour space) and its encodes. What to encode, how often and with which metadata is
 * renderExport's (render-export.ts).
 */

const sharp = configureSharp();

/**
 * The picture as exported, before encoding: upright, sized, with its overlays, in the preset's
 * colour space (profile attached) and bit depth.
 */
export function sourcePipeline(
  source: Buffer,
  preset: ExportPreset,
  plan: SizePlan,
  overlays: OverlayOptions[],
  flatten: boolean,
  turn: Turn,
  profileAfter: boolean,
): Sharp {
  let pipeline: Sharp = sharp(source, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).autoOrient();
  if (turn !== 0) pipeline = pipeline.rotate(90 * turn);
  if (plan.resize !== null) pipeline = pipeline.resize(plan.resize);
  if (plan.extract) pipeline = pipeline.extract(plan.extract);
  // JPEG has no alpha: transparent areas become white (as on a page), not black.
  if (flatten) pipeline = pipeline.flatten({ background: '#ffffff' });
  if (overlays.length > 0) pipeline = pipeline.composite(overlays);
  pipeline = pipeline.toColourspace(preset.bitDepth === 16 ? 'rgb16' : 'srgb');
  // Untagged (embedProfile off, sRGB only): sharp converts to sRGB and attaches nothing. With
  // `profileAfter` the pixels are sRGB already and the profile is written into the file after
  // encoding, sparing libvips an sRGB-to-sRGB transform of every pixel.
  if (!preset.embedProfile || profileAfter) return pipeline;
  return pipeline.withIccProfile(preset.colourSpace === 'display-p3' ? 'p3' : 'srgb');
}

/**
 * Whether an export's sRGB profile can be written into the encoded file instead of converted to:
 * an 8-bit source is processed in sRGB (sharp converts an embedded profile to it on load; a 16-bit
 * one is processed in P3), and JPEG and PNG are the containers the profile is written into here.
 */
export function srgbProfileAfter(preset: ExportPreset, sourceDepth: string | undefined): boolean {
  return (
    preset.embedProfile &&
    preset.colourSpace === 'srgb' &&
    preset.bitDepth !== 16 &&
    (preset.format === 'jpeg' || preset.format === 'png') &&
    sourceDepth === 'uchar'
  );
}

/**
 * The same picture kept as an uncompressed TIFF in memory, made only when a size ceiling makes the
 * quality search encode again and again: it spares decoding the source each time.
 */
export async function renderMaster(
  source: Buffer,
  preset: ExportPreset,
  plan: SizePlan,
  overlays: OverlayOptions[],
  flatten: boolean,
  turn: Turn,
  profileAfter: boolean,
): Promise<Buffer> {
  return sourcePipeline(source, preset, plan, overlays, flatten, turn, profileAfter)
    .tiff({ compression: 'none' })
    .toBuffer();
}

/** Encodes a picture: the source pipeline itself, or the master (see renderMaster). */
export async function encode(
  base: Sharp,
  preset: ExportPreset,
  keepAlpha: boolean,
  quality: number,
  profileAfter: boolean,
): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = base;
  // Overlays add an alpha channel even to an opaque photo; an all-opaque alpha only costs bytes.
  if (!keepAlpha) pipeline = pipeline.removeAlpha();
  if (preset.bitDepth === 16) pipeline = pipeline.toColourspace('rgb16');
  switch (preset.format) {
    case 'jpeg':
      // 4:4:4 at high quality keeps fine colour edges (signage, fabric) that 4:2:0 smears.
      pipeline = pipeline.jpeg({
        quality,
        progressive: true,
        optimiseCoding: true,
        chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0',
      });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality, effort: 4 });
      break;
    case 'avif':
      pipeline = pipeline.avif({ quality, effort: 4 });
      break;
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
      break;
    case 'tiff':
      // LZW with a predictor: lossless, and read by every editor and DAM, unlike deflate or zstd.
      pipeline = pipeline.tiff({ compression: 'lzw', predictor: 'horizontal' });
      break;
    default: {
      const unknown: never = preset.format;
      throw new Error(`Unknown format ${String(unknown)}`);
    }
  }
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  if (!profileAfter) return { data, width: info.width, height: info.height };
  const profile = await srgbProfile();
  const tagged = preset.format === 'png' ? embedPngProfile(data, profile) : embedJpegProfile(data, profile);
  releaseBuffer(data); // copied into `tagged`
  return { data: tagged, width: info.width, height: info.height };
}
