import zlib from 'node:zlib';
import type { Sharp } from 'sharp';

/**
 * Decoded pixels whose colour profile must travel with them (a HEIC's, which libheif hands back
 * apart from the pixels): written once as an uncompressed PNG with the profile in an iCCP chunk, so
 * every pipeline made from it converts from that profile, exactly as for a JPEG that embeds one.
 */
export async function pngWithProfile(pixels: Sharp, profile: Buffer): Promise<Buffer> {
  const png = await pixels.png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
  const data = Buffer.concat([Buffer.from('ICC profile\0', 'latin1'), Buffer.from([0]), zlib.deflateSync(profile)]);
  return insertAfterHeader(png, chunk('iCCP', data));
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** iCCP must come before PLTE and IDAT: right after IHDR (8-byte signature, then IHDR's 25 bytes). */
function insertAfterHeader(png: Buffer, extra: Buffer): Buffer {
  const afterHeader = 8 + 8 + png.readUInt32BE(8) + 4;
  return Buffer.concat([png.subarray(0, afterHeader), extra, png.subarray(afterHeader)]);
}
