import type { InputRef, MaskRef } from '../../../../shared/job-inputs';
import type { Sharp } from 'sharp';
import type { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { embedJpegProfile, embedPngProfile, srgbProfile } from '../../imaging/embed-profile';
import { configureSharp } from '../../imaging/sharp-config';
import { releaseBuffer } from '../../release-buffer';
import { maskCoverage } from '../../../../shared/mask-raster';
import type { InputPhoto, ProviderInputs } from '../contract';
import { analysisBlock, analysisPreview, applyEnhance } from './enhance';
import { planEnhance } from './enhance-plan';
import { SharedPixels } from './pixel-worker';
import { inpaint } from './heal-worker';
import {
  EnhanceParamsSchema,
  enhanceSettings,
  HealParamsSchema,
  ListingParamsSchema,
  RedactParamsSchema,
  upscaleRefusal,
  UpscaleParamsSchema,
} from './operations';

const sharp = configureSharp();

/** One finished result of a local operation. */
export interface LocalOutput {
  bytes: Buffer;
  mimeType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

export interface RunInput {
  operation: string;
  params: Record<string, unknown>;
  source: InputRef;
  mask: MaskRef | undefined;
  inputs: ProviderInputs;
  signal: AbortSignal;
}

/** Runs one local operation on one photo. Pixels are read from the decoded original, never its file. */
export async function runLocalOperation(run: RunInput): Promise<LocalOutput> {
  const photo = await run.inputs.image(run.source);
  try {
    checkAborted(run.signal);
    return await operate(run, photo);
  } finally {
    // Every operation awaits each pipeline it makes over the photo, and `return await` above waits
    // for the operation: no libvips run over these bytes (read through a raw pointer) is left going.
    photo.release?.();
  }
}

function operate(run: RunInput, photo: InputPhoto): Promise<LocalOutput> {
  switch (run.operation) {
    case 'enhance':
      return enhance(photo, EnhanceParamsSchema.parse(run.params), run.signal);
    case 'upscale':
      return upscale(photo, UpscaleParamsSchema.parse(run.params));
    case 'resize-for-listing':
      return listing(photo, ListingParamsSchema.parse(run.params));
    case 'redact':
      return mask(run, photo).then((painted) => redact(photo, painted, RedactParamsSchema.parse(run.params)));
    case 'spot-heal':
      return mask(run, photo).then((painted) => heal(photo, painted, HealParamsSchema.parse(run.params), run.signal));
    default:
      return Promise.reject(
        new AppError('invalid_input', `The local provider has no operation named ${run.operation}.`),
      );
  }
}

async function mask(run: RunInput, photo: InputPhoto): Promise<Uint8Array> {
  if (!run.mask) throw new AppError('invalid_input', 'This operation needs a painted mask.');
  return run.inputs.mask(run.mask, photo.width, photo.height);
}

async function enhance(
  photo: InputPhoto,
  params: z.output<typeof EnhanceParamsSchema>,
  signal: AbortSignal,
): Promise<LocalOutput> {
  // One decode, analysed and worked on in memory the pixel workers share.
  const decoded = await photo
    .pipeline()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = decoded.info;
  const pixels = await SharedPixels.fromDecode(decoded.data, width, height, analysisBlock(photo.format, width, height));
  try {
    const plan = planEnhance(await analysisPreview(pixels), enhanceSettings(params));
    checkAborted(signal);
    return await encode(await applyEnhance(pixels, plan), photo, params.output);
  } finally {
    pixels.release();
  }
}

async function upscale(photo: InputPhoto, params: z.output<typeof UpscaleParamsSchema>): Promise<LocalOutput> {
  const refusal = upscaleRefusal(params, photo);
  if (refusal) throw new AppError('invalid_input', refusal);
  const width = photo.width * params.factor;
  const height = photo.height * params.factor;
  return encode(photo.pipeline().resize(width, height, { kernel: 'lanczos3', fit: 'fill' }), photo, params.output, {
    pixels: 'convert',
  });
}

/** The long edge, then JPEG quality stepped down until the file fits the portal's ceiling. */
async function listing(photo: InputPhoto, params: z.output<typeof ListingParamsSchema>): Promise<LocalOutput> {
  const resized = await photo
    .pipeline()
    .resize(params.longEdge, params.longEdge, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const limit = params.maxMegabytes * 1_000_000;
  for (const quality of [90, 85, 80, 75, 70, 65, 60, 50]) {
    const output = await encode(
      sharp(resized.data, { raw: { width: resized.info.width, height: resized.info.height, channels: 3 } }),
      photo,
      'jpeg',
      { quality },
    );
    if (output.bytes.length <= limit) return output;
  }
  throw new AppError(
    'invalid_input',
    `Even at quality 50 the ${params.longEdge} px JPEG is over ${params.maxMegabytes} MB. Choose a smaller long edge.`,
  );
}

/**
 * Blur or pixelate the painted area at full resolution. Only the mask's bounding box (plus room
 * for the blur) is processed; the effect is laid over the original through the mask as alpha, so
 * nothing outside the mask changes.
 */
async function redact(
  photo: InputPhoto,
  painted: Uint8Array,
  params: z.output<typeof RedactParamsSchema>,
): Promise<LocalOutput> {
  const box = boundingBox(painted, photo.width, photo.height);
  if (!box) throw new AppError('invalid_input', 'The redaction mask is empty: paint the area to hide first.');
  const size = Math.max(2, Math.round(Math.max(photo.width, photo.height) * params.strength));
  const margin = params.style === 'blur' ? size * 3 : 0;
  const region = grow(box, margin, photo.width, photo.height);
  const original = await photo.pipeline().removeAlpha().toColourspace('srgb').raw().toBuffer();
  const crop = sharp(original, { raw: { width: photo.width, height: photo.height, channels: 3 } }).extract(region);
  let effect: Buffer;
  if (params.style === 'blur') {
    effect = await crop.blur(size).raw().toBuffer();
  } else {
    // Blocks aligned to the image, not the region, so neighbouring redactions line up.
    const small = await crop
      .resize(Math.max(1, Math.round(region.width / size)), Math.max(1, Math.round(region.height / size)), {
        kernel: 'cubic',
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    effect = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 3 } })
      .resize(region.width, region.height, { kernel: 'nearest', fit: 'fill' })
      .raw()
      .toBuffer();
  }
  const result = Buffer.from(original);
  blendThroughMask(result, effect, painted, photo.width, region);
  return encode(
    sharp(result, { raw: { width: photo.width, height: photo.height, channels: 3 } }),
    photo,
    params.output,
  );
}

/**
 * Spot removal: small blemishes filled from their surroundings by inpainting, then given back the
 * grain of the area around them (plain inpainting leaves a smooth, plastic patch a photographer
 * spots at once). A mask over a set share of the photo is refused: this is not object removal.
 */
async function heal(
  photo: InputPhoto,
  painted: Uint8Array,
  params: z.output<typeof HealParamsSchema>,
  signal: AbortSignal,
): Promise<LocalOutput> {
  const coverage = maskCoverage(painted);
  if (coverage === 0) throw new AppError('invalid_input', 'The spot-removal mask is empty: paint the spots first.');
  if (coverage > params.maxCoverage) {
    throw new AppError(
      'invalid_input',
      `The painted area covers ${(coverage * 100).toFixed(1)}% of the photo; spot removal handles up to ` +
        `${(params.maxCoverage * 100).toFixed(1)}%. It is meant for dust and blemishes, not for removing objects.`,
    );
  }
  const box = boundingBox(painted, photo.width, photo.height);
  if (!box) throw new AppError('invalid_input', 'The spot-removal mask is empty: paint the spots first.');
  const radius = 5;
  const margin = Math.max(24, Math.round(Math.max(box.width, box.height) * 0.75));
  const region = grow(box, margin, photo.width, photo.height);
  const original = await photo.pipeline().removeAlpha().toColourspace('srgb').raw().toBuffer();
  const crop = await sharp(original, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .extract(region)
    .raw()
    .toBuffer();
  const regionMask = new Uint8Array(region.width * region.height);
  for (let y = 0; y < region.height; y += 1) {
    for (let x = 0; x < region.width; x += 1) {
      regionMask[y * region.width + x] =
        (painted[(region.top + y) * photo.width + region.left + x] ?? 0) >= 128 ? 255 : 0;
    }
  }
  const filled = await inpaint(
    { width: region.width, height: region.height, rgb: crop, mask: regionMask, radius, method: params.method },
    signal,
  );
  addGrain(filled, crop, regionMask, region.width, region.height);
  const result = Buffer.from(original);
  blendThroughMask(
    result,
    Buffer.from(filled.buffer, filled.byteOffset, filled.byteLength),
    painted,
    photo.width,
    region,
  );
  return encode(
    sharp(result, { raw: { width: photo.width, height: photo.height, channels: 3 } }),
    photo,
    params.output,
  );
}

/**
 * Gives a smooth inpainted fill the texture of its surroundings: the fine detail (pixel minus its
 * local mean) of the unmasked ring is copied into the fill from the nearest unmasked pixel in a
 * fixed direction, so the grain is real grain, not noise.
 */
function addGrain(filled: Uint8Array, source: Uint8Array, mask: Uint8Array, width: number, height: number): void {
  const detail = highPass(source, width, height);
  // For each masked pixel, borrow the detail of the unmasked pixel found by stepping out of the mask
  // along the row (left, then right), mirrored so the borrowed grain is not a visible copy of its edge.
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * width + x;
      if ((mask[at] ?? 0) === 0) continue;
      let left = x;
      while (left >= 0 && (mask[y * width + left] ?? 0) !== 0) left -= 1;
      let right = x;
      while (right < width && (mask[y * width + right] ?? 0) !== 0) right += 1;
      const useLeft = left >= 0 && (x - left <= right - x || right >= width);
      const distance = useLeft ? x - left : right - x;
      const from = useLeft ? left - distance : right + distance;
      const sourceX = Math.min(width - 1, Math.max(0, from));
      const borrowed = y * width + sourceX;
      if ((mask[borrowed] ?? 0) !== 0) continue;
      for (let channel = 0; channel < 3; channel += 1) {
        const value = (filled[at * 3 + channel] ?? 0) + (detail[borrowed * 3 + channel] ?? 0);
        filled[at * 3 + channel] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
}

/** Pixel minus the mean of its 5×5 neighbourhood, per channel. */
function highPass(rgb: Uint8Array, width: number, height: number): Float32Array {
  const detail = new Float32Array(rgb.length);
  const radius = 2;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let channel = 0; channel < 3; channel += 1) {
        let sum = 0;
        let count = 0;
        for (let dy = -radius; dy <= radius; dy += 1) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -radius; dx <= radius; dx += 1) {
            const xx = x + dx;
            if (xx < 0 || xx >= width) continue;
            sum += rgb[(yy * width + xx) * 3 + channel] ?? 0;
            count += 1;
          }
        }
        const at = (y * width + x) * 3 + channel;
        detail[at] = (rgb[at] ?? 0) - sum / count;
      }
    }
  }
  return detail;
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Lays `effect` (the region's pixels) over `image` with the mask as alpha; outside the mask nothing changes. */
function blendThroughMask(image: Buffer, effect: Buffer, mask: Uint8Array, imageWidth: number, region: Region): void {
  for (let y = 0; y < region.height; y += 1) {
    for (let x = 0; x < region.width; x += 1) {
      const pixel = (region.top + y) * imageWidth + region.left + x;
      const alpha = (mask[pixel] ?? 0) / 255;
      if (alpha === 0) continue;
      for (let channel = 0; channel < 3; channel += 1) {
        const before = image[pixel * 3 + channel] ?? 0;
        const after = effect[(y * region.width + x) * 3 + channel] ?? 0;
        image[pixel * 3 + channel] = Math.round(before + (after - before) * alpha);
      }
    }
  }
}

function boundingBox(mask: Uint8Array, width: number, height: number): Region | null {
  let left = width;
  let top = height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if ((mask[y * width + x] ?? 0) === 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

function grow(box: Region, margin: number, width: number, height: number): Region {
  const left = Math.max(0, box.left - margin);
  const top = Math.max(0, box.top - margin);
  const right = Math.min(width, box.left + box.width + margin);
  const bottom = Math.min(height, box.top + box.height + margin);
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * What a pipeline hands the encoder: any pixels, converted to sRGB on the way out (`convert`), or
 * pixels already decoded to 8-bit sRGB (`srgb`), whose file only needs the profile attached —
 * libvips would otherwise run an sRGB-to-sRGB transform over every pixel.
 */
type Pixels = 'convert' | 'srgb';

/** Encodes in sRGB with the source's capture time, camera and copyright carried over. */
async function encode(
  pipeline: Sharp,
  photo: InputPhoto,
  format: 'jpeg' | 'png',
  { quality = 92, pixels = 'srgb' }: { quality?: number; pixels?: Pixels } = {},
): Promise<LocalOutput> {
  const { metadata } = photo;
  const ifd0: Record<string, string> = {};
  if (metadata.make) ifd0.Make = metadata.make;
  if (metadata.model) ifd0.Model = metadata.model;
  if (metadata.copyright) ifd0.Copyright = metadata.copyright;
  if (metadata.artist) ifd0.Artist = metadata.artist;
  const exif = metadata.exifDateTimeOriginal
    ? { IFD0: ifd0, IFD2: { DateTimeOriginal: metadata.exifDateTimeOriginal } }
    : { IFD0: ifd0 };
  const tagged = (pixels === 'convert' ? pipeline.withIccProfile('srgb') : pipeline).withExif(exif);
  const encoded =
    format === 'png'
      ? await tagged.png({ compressionLevel: 6 }).toBuffer({ resolveWithObject: true })
      : await tagged
          .jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' })
          .toBuffer({ resolveWithObject: true });
  let bytes: Buffer = encoded.data;
  if (pixels === 'srgb') {
    const profile = await srgbProfile();
    bytes = format === 'png' ? embedPngProfile(bytes, profile) : embedJpegProfile(bytes, profile);
    releaseBuffer(encoded.data); // copied into `bytes`
  }
  return {
    bytes,
    mimeType: format === 'png' ? 'image/png' : 'image/jpeg',
    width: encoded.info.width,
    height: encoded.info.height,
  };
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Canceled.');
}
