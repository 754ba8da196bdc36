import sharp, { type OverlayOptions } from 'sharp';

/**
 * The image side of the ProductAI sandbox: fetching a caller's `image_url` the way the real service
 * must (it only ever gets URLs), checking it against the doc's limits, and making real output images
 * from it so a client's download and decode path is exercised end to end.
 */

export type InputFormat = 'png' | 'jpeg' | 'webp';

export type FetchOutcome =
  | { ok: true; url: string; bytes: Buffer; format: InputFormat; contentType: string | null }
  | { ok: false; url: string; rule: 'image-fetch' | 'image-size' | 'image-format'; reason: string };

export interface FetchLimits {
  /** The doc says "below 10MB": sizes at or over this are refused. */
  maxBytes: number;
  timeoutMs: number;
  /** Off by default so a sandbox never reaches past loopback during tests. */
  allowExternal: boolean;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** PNG, JPEG and WebP by their leading bytes: the doc names formats, and an extension can lie. */
export function sniffFormat(bytes: Buffer): InputFormat | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'webp';
  }
  return null;
}

/** A short human name for what the bytes are, so a refusal says what was actually sent. */
function describeBytes(bytes: Buffer): string {
  if (bytes.length === 0) return 'an empty body';
  const head = bytes.subarray(0, 12);
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') {
    return `an ISO-BMFF image (${head.subarray(8, 12).toString('latin1').trim()}, e.g. HEIC/AVIF)`;
  }
  if (head.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || head.subarray(0, 4).equals(Buffer.from('MM\0*'))) {
    return 'a TIFF';
  }
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'a GIF';
  return `unknown bytes starting ${head.subarray(0, 4).toString('hex')}`;
}

export async function fetchInputImage(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const parsed = new URL(url);
  if (!limits.allowExternal && !LOOPBACK_HOST.test(parsed.hostname)) {
    return {
      ok: false,
      url,
      rule: 'image-fetch',
      reason: `the sandbox only fetches loopback URLs (got host ${parsed.hostname})`,
    };
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
  } catch (error) {
    return { ok: false, url, rule: 'image-fetch', reason: `could not fetch ${url}: ${errorText(error)}` };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, url, rule: 'image-fetch', reason: `fetching ${url} answered HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared >= limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, url, rule: 'image-size', reason: tooBig(url, declared, limits.maxBytes) };
  }
  // Read with a cap so a huge or endless body cannot make the sandbox hold it all.
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total >= limits.maxBytes) {
          await response.body.cancel().catch(() => undefined);
          return { ok: false, url, rule: 'image-size', reason: tooBig(url, total, limits.maxBytes, true) };
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (error) {
    return { ok: false, url, rule: 'image-fetch', reason: `reading ${url} failed: ${errorText(error)}` };
  }
  const bytes = Buffer.concat(chunks);
  const format = sniffFormat(bytes);
  if (!format) {
    return {
      ok: false,
      url,
      rule: 'image-format',
      reason: `${url} is ${describeBytes(bytes)}, not PNG, JPG or WebP`,
    };
  }
  return { ok: true, url, bytes, format, contentType: response.headers.get('content-type') };
}

function tooBig(url: string, size: number, max: number, atLeast = false): string {
  return `${url} is ${atLeast ? 'at least ' : ''}${size} bytes; images must be below ${max} bytes (10MB)`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** The long side of a generated image per model (see ASSUMPTIONS in server.ts). */
export const GENERATE_LONG_SIDE = {
  'gpt-low': 1024,
  'gpt-medium': 1024,
  'gpt-high': 1536,
  'kontext-pro': 1024,
  nanobanana: 1024,
  nanobananapro: 2048,
  seedream: 2048,
} as const;

export type Model = keyof typeof GENERATE_LONG_SIDE;

/** Upscale doubles each side, capped so the long side stays within this. */
export const UPSCALE_FACTOR = 2;
export const UPSCALE_MAX_LONG_SIDE = 8192;

export interface RenderedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

/** Scale (w, h) so its long side is `longSide`, keeping the aspect ratio; exact numbers so tests can predict them. */
export function fitLongSide(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = longSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function upscaleSize(width: number, height: number): { width: number; height: number } {
  const factor = Math.min(UPSCALE_FACTOR, UPSCALE_MAX_LONG_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

/** Per-model hue turn, so two models' outputs of one input are visibly different images. */
const HUE_BY_MODEL: Record<Model, number> = {
  'gpt-low': 15,
  'gpt-medium': 30,
  'gpt-high': 45,
  'kontext-pro': 60,
  nanobanana: 90,
  nanobananapro: 120,
  seedream: 180,
};

async function orientedSize(input: Buffer): Promise<{ width: number; height: number }> {
  const meta = await sharp(input).metadata();
  return { width: meta.autoOrient.width, height: meta.autoOrient.height };
}

/**
 * A generated image: the first reference, upright, resized to the model's size and tinted; a second
 * reference (multi-image models) is placed in the lower right corner so both inputs visibly count.
 */
export async function renderGenerate(model: Model, inputs: readonly Buffer[]): Promise<RenderedImage> {
  const [first, second] = inputs;
  if (!first) throw new Error('no input image');
  const source = await orientedSize(first);
  const size = fitLongSide(source.width, source.height, GENERATE_LONG_SIDE[model]);
  const overlays: OverlayOptions[] = [];
  if (second) {
    const inset = await sharp(second)
      .autoOrient()
      .resize(Math.max(1, Math.round(size.width / 3)), Math.max(1, Math.round(size.height / 3)), { fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .png()
      .toBuffer();
    overlays.push({ input: inset, gravity: 'southeast' });
  }
  const bytes = await sharp(first)
    .autoOrient()
    .resize(size.width, size.height, { fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .modulate({ hue: HUE_BY_MODEL[model], saturation: 1.15 })
    .composite(overlays)
    .jpeg({ quality: 88 })
    .toBuffer();
  return { bytes, ...size };
}

/** An upscaled image: the same picture, upright, really enlarged with a Lanczos kernel. */
export async function renderUpscale(input: Buffer): Promise<RenderedImage> {
  const source = await orientedSize(input);
  const size = upscaleSize(source.width, source.height);
  const bytes = await sharp(input)
    .autoOrient()
    .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 92 })
    .toBuffer();
  return { bytes, ...size };
}
