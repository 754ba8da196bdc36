import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classifyTiff,
  isTiffBasedRaw,
  MIN_PREVIEW_LONG_EDGE,
  RawPreviewExtractor,
  type TiffHead,
} from '../../main/engine/imaging/raw-preview';
import {
  DEFAULT_SOURCE_JPEG,
  writeCr2Like,
  writeDngLike,
  writeEditorTiff,
  writePlainTiff,
  writeThumbnailOnlyRaw,
} from '../support/raw-fixtures';
import { tempDir } from '../support/temp';

const extractor = new RawPreviewExtractor();
afterAll(() => extractor.end());

/** A fixtures dir and an (initially empty) temp dir for the extractor, both removed after each test. */
function dirs(): { fixtures: string; temp: string } {
  const root = tempDir('shootline-raw-');
  const temp = path.join(root, 'tmp');
  fs.mkdirSync(temp);
  return { fixtures: root, temp };
}

async function expectFullPreview(
  result: Awaited<ReturnType<RawPreviewExtractor['extract']>>,
  expected: { width: number; height: number; orientation: number },
): Promise<void> {
  if (!result.ok) throw new Error(`expected a preview, got: ${result.message}`);
  expect([...result.jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  expect({ width: result.width, height: result.height, orientation: result.orientation }).toEqual(expected);
  // The bytes themselves decode to that size (not just the numbers reported).
  const decoded = await sharp(result.jpeg).raw().toBuffer({ resolveWithObject: true });
  expect({ width: decoded.info.width, height: decoded.info.height }).toEqual({
    width: expected.width,
    height: expected.height,
  });
}

describe('RawPreviewExtractor', () => {
  it('takes the full-size JpgFromRaw of a DNG over its 1024 px PreviewImage, with the DNG’s orientation', async () => {
    const { fixtures, temp } = dirs();
    const dng = await writeDngLike(fixtures, { orientation: 6 });
    const source = await sharp(DEFAULT_SOURCE_JPEG).metadata();
    expect({ width: dng.width, height: dng.height }).toEqual({ width: source.width, height: source.height });

    await expectFullPreview(await extractor.extract(dng.file, temp), { width: 1680, height: 1050, orientation: 6 });
    expect(fs.readdirSync(temp)).toEqual([]);
  });

  it('takes the PreviewImage in IFD0 of a CR2', async () => {
    const { fixtures, temp } = dirs();
    const cr2 = await writeCr2Like(fixtures, { orientation: 8 });

    await expectFullPreview(await extractor.extract(cr2.file, temp), { width: 1680, height: 1050, orientation: 8 });
    expect(fs.readdirSync(temp)).toEqual([]);
  });

  it('reports orientation 1 as 1, not as missing', async () => {
    const { fixtures, temp } = dirs();
    const dng = await writeDngLike(fixtures, { orientation: 1 });
    const result = await extractor.extract(dng.file, temp);
    expect(result.ok && result.orientation).toBe(1);
  });

  it('refuses a RAW that has only a 160×120 thumbnail, saying so', async () => {
    const { fixtures, temp } = dirs();
    const nef = await writeThumbnailOnlyRaw(fixtures);
    expect(Math.max(nef.width, nef.height)).toBeLessThan(MIN_PREVIEW_LONG_EDGE);

    const result = await extractor.extract(nef.file, temp);
    expect(result).toEqual({
      ok: false,
      message:
        'This RAW file has no full-size preview Shootline can use (only a 160×120 thumbnail). ' +
        'Export a JPEG or DNG with an embedded preview from your RAW editor.',
    });
    expect(fs.readdirSync(temp)).toEqual([]);
  });

  it('refuses a file with no embedded preview at all', async () => {
    const { fixtures, temp } = dirs();
    const tiff = await writePlainTiff(fixtures);
    const result = await extractor.extract(tiff, temp);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/no embedded preview/);
  });

  it('refuses a missing file, and a RAW cut short mid-preview, without throwing', async () => {
    const { fixtures, temp } = dirs();
    const missing = await extractor.extract(path.join(fixtures, 'missing.nef'), temp);
    expect(!missing.ok && missing.message).toMatch(/^Shootline could not read this RAW file \(File not found/);

    // A copy interrupted inside the previews: the header and IFDs are there, the JPEG bytes are not.
    const dng = await writeDngLike(fixtures);
    const truncated = path.join(fixtures, 'truncated.dng');
    fs.writeFileSync(truncated, fs.readFileSync(dng.file).subarray(0, 200_000));
    const cut = await extractor.extract(truncated, temp);
    expect(!cut.ok && cut.message).toMatch(
      /^This RAW file looks incomplete or damaged \(.+\): it may still be copying/,
    );
    expect(fs.readdirSync(temp)).toEqual([]);
  });
});

describe('isTiffBasedRaw', () => {
  it('classifies the DNG-, CR2- and NEF-like files as RAW, and sharp’s and an editor’s TIFFs as plain', async () => {
    const { fixtures } = dirs();
    const verdicts = {
      dng: await isTiffBasedRaw((await writeDngLike(fixtures)).file),
      cr2: await isTiffBasedRaw((await writeCr2Like(fixtures)).file),
      nef: await isTiffBasedRaw((await writeThumbnailOnlyRaw(fixtures)).file),
      sharpTiff: await isTiffBasedRaw(await writePlainTiff(fixtures)),
      editorTiff: await isTiffBasedRaw(await writeEditorTiff(fixtures)),
      jpeg: await isTiffBasedRaw(DEFAULT_SOURCE_JPEG),
    };
    expect(Object.fromEntries(Object.entries(verdicts).map(([name, verdict]) => [name, verdict.raw]))).toEqual({
      dng: true,
      cr2: true,
      nef: true,
      sharpTiff: false,
      editorTiff: false,
      jpeg: false,
    });
    expect(verdicts.dng.reason).toMatch(/DNGVersion/);
    expect(verdicts.cr2.reason).toMatch(/CR2/);
    expect(verdicts.nef.reason).toMatch(/reduced-resolution thumbnail with SubIFDs/);
  });

  it('applies the rule to IFD0 layouts the fixtures do not cover', () => {
    const plain: TiffHead = { cr2Signature: false, subIfdCount: 0, dngVersion: false, compression: 5, photometric: 2 };
    expect(classifyTiff({ ...plain, compression: 65535, photometric: 32803 }).raw).toBe(true); // PEF: sensor data in IFD0
    expect(classifyTiff({ ...plain, compression: 34713, make: 'NIKON CORPORATION' }).raw).toBe(true); // Nikon compressed
    // The same unknown compression in a TIFF no camera wrote (damaged, or from an unknown tool) is not a RAW.
    expect(classifyTiff({ ...plain, compression: 34713 }).raw).toBe(false);
    expect(classifyTiff({ ...plain, compression: 12345, make: '  ' }).raw).toBe(false);
    expect(classifyTiff({ ...plain, newSubfileType: 1, subIfdCount: 1, make: 'SONY', compression: 6 }).raw).toBe(true); // ARW
    // A libvips pyramid keeps its reduced levels in SubIFDs, but IFD0 is full resolution and names no camera.
    expect(classifyTiff({ ...plain, newSubfileType: 0, subIfdCount: 4 }).raw).toBe(false);
    // A thumbnail-first multi-image TIFF without a camera Make is not taken for a RAW.
    expect(classifyTiff({ ...plain, newSubfileType: 1, subIfdCount: 1 }).raw).toBe(false);
  });
});
