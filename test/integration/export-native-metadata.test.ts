import fs from 'node:fs';
import path from 'node:path';
import { ExifTool, type Tags } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { embedJpegProfile, srgbProfile } from '../../main/engine/imaging/embed-profile';
import {
  ExportMetadataWriter,
  metadataArgs,
  sourceFields,
  type MetadataPlan,
} from '../../main/engine/export/export-metadata';
import { nativeFields, writeNativeMetadata } from '../../main/engine/export/native-metadata';
import { corpusPath } from '../support/corpus';
import { tempDir } from '../support/temp';

const writer = new ExportMetadataWriter();
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(async () => {
  await writer.end();
  await exiftool.end();
});

/** What describes the file or the tool that read it, not what was written into it. */
const NOT_WRITTEN = new Set([
  'SourceFile',
  'errors',
  'warnings',
  'ExifToolVersion',
  'FileName',
  'Directory',
  'FileSize',
  'FileModifyDate',
  'FileAccessDate',
  'FileInodeChangeDate',
  'FilePermissions',
  'XMPToolkit',
  // exiftool's record of its own IPTC block: written by exiftool alone, read by nothing else we know.
  'CurrentIPTCDigest',
  'IPTCDigest',
]);

/** Every tag as exiftool reads it back, but those about the file itself. */
async function tagsOf(bytes: Buffer): Promise<Record<string, unknown>> {
  const file = path.join(tempDir(), 'read.jpg');
  fs.writeFileSync(file, bytes);
  const tags: Record<string, unknown> = await exiftool.read<Tags & Record<string, unknown>>(file);
  return Object.fromEntries(Object.entries(tags).filter(([name]) => !NOT_WRITTEN.has(name)));
}

/** An export as sharp encodes it: a JPEG with the sRGB profile written in. */
async function encodedExport(): Promise<Buffer> {
  const jpeg = await sharp(corpusPath('photos/grace_hopper.jpg')).jpeg({ quality: 85 }).toBuffer();
  return embedJpegProfile(jpeg, await srgbProfile());
}

const plain = corpusPath('photos/grace_hopper.jpg');
const plan = (overrides: Partial<MetadataPlan>): MetadataPlan => ({
  policy: 'copyright-contact',
  source: plain,
  format: 'jpeg',
  credits: {},
  digitalSourceType: null,
  aiTouched: false,
  ...overrides,
});

describe('export metadata written without exiftool', () => {
  it.each([
    [
      'credits in three scripts, with a full contact',
      plan({
        credits: {
          creator: 'Zoë Ångström 写真家',
          copyright: '© 2025 Zoë Ångström',
          contact: { email: 'zoe@example.com', url: 'https://zoe.example.com', phone: '+46 8 123 45' },
        },
      }),
    ],
    ['a copyright alone', plan({ credits: { copyright: 'Harbour Studio' } })],
    ['a creator and a short value', plan({ credits: { creator: 'Al', contact: { email: 'a@b.co' } } })],
    [
      'XML and line breaks in a description, with AI disclosure',
      plan({
        credits: { creator: 'A & B <Studio> "North"' },
        description: 'Kitchen & <dining>\nsecond line\r\nthird',
        digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
        aiTouched: true,
      }),
    ],
    [
      'strip-all with a disclosure and a description',
      plan({
        policy: 'strip-all',
        credits: { creator: 'Not written' },
        description: 'Only this',
        digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      }),
    ],
  ])('gives the tags exiftool would: %s', async (_name, metadataPlan) => {
    const encoded = await encodedExport();
    const fields = nativeFields(metadataPlan, await sourceFields(plain));
    expect(fields).not.toBeNull();
    const native = writeNativeMetadata(encoded, fields ?? {});
    if (!native) throw new Error('the native writer refused');
    const viaExiftool = await writer.apply(encoded, 'jpeg', metadataArgs(metadataPlan) ?? []);
    expect(await tagsOf(native)).toEqual(await tagsOf(viaExiftool));
    // The pixels and the colour profile are the encoder's.
    expect(await sharp(native).raw().toBuffer()).toEqual(await sharp(encoded).raw().toBuffer());
    expect((await sharp(native).metadata()).icc?.equals(await srgbProfile())).toBe(true);
  });

  it('leaves to exiftool what it alone can do: copying, other formats, keep-all', async () => {
    const pentax = corpusPath('photos/after-the-rain_pentax-k7_srgb.jpg');
    const withOwnCredits = await sourceFields(pentax);
    expect(withOwnCredits).toMatchObject({ creator: true, copyright: true, copyable: true });
    expect(nativeFields(plan({ source: pentax }), withOwnCredits)).toBeNull();
    expect(nativeFields(plan({ format: 'webp' }), await sourceFields(plain))).toBeNull();
    expect(nativeFields(plan({ policy: 'keep-all' }), await sourceFields(plain))).toBeNull();
    expect(nativeFields(plan({}), null)).toBeNull();
  });

  it('refuses a value too long for one segment, or a JPEG with metadata of its own, for exiftool to write', async () => {
    const fields = nativeFields(plan({ description: 'x'.repeat(70_000) }), await sourceFields(plain));
    expect(writeNativeMetadata(await encodedExport(), fields ?? {})).toBeNull();
    const withExif = await sharp(plain)
      .withExif({ IFD0: { Artist: 'Someone' } })
      .jpeg()
      .toBuffer();
    expect(writeNativeMetadata(withExif, { creator: 'Zoë' })).toBeNull();
    expect(writeNativeMetadata(await encodedExport(), { creator: 'Zoë' })).not.toBeNull();
  });
});
