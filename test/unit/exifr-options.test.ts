import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sourceFields } from '../../main/engine/export/export-metadata';
import { isDcfAdobeRgb, readExif, readExifFromFile, readExifTags } from '../../main/engine/imaging/metadata';
import { readTiffHead } from '../../main/engine/imaging/raw-preview';
import { corpusPath } from '../support/corpus';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

const CALLS = 400;

/**
 * exifr keeps every options object it is given, with the tag filters it builds from it, in a map
 * that is never emptied. Handed a new object per call, it kept about 9 KB per photo alive for as
 * long as the engine ran. Each reader is called CALLS times: the heap after a full collection must
 * not have grown by more than a fraction of what that would keep (3.6 MB).
 */
describe('reading EXIF keeps nothing alive per photo', () => {
  const jpeg = corpusPath('photos/colorfulcups_sony-nex3n_gps_srgb.jpg');
  const tiff = corpusPath('formats/storm_16bit.tif');
  const jpegBytes = fs.readFileSync(jpeg);

  it.each([
    ['readExif', (exif: Buffer) => readExif(exif)],
    ['readExifFromFile', () => readExifFromFile(jpegBytes)],
    ['readExifTags', () => readExifTags(jpeg, ['ExposureTime', 'FNumber'], { raw: false })],
    ['isDcfAdobeRgb', (exif: Buffer) => isDcfAdobeRgb(exif)],
    ['sourceFields', () => sourceFields(jpeg, jpegBytes)],
    ['readTiffHead', () => readTiffHead(tiff)],
  ])('%s', async (_name, read) => {
    const { exif } = await sharp(jpeg).metadata();
    if (!exif) throw new Error('the test photo has no EXIF');
    await read(exif); // modules and first-use caches loaded before the count starts
    const before = heapAfterCollection();
    for (let call = 0; call < CALLS; call++) await read(exif);
    const grown = heapAfterCollection() - before;
    expect(grown).toBeLessThan(1_000_000);
  });
});
