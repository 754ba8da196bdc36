import zlib from 'node:zlib';
import { AppError } from '../../../shared/errors';
import { MAX_MASK_PIXELS, MAX_MASK_SIDE } from './rasterize';

/**
 * Just enough PNG for masks: 8-bit grayscale, non-interlaced. Masks are written by us and read back
 * by us (or sent to a provider), so a full codec would be dead weight; anything else is refused.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GRAY_8 = { bitDepth: 8, colourType: 0 } as const;

export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('invalid_input', 'A PNG needs a positive whole-number width and height.');
  }
  if (pixels.length !== width * height) {
    throw new AppError(
      'invalid_input',
      `Expected ${width * height} pixels for ${width}×${height}, got ${pixels.length}.`,
    );
  }
  // Each row is prefixed by its filter type; 0 (None) keeps the encoder trivial and deflate still
  // compresses masks (large flat areas) very well.
  const raw = Buffer.alloc((width + 1) * height);
  for (let row = 0; row < height; row++) {
    raw.set(pixels.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = GRAY_8.bitDepth;
  header[9] = GRAY_8.colourType;
  // Bytes 10–12 (compression, filter method, interlace) stay 0.
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function decodeGrayPng(png: Buffer): GrayImage {
  if (png.length < SIGNATURE.length || !png.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw unsupported('The file is not a PNG.');
  }
  const chunks = readChunks(png);
  const first = chunks[0];
  if (first?.type !== 'IHDR') throw unsupported('The PNG does not start with a header.');
  const { width, height } = readHeader(first.data);

  const idat: Buffer[] = [];
  for (const { type, data } of chunks.slice(1)) {
    if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    // Ancillary chunks (lowercase first letter) may be skipped; an unknown critical one may not.
    else if (!isAncillary(type)) throw unsupported(`The PNG has an unsupported ${type} chunk.`);
  }
  if (chunks.at(-1)?.type !== 'IEND') throw unsupported('The PNG has no end marker.');
  if (idat.length === 0) throw unsupported('The PNG has no image data.');

  const stride = width + 1;
  let raw: Buffer;
  try {
    // The cap refuses decompression bombs before they allocate.
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: stride * height + 1 });
  } catch {
    throw unsupported('The PNG image data is corrupt.');
  }
  if (raw.length !== stride * height) throw unsupported('The PNG image data has the wrong size.');
  return { width, height, pixels: unfilter(raw, width, height) };
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Splits the file into chunks, checking every length and CRC; stops after IEND. */
function readChunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const chunks: Array<{ type: string; data: Buffer }> = [];
  let offset = SIGNATURE.length;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw unsupported('The PNG is truncated.');
    const length = png.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > png.length) throw unsupported('The PNG is truncated.');
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw unsupported('The PNG has a malformed chunk.');
    const crc = png.readUInt32BE(end - 4);
    if (zlib.crc32(png.subarray(offset + 4, end - 4)) !== crc) {
      throw unsupported(`The PNG is damaged (checksum mismatch in ${type}).`);
    }
    chunks.push({ type, data: png.subarray(offset + 8, end - 4) });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

function readHeader(data: Buffer): { width: number; height: number } {
  if (data.length !== 13) throw unsupported('The PNG header is malformed.');
  const width = data.readUInt32BE(0);
  const height = data.readUInt32BE(4);
  const [bitDepth, colourType, compression, filterMethod, interlace] = data.subarray(8, 13);
  if (bitDepth !== GRAY_8.bitDepth || colourType !== GRAY_8.colourType) {
    throw unsupported('Only 8-bit grayscale PNG masks are supported.');
  }
  if (compression !== 0 || filterMethod !== 0 || interlace !== 0) {
    throw unsupported('Only non-interlaced PNG masks with standard compression are supported.');
  }
  if (width < 1 || height < 1 || width > MAX_MASK_SIDE || height > MAX_MASK_SIDE || width * height > MAX_MASK_PIXELS) {
    throw unsupported(`The PNG is ${width}×${height}, outside the sizes a mask can have.`);
  }
  return { width, height };
}

function isAncillary(type: string): boolean {
  const first = type.charCodeAt(0);
  return first >= 0x61 && first <= 0x7a;
}

/** Undoes the five PNG row filters. With one byte per pixel, "left" is simply the previous byte. */
function unfilter(raw: Buffer, width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const filter = raw.readUInt8(row * (width + 1));
    const source = raw.subarray(row * (width + 1) + 1, (row + 1) * (width + 1));
    const start = row * width;
    // Filter 0 is what we write, so it takes the fast path; the others go pixel by pixel.
    if (filter === 0) {
      pixels.set(source, start);
      continue;
    }
    for (let col = 0; col < width; col++) {
      const left = col > 0 ? (pixels[start + col - 1] ?? 0) : 0;
      const up = row > 0 ? (pixels[start - width + col] ?? 0) : 0;
      const upLeft = row > 0 && col > 0 ? (pixels[start - width + col - 1] ?? 0) : 0;
      pixels[start + col] = (source[col] ?? 0) + predict(filter, left, up, upLeft);
    }
  }
  return pixels;
}

function predict(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4:
      return paeth(left, up, upLeft);
    default:
      throw unsupported(`The PNG uses an unknown row filter (${filter}).`);
  }
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

function unsupported(message: string): AppError {
  return new AppError('unsupported_format', message);
}
