import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { muxH264Mp4 } from '../video/mp4';
import { LONG_SIDE, sizeFor, type OutputFormat } from './catalog';
import type { Problem } from './http';
import type { FirstFrameFacts } from './types';

/**
 * The media side of the sandbox: fetching a video's first_frame_image the way the real service must
 * (it only gets a URL) and reading it strictly (A6), and making real outputs (A14) so a client's
 * download path meets real bytes: an image encoded by sharp in the asked format, an H.264 MP4 (../video).
 */

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Aborted when the sandbox closes. */
  stop: AbortSignal;
}

export interface FirstFrame {
  facts: FirstFrameFacts;
  bytes: Buffer;
}

const FIELD = 'first_frame_image';

/** JPEG, PNG or WebP by their leading bytes: an extension or a Content-Type can lie. */
export function sniffImage(bytes: Buffer): FirstFrameFacts['format'] | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(png)) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  return null;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

async function fetchBytes(url: string, limits: FetchLimits): Promise<Buffer | Problem> {
  const refuse = (rule: string, reason: string): Problem => ({ rule, reason, field: FIELD });
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.stop]),
    });
  } catch (error) {
    return refuse('first-frame-fetch', `${FIELD} could not be fetched: ${errorText(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return refuse('first-frame-fetch', `fetching ${FIELD} answered HTTP ${response.status}`);
  }
  const tooLarge = `${FIELD} is over the ${limits.maxBytes} bytes the service reads`;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return refuse('first-frame-too-large', `${tooLarge} (Content-Length ${declared})`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > limits.maxBytes) {
          await response.body.cancel().catch(() => undefined);
          return refuse('first-frame-too-large', tooLarge);
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (error) {
    return refuse('first-frame-fetch', `reading ${FIELD} failed: ${errorText(error)}`);
  }
  return Buffer.concat(chunks);
}

/** Fetches first_frame_image and reads it as a JPEG, PNG or WebP that sharp decodes, or says what was wrong. */
export async function loadFirstFrame(url: string, limits: FetchLimits): Promise<FirstFrame | Problem> {
  const bytes = await fetchBytes(url, limits);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const format = sniffImage(bytes);
  if (!format) {
    const head = bytes.subarray(0, 4).toString('hex') || 'nothing';
    const reason = `${FIELD} is not a JPEG, PNG or WebP image (its bytes start ${head})`;
    return { rule: 'first-frame-format', reason, field: FIELD };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const { width, height } = meta.autoOrient;
    if (!width || !height) throw new Error('no size');
    // Decode it all now, so a truncated file is refused here and not found while rendering.
    await sharp(bytes).raw().toBuffer();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { facts: { url, format, width, height, bytes: bytes.length, sha256 }, bytes };
  } catch (error) {
    return {
      rule: 'first-frame-decode',
      reason: `${FIELD} is a ${format} that cannot be decoded: ${errorText(error)}`,
      field: FIELD,
    };
  }
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The flat colour of a prompt's outputs: the first three bytes of its SHA-256, so prompts differ. */
export function promptColour(prompt: string): Rgb {
  const hash = createHash('sha256').update(prompt).digest();
  return { r: hash[0] ?? 0, g: hash[1] ?? 0, b: hash[2] ?? 0 };
}

/** The prompt's colour with a gentle left-to-right ramp (±16 levels) and a bar at `bar` (0–1) when given. */
function paint(prompt: string, width: number, height: number, bar: number | null): Buffer {
  const colour = promptColour(prompt);
  const pixels = Buffer.alloc(width * height * 3);
  const clamp = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));
  const barX = bar === null ? -1 : Math.floor(bar * (width - 8));
  for (let x = 0; x < width; x += 1) {
    const lift = (x / Math.max(1, width - 1)) * 32 - 16;
    const inBar = x >= barX && x < barX + 8;
    const rgb = inBar ? [255 - colour.r, 255 - colour.g, 255 - colour.b] : [colour.r, colour.g, colour.b];
    for (let y = 0; y < height; y += 1) {
      const at = (y * width + x) * 3;
      pixels[at] = clamp((rgb[0] ?? 0) + lift);
      pixels[at + 1] = clamp((rgb[1] ?? 0) + lift);
      pixels[at + 2] = clamp((rgb[2] ?? 0) + lift);
    }
  }
  return pixels;
}

/** An image output: the prompt's colour at the aspect ratio's size (long side 512), in `format`. */
export async function renderImage(prompt: string, aspectRatio: string, format: OutputFormat): Promise<Buffer> {
  const { width, height } = sizeFor(aspectRatio, LONG_SIDE.image);
  const image = sharp(paint(prompt, width, height, null), { raw: { width, height, channels: 3 } });
  switch (format) {
    case 'webp':
      return image.webp({ quality: 90 }).toBuffer();
    case 'png':
      return image.png().toBuffer();
    case 'jpg':
      return image.jpeg({ quality: 90 }).toBuffer();
  }
}

export const VIDEO_FPS = 2;

/**
 * A video output: `duration` seconds at VIDEO_FPS, long side 256, a bar sweeping across the prompt's
 * colour; with a first frame, frame 0 is that image (cover-cropped), as image-to-video starts from it.
 */
export async function renderVideo(
  prompt: string,
  aspectRatio: string,
  duration: number,
  firstFrame: Buffer | null,
): Promise<Buffer> {
  const { width, height } = sizeFor(aspectRatio, LONG_SIDE.video);
  const count = duration * VIDEO_FPS;
  const frames: Buffer[] = [];
  for (let index = 0; index < count; index += 1) {
    const source =
      index === 0 && firstFrame
        ? sharp(firstFrame).autoOrient().resize(width, height, { fit: 'cover' }).removeAlpha()
        : sharp(paint(prompt, width, height, index / Math.max(1, count - 1)), { raw: { width, height, channels: 3 } });
    frames.push(await source.toColourspace('srgb').raw().toBuffer());
  }
  return muxH264Mp4(frames, width, height, VIDEO_FPS);
}
