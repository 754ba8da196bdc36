import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportMetadataWriter, sourceFields } from '../../main/engine/export/export-metadata';
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

  it('in a TIFF with EXIF and IPTC, a HEIC and an AVIF (whose XMP exifr does not read)', async () => {
    const tiff = await photoWith(
      ['-EXIF:Artist=Ansel Adams', '-IPTC:CopyrightNotice=© Studio'],
      'photos/grace_hopper.jpg',
      '.tif',
    );
    expect(await metadata.ownCredits(tiff)).toEqual({ creator: true, copyright: true });
    const heic = path.join(tempDir(), 'cups.heic');
    fs.copyFileSync(corpusPath('formats/colorfulcups.heic'), heic);
    await exiftool.write(
      heic,
      {},
      { writeArgs: ['-EXIF:Artist=Ansel Adams', '-XMP-dc:Rights=© Studio', '-overwrite_original'] },
    );
    expect(await metadata.ownCredits(heic)).toEqual({ creator: true, copyright: true });
    const avif = path.join(tempDir(), 'rain.avif');
    fs.copyFileSync(corpusPath('formats/after-the-rain.avif'), avif);
    await exiftool.write(avif, {}, { writeArgs: ['-all=', '-XMP-dc:Creator=Ansel Adams', '-overwrite_original'] });
    expect(await metadata.ownCredits(avif)).toEqual({ creator: true, copyright: false });
    // Neither is read in-process: exifr's reading of them could miss credits.
    expect(await sourceFields(heic)).toBeNull();
    expect(await sourceFields(avif)).toBeNull();
  });

  it('left to exiftool when XMP uses another prefix for a copied namespace (older Adobe software)', async () => {
    const packet =
      '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""' +
      ' xmlns:xapRights="http://ns.adobe.com/xap/1.0/rights/"><xapRights:Marked>False</xapRights:Marked>' +
      '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
    const body = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(packet)]);
    const head = Buffer.from([0xff, 0xe1, 0, 0]);
    head.writeUInt16BE(body.length + 2, 2);
    const jpeg = fs.readFileSync(corpusPath('photos/grace_hopper.jpg'));
    const file = path.join(tempDir(), 'public-domain.jpg');
    fs.writeFileSync(file, Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]));
    expect(await sourceFields(file)).toBeNull();
    // A plain photo is read in-process, and has nothing to copy.
    expect(await sourceFields(corpusPath('photos/grace_hopper.jpg'))).toEqual({
      creator: false,
      copyright: false,
      copyable: false,
    });
  });

  it('from bytes already read, which it leaves whole: the caller still encodes from them', async () => {
    const credited = fs.readFileSync(await photoWith(['-EXIF:Artist=Ansel Adams', '-XMP-dc:Rights=© Studio']));
    const copy = Buffer.from(credited);
    // The path names a photo with no credits: what is found can only have come from the bytes.
    const plain = corpusPath('photos/grace_hopper.jpg');
    expect(await sourceFields(plain, credited)).toEqual({ creator: true, copyright: true, copyable: true });
    expect(await metadata.ownCredits(plain, credited)).toEqual({ creator: true, copyright: true });
    expect(credited.buffer.detached).toBe(false);
    expect(credited.equals(copy)).toBe(true);
  });

  it('in a file that is not a picture at all: none', async () => {
    const file = path.join(tempDir(), 'notes.jpg');
    fs.writeFileSync(file, 'not a photo');
    expect(await metadata.ownCredits(file)).toEqual({ creator: false, copyright: false });
  });
});
