import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportMetadataWriter } from '../../main/engine/export/export-metadata';
import { corpusPath } from '../support/corpus';
import { tempDir } from '../support/temp';

const metadata = new ExportMetadataWriter();
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(async () => {
  await metadata.end();
  await exiftool.end();
});

/** A copy of a plain photo (no credits of its own) with these tags written by exiftool. */
async function photoWith(args: string[], from = 'photos/grace_hopper.jpg', extension = '.jpg'): Promise<string> {
  const file = path.join(tempDir(), `credits${extension}`);
  if (extension === '.jpg') fs.copyFileSync(corpusPath(from), file);
  else await sharp(corpusPath(from)).toFile(file);
  if (args.length > 0) await exiftool.write(file, {}, { writeArgs: [...args, '-overwrite_original'] });
  return file;
}

describe("a source photo's own credits, which Settings' credits never replace", () => {
  it.each([
    ['nothing', [], { creator: false, copyright: false }],
    ['EXIF Artist', ['-EXIF:Artist=Ansel Adams'], { creator: true, copyright: false }],
    ['EXIF Copyright', ['-EXIF:Copyright=© Studio'], { creator: false, copyright: true }],
    ['an XMP creator list', ['-XMP-dc:Creator=Zoë', '-XMP-dc:Creator=Second'], { creator: true, copyright: false }],
    ['XMP rights (a language alternative)', ['-XMP-dc:Rights=© Studio'], { creator: false, copyright: true }],
    [
      'IPTC only, in UTF-8',
      ['-IPTC:By-line=写真家', '-IPTC:CopyrightNotice=© 写真家', '-IPTC:CodedCharacterSet=UTF8'],
      { creator: true, copyright: true },
    ],
    ['blank values', ['-EXIF:Artist=   ', '-XMP-dc:Rights=  '], { creator: false, copyright: false }],
  ])('in a JPEG with %s', async (_what, args, expected) => {
    expect(await metadata.ownCredits(await photoWith(args))).toEqual(expected);
  });

  it('in the corpus photo whose camera wrote them', async () => {
    expect(await metadata.ownCredits(corpusPath('photos/after-the-rain_pentax-k7_srgb.jpg'))).toEqual({
      creator: true,
      copyright: true,
    });
  });

  it('in a WebP and a TIFF as well (read by exiftool where exifr cannot)', async () => {
    const args = ['-XMP-dc:Creator=Ansel Adams', '-XMP-dc:Rights=© Studio'];
    for (const extension of ['.webp', '.tif']) {
      expect(await metadata.ownCredits(await photoWith(args, 'photos/grace_hopper.jpg', extension)), extension).toEqual(
        { creator: true, copyright: true },
      );
    }
  });

  it('in a file that is not a picture at all: none', async () => {
    const file = path.join(tempDir(), 'notes.jpg');
    fs.writeFileSync(file, 'not a photo');
    expect(await metadata.ownCredits(file)).toEqual({ creator: false, copyright: false });
  });
});
