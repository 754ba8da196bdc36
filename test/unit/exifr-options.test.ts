import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sourceFields } from '../../main/engine/export/export-metadata';
import { isDcfAdobeRgb, readExif, readExifFromFile, readExifTags } from '../../main/engine/imaging/metadata';
import { readTiffHead } from '../../main/engine/imaging/raw-preview';
import { corpusPath } from '../support/corpus';

/** exifr's Options class, where the cache is (its type declarations describe only the options object). */
const ExifrOptions = (exifr as unknown as { Options: { useCached: (options: unknown) => unknown } }).Options;

const jpeg = corpusPath('photos/colorfulcups_sony-nex3n_gps_srgb.jpg');
const tiff = corpusPath('formats/storm_16bit.tif');

/**
 * exifr keeps every options object it is given (Options.useCached), with the tag filters it builds
 * from it, in a map that is never emptied: handed a new object per call, it kept about 9 KB per
 * photo alive for as long as the engine ran. Each call site must hand it the same object each time.
 */
describe('exifr is handed the same options object on every call', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['readExif', (exif: Buffer) => readExif(exif)],
    ['readExifFromFile', () => readExifFromFile(fs.readFileSync(jpeg))],
    ['readExifTags', () => readExifTags(jpeg, ['ExposureTime', 'FNumber'], { raw: false })],
    ['isDcfAdobeRgb', (exif: Buffer) => isDcfAdobeRgb(exif)],
    ['sourceFields of a JPEG', () => sourceFields(jpeg)],
    ['sourceFields of a TIFF', () => sourceFields(tiff)],
    ['readTiffHead', () => readTiffHead(tiff)],
  ])('%s', async (_name, read) => {
    const { exif } = await sharp(jpeg).metadata();
    if (!exif) throw new Error('the test photo has no EXIF');
    const useCached = vi.spyOn(ExifrOptions, 'useCached');
    const handed = (): unknown[] => useCached.mock.calls.map(([options]) => options);
    await read(exif);
    const first = handed();
    expect(first.length).toBeGreaterThan(0);
    useCached.mockClear();
    await read(exif);
    const second = handed();
    expect(second).toHaveLength(first.length);
    second.forEach((options, index) => expect(options).toBe(first[index]));
  });
});

/** A JPEG whose EXIF has an Artist and an IPTC tag (0x83BB) pointing far past the file's end. */
function jpegWithBrokenIptcTag(): Buffer {
  const tiffBlock = Buffer.alloc(8 + 2 + 2 * 12 + 4);
  tiffBlock.write('II*\0', 0, 'latin1');
  tiffBlock.writeUInt32LE(8, 4);
  tiffBlock.writeUInt16LE(2, 8);
  tiffBlock.writeUInt16LE(0x013b, 10); // Artist, ASCII, 4 bytes in the entry: "Bob"
  tiffBlock.writeUInt16LE(2, 12);
  tiffBlock.writeUInt32LE(4, 14);
  tiffBlock.write('Bob\0', 18, 'latin1');
  tiffBlock.writeUInt16LE(0x83bb, 22); // IPTC-NAA, 100 bytes at an offset the block does not have
  tiffBlock.writeUInt16LE(7, 24);
  tiffBlock.writeUInt32LE(100, 26);
  tiffBlock.writeUInt32LE(0xffffff, 30);
  const app1 = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffBlock]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(app1.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), length, app1, Buffer.from([0xff, 0xd9])]);
}

describe("an export's credits read the same whatever was exported before", () => {
  it('a TIFF read first does not change how a JPEG is read (exifr adds tags to the options a TIFF is read with)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exifr-options-'));
    try {
      const file = path.join(dir, 'broken-iptc.jpg');
      fs.writeFileSync(file, jpegWithBrokenIptcTag());
      const alone = await sourceFields(file);
      expect(alone).toEqual({ creator: true, copyright: false, copyable: true });
      await sourceFields(tiff);
      expect(await sourceFields(file)).toEqual(alone);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
