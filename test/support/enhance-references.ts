/**
 * Reference outputs of the local enhance, stored before its speed work so every later change can
 * be held to "within 1 level of mean difference". A 24 MP output is too large to keep in the repo,
 * so each reference is two samples of the PNG output: the whole picture reduced to fit 512 px (the
 * tone and colour decisions) and a 256 px crop from the centre at full resolution (sharpening,
 * noise reduction and rounding, pixel for pixel). Both are stored as lossless WebP.
 *
 * Written by `npx tsx test/support/write-enhance-references.ts`, only when an output is meant to
 * change; the test compares against what is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { PhotoDecoder } from '../../main/engine/imaging/decode';
import { sniffFormat } from '../../main/engine/imaging/sniff';
import { runLocalOperation } from '../../main/engine/providers/local/operations-run';
import { corpusPath } from './corpus';

export const REFERENCES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'enhance-references');

export interface EnhanceReferenceCase {
  name: string;
  file: string;
  params: Record<string, unknown>;
  /** Where the full-resolution crop is centred, as fractions of width and height (the middle unless given). */
  crop?: { x: number; y: number };
}

/** Washed-out, well-exposed, grey, turned, large, alpha, 16-bit, CMYK, Adobe RGB, HEIC; every preset and noise reduction. */
export const ENHANCE_REFERENCE_CASES: readonly EnhanceReferenceCase[] = [
  { name: 'fog-auto', file: 'photos/fog_hp-photosmart735.jpg', params: { preset: 'auto' } },
  { name: 'cups-auto', file: 'photos/colorfulcups_sony-nex3n_gps_srgb.jpg', params: { preset: 'auto' } },
  { name: 'dune-real-estate', file: 'photos/dune_canon-rebel.jpg', params: { preset: 'real_estate' } },
  { name: 'storm-product', file: 'photos/storm_canon-400d.jpg', params: { preset: 'product' } },
  { name: 'cat-grey-auto', file: 'photos/cat_grayscale.jpg', params: { preset: 'auto' } },
  { name: 'iphone-turned-auto', file: 'photos/IMG_0001_iphone6plus_orient6_gps.JPG', params: { preset: 'auto' } },
  { name: 'sony-24mp-auto', file: 'photos/sony-ilce6000_6000x4000.jpg', params: { preset: 'auto' } },
  {
    name: 'xiaomi-13mp-denoise',
    file: 'photos/xiaomi-mi3_4208x3120.jpg',
    params: { preset: 'real_estate', noiseReduction: true, sharpen: 1 },
    // The middle of this photo is a blown-out hand; the crop is taken from the checked shirt.
    crop: { x: 0.25, y: 0.9 },
  },
  { name: 'rgba-png-auto', file: 'formats/tmshre_riaphotographs_rgba.png', params: { preset: 'auto' } },
  { name: 'storm-16bit-tiff-auto', file: 'formats/storm_16bit.tif', params: { preset: 'auto' } },
  { name: 'grace-cmyk-auto', file: 'formats/grace_hopper_cmyk_adobe-transform0.jpg', params: { preset: 'auto' } },
  { name: 'rain-adobergb-auto', file: 'formats/after-the-rain_adobergb1998.jpg', params: { preset: 'auto' } },
  { name: 'cups-heic-product', file: 'formats/colorfulcups.heic', params: { preset: 'product', saturation: 1.3 } },
];

export interface PixelSample {
  data: Buffer;
  width: number;
  height: number;
}

export interface ReferenceSamples {
  whole: PixelSample;
  crop: PixelSample;
}

/** The local enhance of one case, as PNG (lossless, so only the enhance is compared). */
export async function enhanceCase(decoder: PhotoDecoder, entry: EnhanceReferenceCase): Promise<Buffer> {
  const file = corpusPath(entry.file);
  const bytes = fs.readFileSync(file);
  const sniffed = sniffFormat(bytes);
  if (!sniffed.ok) throw new Error(sniffed.message);
  const opened = await decoder.open(file, bytes, sniffed.format);
  if (!opened.ok) throw new Error(opened.error.message);
  const photo = opened.photo;
  const output = await runLocalOperation({
    operation: 'enhance',
    params: { ...entry.params, output: 'png' },
    source: { kind: 'asset', assetId: entry.name, version: 1 },
    mask: undefined,
    signal: new AbortController().signal,
    inputs: {
      image: (ref) => Promise.resolve({ ref, ...photo }),
      mask: () => Promise.reject(new Error('no masks here')),
      variant: () => Promise.reject(new Error('no variants here')),
    },
  });
  return output.bytes;
}

/** The two samples of an output (see the top of this file), as raw RGB. */
export async function samplesOf(png: Buffer, centre = { x: 0.5, y: 0.5 }): Promise<ReferenceSamples> {
  const { width = 0, height = 0 } = await sharp(png).metadata();
  const side = Math.min(256, width, height);
  const toRaw = async (image: Sharp): Promise<PixelSample> => {
    const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  };
  return {
    whole: await toRaw(sharp(png).resize(512, 512, { fit: 'inside' })),
    crop: await toRaw(
      sharp(png).extract({
        left: Math.min(width - side, Math.max(0, Math.round(width * centre.x - side / 2))),
        top: Math.min(height - side, Math.max(0, Math.round(height * centre.y - side / 2))),
        width: side,
        height: side,
      }),
    ),
  };
}

export function referencePath(entry: EnhanceReferenceCase, sample: keyof ReferenceSamples): string {
  return path.join(REFERENCES_DIR, `${entry.name}.${sample}.webp`);
}

export async function writeReference(entry: EnhanceReferenceCase, samples: ReferenceSamples): Promise<void> {
  fs.mkdirSync(REFERENCES_DIR, { recursive: true });
  for (const key of ['whole', 'crop'] as const) {
    const { data, width, height } = samples[key];
    await sharp(data, { raw: { width, height, channels: 3 } })
      .webp({ lossless: true, effort: 6 })
      .toFile(referencePath(entry, key));
  }
}

export async function readReference(entry: EnhanceReferenceCase, key: keyof ReferenceSamples): Promise<PixelSample> {
  const { data, info } = await sharp(referencePath(entry, key))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel value, in levels (0–255). */
export function meanDifference(a: PixelSample, b: PixelSample): number {
  if (a.width !== b.width || a.height !== b.height) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let index = 0; index < a.data.length; index += 1) sum += Math.abs((a.data[index] ?? 0) - (b.data[index] ?? 0));
  return sum / Math.max(1, a.data.length);
}
