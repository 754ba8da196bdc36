import zlib from 'node:zlib';
import { afterAppSegments } from './jpeg-segments';
import { configureSharp } from './sharp-config';

/**
 * Colour profiles written into an encoded file without touching its pixels: for pixels that are
 * already in the profile's space, this replaces libvips' profile-to-profile transform (sRGB to
 * sRGB costs a tenth of a 24 MP enhance, in floating point after a convolution).
 */

const JPEG_ICC_MARKER = Buffer.from('ICC_PROFILE\0', 'latin1');
/** What fits in one APP2 segment after its length, marker and sequence bytes. */
const JPEG_ICC_CHUNK = 65535 - 2 - JPEG_ICC_MARKER.length - 2;

/** The JPEG with the profile as APP2 ICC_PROFILE segments after its APPn segments (JFIF, EXIF). */
export function embedJpegProfile(jpeg: Buffer, profile: Buffer): Buffer {
  const at = afterAppSegments(jpeg);
  const count = Math.max(1, Math.ceil(profile.length / JPEG_ICC_CHUNK));
  // Segments are numbered in one byte: no profile is this large (16 MB), but it must not wrap around.
  if (count > 255) throw new Error(`A colour profile of ${profile.length} bytes does not fit in a JPEG.`);
  const segments = Array.from({ length: count }, (_, index) => {
    const part = profile.subarray(index * JPEG_ICC_CHUNK, (index + 1) * JPEG_ICC_CHUNK);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(2 + JPEG_ICC_MARKER.length + 2 + part.length);
    return Buffer.concat([Buffer.from([0xff, 0xe2]), length, JPEG_ICC_MARKER, Buffer.from([index + 1, count]), part]);
  });
  return Buffer.concat([jpeg.subarray(0, at), ...segments, jpeg.subarray(at)]);
}

/** The PNG with the profile in an iCCP chunk, right after IHDR (it must come before PLTE and IDAT). */
export function embedPngProfile(png: Buffer, profile: Buffer): Buffer {
  const data = Buffer.concat([Buffer.from('ICC profile\0', 'latin1'), Buffer.from([0]), zlib.deflateSync(profile)]);
  const afterHeader = 8 + 8 + png.readUInt32BE(8) + 4;
  return Buffer.concat([png.subarray(0, afterHeader), pngChunk('iCCP', data), png.subarray(afterHeader)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

let srgb: Promise<Buffer> | null = null;

/** The sRGB profile libvips itself attaches, read once from a one-pixel image. */
export function srgbProfile(): Promise<Buffer> {
  srgb ??= configureSharp()({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer()
    .then(async (png) => {
      const { icc } = await configureSharp()(png).metadata();
      if (!icc) throw new Error('libvips attached no sRGB profile');
      return icc;
    })
    .catch((error: unknown) => {
      srgb = null; // asked again next time, not failed for ever
      throw error;
    });
  return srgb;
}
