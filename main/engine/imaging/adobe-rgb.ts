/**
 * Cameras set to Adobe RGB often write no ICC profile, only the DCF sign in EXIF: ColorSpace
 * "uncalibrated" and the interoperability index "R03". Read as sRGB, such a photo comes out dull and
 * shifted. Here the photo is given an Adobe RGB (1998) compatible profile, written from the
 * colour space's published primaries, so every later conversion to sRGB is right.
 */
import { embedJpegProfile } from './embed-profile';

/** s15Fixed16, as ICC stores XYZ numbers. */
function fixed(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(Math.round(value * 65536));
  return bytes;
}

function xyz(x: number, y: number, z: number): Buffer {
  return Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), fixed(x), fixed(y), fixed(z)]);
}

function pad4(data: Buffer): Buffer {
  return data.length % 4 === 0 ? data : Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]);
}

/** ICC v2 textDescriptionType: ASCII, with empty Unicode and ScriptCode parts. */
function description(text: string): Buffer {
  const ascii = Buffer.from(`${text}\0`, 'latin1');
  const count = Buffer.alloc(4);
  count.writeUInt32BE(ascii.length);
  return Buffer.concat([Buffer.from('desc\0\0\0\0', 'latin1'), count, ascii, Buffer.alloc(4 + 4 + 2 + 1 + 67)]);
}

function text(value: string): Buffer {
  return Buffer.concat([Buffer.from('text\0\0\0\0', 'latin1'), Buffer.from(`${value}\0`, 'latin1')]);
}

/** A pure gamma curve: Adobe RGB (1998) uses 563/256 (2.19921875). */
function gamma(numerator256: number): Buffer {
  const curve = Buffer.alloc(14);
  curve.write('curv', 0, 'latin1');
  curve.writeUInt32BE(1, 8);
  curve.writeUInt16BE(numerator256, 12);
  return curve;
}

function buildProfile(): Buffer {
  // Colorants adapted to the D50 connection space (Bradford), as ICC display profiles carry them.
  const trc = gamma(563);
  const tags: [string, Buffer][] = [
    ['desc', description('Adobe RGB (1998) compatible (Shootline, from EXIF R03)')],
    ['cprt', text('No copyright: written by Shootline from published primaries')],
    ['wtpt', xyz(0.9642, 1, 0.8249)],
    ['rXYZ', xyz(0.60974, 0.31111, 0.01947)],
    ['gXYZ', xyz(0.20528, 0.62567, 0.06087)],
    ['bXYZ', xyz(0.14919, 0.06322, 0.74457)],
    ['rTRC', trc],
    ['gTRC', trc],
    ['bTRC', trc],
  ];
  const tableSize = 4 + 12 * tags.length;
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(tags.length, 0);
  const bodies: Buffer[] = [];
  let offset = 128 + tableSize;
  tags.forEach(([signature, body], index) => {
    table.write(signature, 4 + 12 * index, 'latin1');
    table.writeUInt32BE(offset, 4 + 12 * index + 4);
    table.writeUInt32BE(body.length, 4 + 12 * index + 8);
    const padded = pad4(body);
    bodies.push(padded);
    offset += padded.length;
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8); // version 2.1
  header.write('mntrRGB XYZ ', 12, 'latin1');
  [2026, 1, 1, 0, 0, 0].forEach((part, index) => header.writeUInt16BE(part, 24 + 2 * index));
  header.write('acsp', 36, 'latin1');
  fixed(0.9642).copy(header, 68);
  fixed(1).copy(header, 72);
  fixed(0.8249).copy(header, 76);
  return Buffer.concat([header, table, ...bodies]);
}

/** The profile, built once. */
export const ADOBE_RGB_PROFILE: Buffer = buildProfile();

/**
 * The JPEG with the Adobe RGB profile inserted as an APP2 ICC_PROFILE segment after its APPn
 * segments (the bytes are not re-encoded; the file on disk is never touched).
 */
export function withAdobeRgbProfile(jpeg: Buffer): Buffer {
  return embedJpegProfile(jpeg, ADOBE_RGB_PROFILE);
}
