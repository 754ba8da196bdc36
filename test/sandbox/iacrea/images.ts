import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { IacreaForms, Problem } from './forms';
import type { RoomType } from './types';

/**
 * The image side of the iacrea sandbox: fetching the URLs a request names the way the real service
 * must (it only ever gets URLs), reading them strictly (I7), turning a mask into the area to build in
 * (I8), and making real output JPEGs from the photo (I13) so a client's download path is exercised
 * end to end and a test can tell from the pixels what the sandbox understood.
 */

/** Which URL of a request an image came from; rule names start with it (`image-fetch`, `mask-format`…). */
export type ImageRole = 'image' | 'mask' | 'original';

export interface LoadedImage {
  bytes: Buffer;
  format: 'jpeg' | 'png';
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  hasAlpha: boolean;
  sha256: string;
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Aborted when the sandbox closes. */
  stop: AbortSignal;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** JPEG or PNG by their leading bytes; the doc names "jpg, png", and an extension or Content-Type can lie. */
export function sniffFormat(bytes: Buffer): 'jpeg' | 'png' | null {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(png)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

function describeBytes(bytes: Buffer): string {
  if (bytes.length === 0) return 'an empty body';
  const head = bytes.subarray(0, 12);
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'a WebP';
  }
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'a GIF';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') return 'an ISO-BMFF image (HEIC/AVIF)';
  if (/^\s*</.test(head.toString('latin1'))) return 'markup (HTML or XML)';
  return `bytes starting ${head.subarray(0, 4).toString('hex')}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

async function fetchBytes(url: string, role: ImageRole, field: string, limits: FetchLimits): Promise<Buffer | Problem> {
  const refuse = (kind: 'fetch' | 'too-large', reason: string): Problem => ({ rule: `${role}-${kind}`, reason, field });
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.stop]),
    });
  } catch (error) {
    return refuse('fetch', `${field} could not be fetched: ${errorText(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return refuse('fetch', `fetching ${field} answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return refuse('too-large', `${field} is ${declared} bytes, over the ${limits.maxBytes} bytes the sandbox reads`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > limits.maxBytes) {
          await response.body.cancel().catch(() => undefined);
          return refuse('too-large', `${field} is over the ${limits.maxBytes} bytes the sandbox reads`);
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (error) {
    return refuse('fetch', `reading ${field} failed: ${errorText(error)}`);
  }
  return Buffer.concat(chunks);
}

/** Fetches one URL and reads it as a JPEG or PNG that sharp can decode, or says what was wrong. */
export async function loadImage(
  url: string,
  role: ImageRole,
  field: string,
  limits: FetchLimits,
): Promise<LoadedImage | Problem> {
  const bytes = await fetchBytes(url, role, field, limits);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const format = sniffFormat(bytes);
  if (!format) {
    return { rule: `${role}-format`, reason: `${field} is ${describeBytes(bytes)}, not a JPEG or PNG image`, field };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const { width, height } = meta.autoOrient;
    if (!width || !height) throw new Error('no size');
    // Decode it all now, so a truncated file is refused here and not found while rendering.
    await sharp(bytes).raw().toBuffer();
    return { bytes, format, width, height, hasAlpha: meta.hasAlpha, sha256: sha256(bytes) };
  } catch (error) {
    return {
      rule: `${role}-decode`,
      reason: `${field} is a ${format} that cannot be decoded: ${errorText(error)}`,
      field,
    };
  }
}

export const isProblem = (value: object): value is Problem => 'rule' in value;

/** A one-channel raw image. */
export interface Plane {
  width: number;
  height: number;
  pixels: Buffer;
}

/** The channel a mask is read from (I8): grey over black, or its alpha channel. */
export async function maskChannel(mask: LoadedImage, polarity: IacreaForms['maskPolarity']): Promise<Plane | Problem> {
  if (polarity === 'alpha' && !mask.hasAlpha) {
    return {
      rule: 'mask-alpha',
      reason: `mask_url is a ${mask.format} without an alpha channel; its opaque pixels are the area to build in`,
      field: 'mask_url',
    };
  }
  const image = sharp(mask.bytes).autoOrient();
  const channel =
    polarity === 'alpha'
      ? image.extractChannel('alpha')
      : image.flatten({ background: '#000000' }).greyscale().extractChannel(0);
  const { data, info } = await channel.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: data };
}

/** The area to build in (255) from the mask's channel, at `width`×`height` (resized by nearest neighbour). */
export async function areaOf(
  channel: Plane,
  polarity: IacreaForms['maskPolarity'],
  width: number,
  height: number,
): Promise<Plane & { count: number }> {
  const own = Buffer.alloc(channel.width * channel.height);
  for (let index = 0; index < own.length; index += 1) {
    const high = (channel.pixels[index] ?? 0) >= 128;
    own[index] = high === (polarity !== 'black') ? 255 : 0;
  }
  const pixels =
    channel.width === width && channel.height === height ? own : await resizePlane(own, channel, width, height);
  let count = 0;
  for (const value of pixels) if (value === 255) count += 1;
  return { width, height, pixels, count };
}

async function resizePlane(pixels: Buffer, from: { width: number; height: number }, width: number, height: number) {
  const resized = await sharp(pixels, { raw: { width: from.width, height: from.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  return Buffer.from(resized.map((value) => (value >= 128 ? 255 : 0)));
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Each room type's paint (I13): water blue, decking brown, petanque sand. */
export const ROOM_COLOURS: Readonly<Record<RoomType, Rgb>> = {
  POOL: { r: 40, g: 140, b: 210 },
  TERRACE: { r: 140, g: 95, b: 60 },
  PETANQUE: { r: 210, g: 185, b: 135 },
};

/** The exact colour output `outputIndex` of a generation with `variationIndex` paints its area in. */
export function paintColour(roomType: RoomType, outputIndex: number, variationIndex: number): Rgb {
  const base = ROOM_COLOURS[roomType];
  const lift = (outputIndex * 12 + variationIndex * 5) % 60;
  const channel = (value: number) => Math.min(255, value + lift);
  return { r: channel(base.r), g: channel(base.g), b: channel(base.b) };
}

/**
 * A generation's outputs: the photo upright, stretched to width×height, with the area (resized the
 * same way) painted opaque in each output's colour. JPEG at quality 95 without chroma subsampling,
 * so a test reads the colour back within a few levels.
 */
export async function renderOutputs(input: {
  photo: Buffer;
  area: Plane;
  roomType: RoomType;
  width: number;
  height: number;
  count: number;
  variationIndex: number;
}): Promise<Buffer[]> {
  const { width, height } = input;
  const base = await sharp(input.photo)
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = base.info.channels;
  const area =
    input.area.width === width && input.area.height === height
      ? input.area.pixels
      : await resizePlane(input.area.pixels, input.area, width, height);
  const outputs: Buffer[] = [];
  for (let index = 0; index < input.count; index += 1) {
    const colour = paintColour(input.roomType, index, input.variationIndex);
    const out = Buffer.alloc(width * height * 3);
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      const painted = area[pixel] === 255;
      out[pixel * 3] = painted ? colour.r : (base.data[pixel * channels] ?? 0);
      out[pixel * 3 + 1] = painted ? colour.g : (base.data[pixel * channels + 1] ?? 0);
      out[pixel * 3 + 2] = painted ? colour.b : (base.data[pixel * channels + 2] ?? 0);
    }
    outputs.push(
      await sharp(out, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
        .toBuffer(),
    );
  }
  return outputs;
}
