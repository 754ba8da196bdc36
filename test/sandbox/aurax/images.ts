import { createHash } from 'node:crypto';
import sharp, { type OverlayOptions } from 'sharp';

/**
 * The image side of the AuraX sandbox: strict reading of the base64 images the API takes in its JSON
 * bodies, and deterministic outputs made with sharp, so a client's download and decode path is
 * exercised end to end and a test can tell from the pixels what the sandbox understood.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface DecodedImage {
  bytes: Buffer;
  format: ImageFormat;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

export interface ImageProblem {
  rule: string;
  reason: string;
}

/** PNG, JPEG and WebP by their leading bytes; nothing else is an image to this sandbox. */
export function sniffFormat(bytes: Buffer): ImageFormat | null {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(png)) return 'png';
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

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads image bytes: a known format by signature, decodable by sharp; its upright size. */
export async function readImage(bytes: Buffer, label: string): Promise<DecodedImage | ImageProblem> {
  const format = sniffFormat(bytes);
  if (!format) {
    return { rule: 'image-format', reason: `${label} is not a PNG, JPEG or WebP image (${describe(bytes)})` };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const width = meta.autoOrient.width;
    const height = meta.autoOrient.height;
    if (!width || !height) throw new Error('no size');
    // Decode the pixels too, so a truncated file is found here and not while the task runs.
    await sharp(bytes).raw().toBuffer();
    return { bytes, format, width, height };
  } catch (error) {
    return {
      rule: 'image-decode',
      reason: `${label} is a ${format} that cannot be decoded: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * A base64 field read strictly (A9): a string of the standard alphabet, padded to a multiple of 4, no
 * whitespace and no `data:` prefix, decoding to an image.
 */
export async function readBase64Image(value: unknown, label: string): Promise<DecodedImage | ImageProblem> {
  if (typeof value !== 'string') {
    return { rule: 'base64-type', reason: `${label} must be a base64 string (got ${typeName(value)})` };
  }
  if (value === '') return { rule: 'base64-empty', reason: `${label} must not be empty` };
  if (/^data:/i.test(value)) {
    return {
      rule: 'base64-data-url',
      reason: `${label} must be bare base64, not a data: URL (the doc says "Base64 encoded")`,
    };
  }
  if (!BASE64.test(value) || value.length % 4 !== 0) {
    return {
      rule: 'base64-invalid',
      reason: `${label} is not valid base64 (standard alphabet, padded to a multiple of 4, no whitespace)`,
    };
  }
  return readImage(Buffer.from(value, 'base64'), label);
}

export const isImageProblem = (value: DecodedImage | ImageProblem): value is ImageProblem => 'rule' in value;

function describe(bytes: Buffer): string {
  if (bytes.length === 0) return 'no bytes';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'a GIF';
  return `bytes starting ${bytes.subarray(0, 4).toString('hex')}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The mean colour of an image over white (for transparency), each channel rounded. */
export async function meanColour(bytes: Buffer): Promise<Rgb> {
  const stats = await sharp(bytes).autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb').stats();
  const [r, g, b] = stats.channels;
  return { r: Math.round(r?.mean ?? 0), g: Math.round(g?.mean ?? 0), b: Math.round(b?.mean ?? 0) };
}

export const hex = ({ r, g, b }: Rgb): string =>
  `#${[r, g, b].map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;

export interface RenderedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

/**
 * The garment area of a try-on, one byte per pixel (255 = garment area): the mask's area by the chosen
 * polarity (the mask resized to the person's size when it differs), or without a mask the central
 * rectangle (a quarter of each side in from every edge).
 */
async function garmentArea(
  width: number,
  height: number,
  mask: Buffer | null,
  polarity: 'white' | 'black',
): Promise<Buffer> {
  if (!mask) {
    const area = Buffer.alloc(width * height);
    const left = Math.floor(width / 4);
    const top = Math.floor(height / 4);
    const right = Math.max(left + 1, width - Math.floor(width / 4));
    const bottom = Math.max(top + 1, height - Math.floor(height / 4));
    for (let y = top; y < bottom; y += 1) area.fill(255, y * width + left, y * width + right);
    return area;
  }
  const grey = await sharp(mask)
    .autoOrient()
    .flatten({ background: '#000000' })
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = grey.info.channels;
  const area = Buffer.alloc(width * height);
  for (let index = 0; index < area.length; index += 1) {
    const white = (grey.data[index * channels] ?? 0) >= 128;
    area[index] = white === (polarity === 'white') ? 255 : 0;
  }
  return area;
}

/**
 * A try-on result: the person photo, upright, with the garment area painted in the garment's mean
 * colour (opaque, so a test can read the colour back exactly from the PNG). Same size as the person.
 */
export async function renderTryOn(input: {
  person: Buffer;
  garment: Buffer;
  mask: Buffer | null;
  polarity: 'white' | 'black';
}): Promise<RenderedImage> {
  const person = await sharp(input.person)
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = person.info;
  const colour = await meanColour(input.garment);
  const area = await garmentArea(width, height, input.mask, input.polarity);
  const out = Buffer.alloc(width * height * 3);
  for (let index = 0; index < width * height; index += 1) {
    const inArea = area[index] === 255;
    out[index * 3] = inArea ? colour.r : (person.data[index * channels] ?? 0);
    out[index * 3 + 1] = inArea ? colour.g : (person.data[index * channels + 1] ?? 0);
    out[index * 3 + 2] = inArea ? colour.b : (person.data[index * channels + 2] ?? 0);
  }
  const bytes = await sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { bytes, width, height };
}

/** A colour fixed by the prompt and product type, so the same request always renders the same image. */
export function promptColour(prompt: string, productType: string): Rgb {
  const digest = createHash('sha256').update(`${productType}\n${prompt}`).digest();
  return { r: digest[0] ?? 0, g: digest[1] ?? 0, b: digest[2] ?? 0 };
}

/**
 * A generated image of exactly width×height: a flat colour from the prompt, with the shape reference
 * (maskBase64), if any, fitted inside the central 60% so it visibly counts.
 */
export async function renderGeneration(input: {
  prompt: string;
  productType: string;
  width: number;
  height: number;
  reference: Buffer | null;
}): Promise<RenderedImage> {
  const { width, height } = input;
  const colour = promptColour(input.prompt, input.productType);
  const overlays: OverlayOptions[] = [];
  if (input.reference) {
    const inset = await sharp(input.reference)
      .autoOrient()
      .resize(Math.max(1, Math.round(width * 0.6)), Math.max(1, Math.round(height * 0.6)), { fit: 'inside' })
      .png()
      .toBuffer();
    overlays.push({ input: inset, gravity: 'centre' });
  }
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } })
    .composite(overlays)
    .png()
    .toBuffer();
  return { bytes, width, height };
}

const PRODUCT_WORDS: Record<string, string> = {
  GARMENT: 'garment',
  DRESS: 'dress',
  OUTFIT: 'outfit',
  FOOTWEAR: 'pair of shoes',
  BAG: 'bag',
  JEWELLERY: 'piece of jewellery',
  EYEWEAR: 'pair of glasses',
  BEAUTY: 'beauty product',
  OTHER: 'product',
};

/** A product description that depends only on the image's pixels and the product type. */
export async function describeProduct(image: DecodedImage, productType: string): Promise<string> {
  const colour = await meanColour(image.bytes);
  const shape = image.width > image.height ? 'landscape' : image.width < image.height ? 'portrait' : 'square';
  const thing = PRODUCT_WORDS[productType] ?? 'product';
  return `A ${thing} in ${hex(colour)}, photographed in a ${shape} ${image.width}×${image.height} frame.`;
}
