/**
 * What a file is, judged by its first bytes, never by its name: a PNG named .jpg is a PNG, and a
 * text file named .jpg is not an image. RAW formats built on TIFF (NEF, ARW, DNG, CR2…) cannot all
 * be told apart from a plain TIFF by their header; those come back as `tiff` with `maybeRaw`, and
 * the decoder looks deeper.
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'heif' | 'tiff' | 'cr2' | 'cr3' | 'orf' | 'rw2' | 'raf';

export type SniffResult =
  { ok: true; format: ImageFormat; maybeRaw: boolean } | { ok: false; kind: 'empty' | 'not_an_image'; message: string };

/** How many leading bytes `sniffFormat` needs. */
export const SNIFF_BYTES = 32;

const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

export function sniffFormat(head: Uint8Array): SniffResult {
  if (head.length === 0) {
    return {
      ok: false,
      kind: 'empty',
      message: 'The file is empty (0 bytes): it may still be copying, or the copy failed.',
    };
  }
  const ascii = (start: number, length: number): string => String.fromCharCode(...head.subarray(start, start + length));
  const startsWith = (...bytes: number[]): boolean => bytes.every((byte, index) => head[index] === byte);

  if (startsWith(0xff, 0xd8, 0xff)) return found('jpeg');
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return found('png');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return found('webp');
  if (ascii(0, 15) === 'FUJIFILMCCD-RAW') return found('raf');
  if (ascii(4, 4) === 'ftyp') {
    const brand = ascii(8, 4);
    if (AVIF_BRANDS.has(brand)) return found('avif');
    if (brand === 'crx ') return found('cr3');
    if (HEIF_BRANDS.has(brand)) return found('heif');
  }
  if (startsWith(0x49, 0x49, 0x52, 0x4f) || startsWith(0x49, 0x49, 0x52, 0x53)) return found('orf'); // "IIRO", "IIRS"
  if (startsWith(0x49, 0x49, 0x55, 0x00)) return found('rw2'); // Panasonic: "IIU\0"
  const littleTiff = startsWith(0x49, 0x49, 0x2a, 0x00);
  const bigEndianTiff = startsWith(0x4d, 0x4d, 0x00, 0x2a);
  if (littleTiff || bigEndianTiff) {
    if (littleTiff && ascii(8, 2) === 'CR') return found('cr2');
    return { ok: true, format: 'tiff', maybeRaw: true };
  }
  return {
    ok: false,
    kind: 'not_an_image',
    message:
      'This is not an image Shootline can read (its content is not JPEG, PNG, WebP, AVIF, HEIC, TIFF or a camera RAW).',
  };
}

function found(format: ImageFormat): SniffResult {
  return { ok: true, format, maybeRaw: ['cr2', 'cr3', 'orf', 'rw2', 'raf'].includes(format) };
}
