import { planSize } from '../../main/engine/export/size-plan';
import fs from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import { ExifTool, type Tags } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportMetadataWriter } from '../../main/engine/export/export-metadata';
import { DIGITAL_SOURCE_TYPES, disclosureOf } from '../../shared/operation-effects';
import { BUILT_IN_PRESETS, ExportPresetSchema, type ExportPresetInput } from '../../shared/export-preset';
import {
  MIN_FIT_QUALITY,
  renderExport,
  type ExportItemMeta,
  type RenderedExport,
} from '../../main/engine/export/render-export';
import { corpusPath } from '../support/corpus';
import { tempDir } from '../support/temp';

const BIG = corpusPath('photos/sony-ilce6000_6000x4000.jpg'); // 6000 × 4000
const GPS = corpusPath('photos/IMG_0001_iphone6plus_orient6_gps.JPG'); // 2448 × 2448, orientation 6, GPS
const CUPS = corpusPath('photos/colorfulcups_sony-nex3n_gps_srgb.jpg'); // 2560 × 1600, GPS
const TURNED = corpusPath('photos/panasonic-gf1_orient6.jpg'); // stored 640 × 428, orientation 6
const SMALL = corpusPath('photos/iphone4s_thumb_gps.jpg'); // 180 × 135
const RGBA = corpusPath('formats/tmshre_riaphotographs_rgba.png');

const metadata = new ExportMetadataWriter();
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(async () => {
  await metadata.end();
  await exiftool.end();
});

const tools = { metadata };

function preset(overrides: Partial<ExportPresetInput> = {}) {
  return ExportPresetSchema.parse({
    name: 'Test',
    what: 'approved',
    format: 'jpeg',
    quality: 85,
    size: { mode: 'long-edge', value: 800 },
    metadata: 'strip-all',
    outputFolder: '{shoot}',
    filenameTemplate: '{name}',
    ...overrides,
  });
}

function meta(overrides: Partial<ExportItemMeta> = {}): ExportItemMeta {
  return {
    shoot: 'Fotó café 写真',
    name: 'IMG_0001',
    seq: 1,
    variant: 'v1',
    provider: 'aixpose',
    rating: 4,
    captureDate: '2016-03-24T14:49:51',
    date: new Date(),
    disclosure: disclosureOf('none', false),
    ...overrides,
  };
}

async function render(file: string, overrides: Partial<ExportPresetInput> = {}, item: Partial<ExportItemMeta> = {}) {
  const result = await renderExport({ file, preset: preset(overrides), meta: meta(item) }, tools);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.output;
}

/** Reads an export back the way a user's tools would: exiftool, from a real file. */
async function tagsOf(output: RenderedExport): Promise<Tags & Record<string, unknown>> {
  const file = path.join(tempDir(), `out.${output.format === 'jpeg' ? 'jpg' : output.format}`);
  fs.writeFileSync(file, output.bytes);
  return exiftool.read(file);
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Mean absolute difference (0–255) of two encoded images over a region, compared in sRGB. */
async function regionDifference(a: Buffer, b: Buffer, region: Region): Promise<number> {
  const pixels = (bytes: Buffer) => sharp(bytes).removeAlpha().extract(region).raw().toBuffer();
  const [first, second] = await Promise.all([pixels(a), pixels(b)]);
  let sum = 0;
  for (let index = 0; index < first.length; index += 1) sum += Math.abs((first[index] ?? 0) - (second[index] ?? 0));
  return sum / first.length;
}

/** The bounding box of the pixels that differ clearly between two encoded images of one size. */
async function changedBox(a: Buffer, b: Buffer): Promise<{ left: number; top: number; right: number; bottom: number }> {
  const read = (bytes: Buffer) => sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [first, second] = await Promise.all([read(a), read(b)]);
  const { width, height } = first.info;
  const box = { left: width, top: height, right: -1, bottom: -1 };
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      let difference = 0;
      for (let channel = 0; channel < 3; channel += 1) {
        difference += Math.abs((first.data[at + channel] ?? 0) - (second.data[at + channel] ?? 0));
      }
      if (difference < 30) continue;
      box.left = Math.min(box.left, x);
      box.top = Math.min(box.top, y);
      box.right = Math.max(box.right, x);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return box;
}

/** Mean of each channel over a region (stats() reads the input, so the region is cut out first). */
async function regionMean(bytes: Buffer, region: Region): Promise<number[]> {
  const cut = await sharp(bytes).removeAlpha().extract(region).png().toBuffer();
  const stats = await sharp(cut).stats();
  return stats.channels.map((channel) => channel.mean);
}

describe('size', () => {
  it('works out every mode, never enlarging unless asked', () => {
    expect(planSize({ mode: 'original' }, 6000, 4000)).toMatchObject({ width: 6000, height: 4000, resize: null });
    expect(planSize({ mode: 'long-edge', value: 2048, enlarge: false }, 4000, 6000)).toMatchObject({
      width: 1365,
      height: 2048,
    });
    expect(planSize({ mode: 'width', value: 1000, enlarge: false }, 6000, 4000)).toMatchObject({
      width: 1000,
      height: 667,
    });
    expect(planSize({ mode: 'height', value: 1000, enlarge: false }, 6000, 4000)).toMatchObject({
      width: 1500,
      height: 1000,
    });
    expect(planSize({ mode: 'megapixels', value: 6, enlarge: false }, 6000, 4000)).toMatchObject({
      width: 3000,
      height: 2000,
    });
    expect(planSize({ mode: 'long-edge', value: 4000, enlarge: false }, 180, 135)).toMatchObject({
      width: 180,
      height: 135,
      resize: null,
    });
    expect(planSize({ mode: 'long-edge', value: 360, enlarge: true }, 180, 135)).toMatchObject({
      width: 360,
      height: 270,
    });
    expect(planSize({ mode: 'megapixels', value: 1, enlarge: false }, 180, 135).resize).toBeNull();
    // Exact: too small to fill 1080 × 1350 without upscaling, so the 4:5 crop is taken at the source's size.
    expect(
      planSize({ mode: 'exact', width: 1080, height: 1350, crop: 'centre', enlarge: false }, 180, 135),
    ).toMatchObject({ width: 108, height: 135 });
    expect(
      planSize({ mode: 'exact', width: 1080, height: 1350, crop: 'centre', enlarge: true }, 180, 135),
    ).toMatchObject({ width: 1080, height: 1350 });
  });

  it('renders each mode to the planned pixels, upright', async () => {
    const cases: [Partial<ExportPresetInput>['size'], string, number, number][] = [
      [{ mode: 'long-edge', value: 1000 }, BIG, 1000, 667],
      [{ mode: 'width', value: 640 }, BIG, 640, 427],
      [{ mode: 'height', value: 500 }, BIG, 750, 500],
      [{ mode: 'megapixels', value: 0.24 }, BIG, 600, 400],
      [{ mode: 'exact', width: 1080, height: 1350, crop: 'centre', enlarge: true }, BIG, 1080, 1350],
      [{ mode: 'exact', width: 300, height: 300, crop: 'attention', enlarge: false }, CUPS, 300, 300],
      [{ mode: 'original' }, SMALL, 180, 135],
      [{ mode: 'long-edge', value: 4000 }, SMALL, 180, 135],
      [{ mode: 'long-edge', value: 360, enlarge: true }, SMALL, 360, 270],
      // Orientation 6: stored 640 × 428, shown 428 × 640.
      [{ mode: 'height', value: 320 }, TURNED, 214, 320],
    ];
    for (const [size, file, width, height] of cases) {
      const output = await render(file, { size });
      const read = await sharp(output.bytes).metadata();
      expect([output.width, output.height, read.width, read.height], JSON.stringify(size)).toEqual([
        width,
        height,
        width,
        height,
      ]);
      expect(read.orientation ?? 1).toBe(1);
    }
  });

  it('bakes orientation in: a turned photo exports like the same picture turned by hand', async () => {
    const output = await render(TURNED, { size: { mode: 'original' }, format: 'png' });
    const byHand = await sharp(TURNED).rotate().png().toBuffer();
    const wrongWay = await sharp(await sharp(TURNED).rotate().png().toBuffer())
      .rotate(180)
      .png()
      .toBuffer();
    const whole = { left: 0, top: 0, width: 428, height: 640 };
    expect(await regionDifference(output.bytes, byHand, whole)).toBeLessThan(2);
    expect(await regionDifference(output.bytes, wrongWay, whole)).toBeGreaterThan(10);
  });
});

describe('format and quality', () => {
  it('writes each format, and TIFF at 16 bits per channel when asked', async () => {
    const expected = { jpeg: 'jpeg', png: 'png', webp: 'webp', avif: 'heif', tiff: 'tiff' } as const;
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const) {
      const output = await render(CUPS, { format, size: { mode: 'long-edge', value: 320 } });
      const read = await sharp(output.bytes).metadata();
      expect(read.format, format).toBe(expected[format]);
      expect(output.format).toBe(format);
      expect(output.quality).toBe(format === 'png' || format === 'tiff' ? null : 85);
      if (format === 'avif') expect(read.compression).toBe('av1');
    }
    const deep = await render(CUPS, { format: 'tiff', bitDepth: 16, size: { mode: 'long-edge', value: 320 } });
    const read = await sharp(deep.bytes).metadata();
    expect([read.depth, read.bitsPerSample, read.channels]).toEqual(['ushort', 16, 3]);
  });

  it('keeps transparency where the format can hold it, and flattens it onto white for JPEG', async () => {
    const png = await render(RGBA, { format: 'png', size: { mode: 'long-edge', value: 200 } });
    expect((await sharp(png.bytes).metadata()).hasAlpha).toBe(true);
    const jpeg = await render(RGBA, { format: 'jpeg', size: { mode: 'long-edge', value: 200 } });
    expect((await sharp(jpeg.bytes).metadata()).channels).toBe(3);
  });

  it('makes a higher quality a bigger file (JPEG, WebP, AVIF)', async () => {
    for (const format of ['jpeg', 'webp', 'avif'] as const) {
      const size = { mode: 'long-edge', value: 640 } as const;
      const high = await render(CUPS, { format, quality: 90, size });
      const low = await render(CUPS, { format, quality: 60, size });
      expect(high.bytes.length, format).toBeGreaterThan(low.bytes.length);
    }
  });

  it('steps quality down until the file fits under the ceiling, metadata included', async () => {
    const ceiling = 350_000;
    const unbounded = await render(BIG, {
      quality: 95,
      size: { mode: 'long-edge', value: 2000 },
      metadata: 'keep-all',
    });
    expect(unbounded.bytes.length).toBeGreaterThan(ceiling);
    const fitted = await render(BIG, {
      quality: 95,
      size: { mode: 'long-edge', value: 2000 },
      metadata: 'keep-all',
      maxFileBytes: ceiling,
    });
    expect(fitted.bytes.length).toBeLessThanOrEqual(ceiling);
    expect(fitted.steppedDown).toBe(true);
    expect(fitted.quality).toBeGreaterThanOrEqual(MIN_FIT_QUALITY);
    expect(fitted.quality).toBeLessThan(95);
    expect((await tagsOf(fitted)).Make).toBe('SONY');
  });

  it.each([
    ['no metadata (the file is the encode itself)', 'strip-all'],
    ['credits written in-process', 'copyright-contact'],
  ] as const)(
    'under a ceiling with %s, the fitted file comes back whole while every other encode is let go',
    async (_what, policy) => {
      const ceiling = 400_000;
      const fitted = await render(
        BIG,
        { quality: 95, size: { mode: 'long-edge', value: 2000 }, metadata: policy, maxFileBytes: ceiling },
        { creator: 'Ansel Adams' },
      );
      expect(fitted.steppedDown).toBe(true);
      expect((fitted.bytes.buffer as ArrayBuffer).detached).toBe(false);
      expect(fitted.bytes.length).toBeGreaterThan(100_000);
      expect(fitted.bytes.length).toBeLessThanOrEqual(ceiling);
      const decoded = await sharp(fitted.bytes).stats();
      expect(decoded.channels[0]?.mean).toBeGreaterThan(10);
      expect(await sharp(fitted.bytes).metadata()).toMatchObject({ width: 2000, height: 1333, format: 'jpeg' });
    },
  );

  it('reports when even quality 40 (or a lossless format) cannot fit', async () => {
    const tooSmall = await renderExport(
      { file: BIG, preset: preset({ size: { mode: 'long-edge', value: 2000 }, maxFileBytes: 20_000 }), meta: meta() },
      tools,
    );
    expect(tooSmall.ok).toBe(false);
    if (!tooSmall.ok && tooSmall.error.code === 'cannot_fit') {
      expect(tooSmall.error.quality).toBe(MIN_FIT_QUALITY);
      expect(tooSmall.error.smallestBytes).toBeGreaterThan(20_000);
      expect(tooSmall.error.message).toMatch(/^Even at quality 40 this photo takes/);
    } else {
      throw new Error('expected cannot_fit');
    }
    const lossless = await renderExport(
      { file: CUPS, preset: preset({ format: 'png', maxFileBytes: 10_000 }), meta: meta() },
      tools,
    );
    expect(lossless).toMatchObject({ ok: false, error: { code: 'cannot_fit', quality: null } });
  });

  it('exports the built-in listing preset under its 4 MB ceiling at 2048 px', async () => {
    const listing = BUILT_IN_PRESETS[0];
    if (listing === undefined) throw new Error('no listing preset');
    const result = await renderExport(
      { file: BIG, preset: listing, meta: meta({ disclosure: disclosureOf('composite', true) }) },
      tools,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(Math.max(result.output.width, result.output.height)).toBe(2048);
    expect(result.output.bytes.length).toBeLessThanOrEqual(4_000_000);
    expect((await tagsOf(result.output)).DigitalSourceType).toBe(
      DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia,
    );
  });
});

describe('colour', () => {
  it('converts to sRGB or Display P3 and embeds that profile, whatever the metadata policy', async () => {
    const srgb = await render(CUPS, { colourSpace: 'srgb', metadata: 'strip-all' });
    const p3 = await render(CUPS, { colourSpace: 'display-p3', metadata: 'strip-all' });
    const p3Kept = await render(CUPS, { colourSpace: 'display-p3', metadata: 'keep-all' });
    const srgbTags = await tagsOf(srgb);
    const p3Tags = await tagsOf(p3);
    expect(srgbTags.ProfileDescription).toMatch(/sRGB/);
    expect(p3Tags.ProfileDescription).toMatch(/P3/);
    expect((await tagsOf(p3Kept)).ProfileDescription).toBe(p3Tags.ProfileDescription);
    // Same picture, different encoding: the stored values differ, the colours they mean do not.
    const whole = { left: 0, top: 0, width: 800, height: 500 };
    /** The values as stored in the file, not converted to sRGB on reading. */
    const storedRed = async (bytes: Buffer) => {
      const raw = await sharp(bytes).keepIccProfile().raw().toBuffer();
      let sum = 0;
      for (let index = 0; index < raw.length; index += 3) sum += raw[index] ?? 0;
      return sum / (raw.length / 3);
    };
    expect(Math.abs((await storedRed(srgb.bytes)) - (await storedRed(p3.bytes)))).toBeGreaterThan(0.5);
    expect(await regionDifference(srgb.bytes, p3.bytes, whole)).toBeLessThan(2.5);
    // Untagged on request (sRGB only): no profile at all, the same colours, a smaller file.
    const untagged = await render(CUPS, { colourSpace: 'srgb', metadata: 'strip-all', embedProfile: false });
    expect((await sharp(untagged.bytes).metadata()).icc).toBeUndefined();
    expect((await sharp(srgb.bytes).metadata()).icc).toBeDefined();
    expect(untagged.bytes.length).toBeLessThan(srgb.bytes.length);
    expect(await regionDifference(srgb.bytes, untagged.bytes, whole)).toBeLessThan(1);
    expect(
      ExportPresetSchema.safeParse({ ...BUILT_IN_PRESETS[0], colourSpace: 'display-p3', embedProfile: false }).success,
    ).toBe(false);
  });

  it('gives a photo without a profile an sRGB one, and converts a wide-gamut one', async () => {
    const plain = await render(corpusPath('photos/cat_grayscale.jpg'), { colourSpace: 'srgb' });
    expect((await sharp(plain.bytes).metadata()).channels).toBe(3);
    expect((await tagsOf(plain)).ProfileDescription).toMatch(/sRGB/);
    const adobe = await render(corpusPath('formats/after-the-rain_adobergb1998.jpg'), { colourSpace: 'srgb' });
    expect((await tagsOf(adobe)).ProfileDescription).toMatch(/sRGB/);
  });
});

describe('metadata', () => {
  /** The GPS photo, with a copyright and an IPTC location (with coordinates) of its own. */
  async function richSource(): Promise<string> {
    const file = path.join(tempDir(), 'IMG_0001 Fotó.jpg');
    fs.copyFileSync(GPS, file);
    await exiftool.write(
      file,
      {
        'EXIF:Copyright': '© 2016 Source Studio',
        'XMP-iptcExt:LocationCreatedCity': 'Paris',
        'XMP-iptcExt:LocationCreatedGPSLatitude': 48.85,
        'XMP-iptcExt:LocationCreatedGPSLongitude': 2.35,
      } as never,
      { writeArgs: ['-overwrite_original'] },
    );
    return file;
  }

  const credits = {
    creator: 'Zoë Ångström 写真家',
    copyright: '© 2025 Zoë Ångström',
    contact: { email: 'zoe@example.com', url: 'https://zoe.example.com' },
  };

  it('strip-all: no EXIF, XMP, IPTC or GPS at all', async () => {
    const output = await render(await richSource(), { metadata: 'strip-all' }, credits);
    const tags = await tagsOf(output);
    const groups = Object.keys(await exiftool.readRaw(await writeTemp(output), { readArgs: ['-G', '-a'] }));
    expect(groups.filter((key) => /^(EXIF|XMP|IPTC|GPS|MakerNotes):/.test(key))).toEqual([]);
    expect(tags.GPSLatitude).toBeUndefined();
    expect(tags.Make).toBeUndefined();
    expect(tags.Copyright).toBeUndefined();
    expect(await exifr.gps(output.bytes).catch(() => undefined)).toBeUndefined();
    expect(tags.ProfileDescription).toMatch(/sRGB/); // the colour profile is not metadata to strip
  });

  it('strip-gps: every coordinate removed, the copyright, camera and capture date kept, orientation 1', async () => {
    const output = await render(await richSource(), { metadata: 'strip-gps' });
    const tags = await tagsOf(output);
    expect(Object.keys(tags).filter((key) => /GPS/i.test(key))).toEqual([]);
    expect(await exifr.gps(output.bytes).catch(() => undefined)).toBeUndefined();
    expect(tags.Copyright).toBe('© 2016 Source Studio');
    expect(tags.LocationCreated).toEqual([{ City: 'Paris' }]);
    expect(tags.Make).toBe('Apple');
    expect(tags.DateTimeOriginal).toBeDefined();
    expect(tags.Orientation).toBe(1);
    expect(tags.ThumbnailImage).toBeUndefined();
  });

  it('keep-all: the source EXIF kept, GPS included, orientation normalised to 1, no stale thumbnail', async () => {
    const output = await render(GPS, { metadata: 'keep-all' });
    const tags = await tagsOf(output);
    expect(tags.Make).toBe('Apple');
    expect(tags.Model).toBe('iPhone 6 Plus');
    expect(tags.GPSLatitude).toBeCloseTo(40.004, 2);
    expect(tags.Orientation).toBe(1);
    expect(tags.ThumbnailImage).toBeUndefined();
    expect((await sharp(output.bytes).metadata()).orientation).toBe(1);
  });

  it('copyright-contact: only creator, copyright and contact, written as EXIF, XMP and IPTC in UTF-8', async () => {
    const output = await render(GPS, { metadata: 'copyright-contact' }, credits);
    const tags = await tagsOf(output);
    expect(tags.Make).toBeUndefined();
    expect(tags.DateTimeOriginal).toBeUndefined();
    expect(Object.keys(tags).filter((key) => /GPS/i.test(key))).toEqual([]);
    expect([tags.Creator].flat()).toEqual(['Zoë Ångström 写真家']);
    expect(tags.Artist).toBe('Zoë Ångström 写真家');
    expect(tags['By-line']).toBe('Zoë Ångström 写真家');
    expect(tags.Rights).toBe('© 2025 Zoë Ångström');
    expect(tags.CopyrightNotice).toBe('© 2025 Zoë Ångström');
    expect(tags.Copyright).toBe('© 2025 Zoë Ångström');
    expect(tags.CreatorContactInfo).toMatchObject({
      CiEmailWork: 'zoe@example.com',
      CiUrlWork: 'https://zoe.example.com',
    });
  });

  it("Settings' credits never replace a photo's own copyright, nor join its own creator in one field", async () => {
    const source = await richSource();
    const copyrighted = await tagsOf(await render(source, { metadata: 'copyright-contact' }, credits));
    expect(copyrighted.Copyright).toBe('© 2016 Source Studio');
    expect(copyrighted.Rights).toBeUndefined();
    // Still only credits: the source's location and camera stay behind.
    expect(copyrighted.LocationCreated).toBeUndefined();
    expect(copyrighted.Make).toBeUndefined();
    expect(copyrighted.CopyrightNotice).toBeUndefined();
    // It had no creator: Settings' fills that in.
    expect([copyrighted.Creator].flat()).toEqual(['Zoë Ångström 写真家']);

    await exiftool.write(source, { 'XMP-dc:Creator': ['Ansel Adams'] } as never, {
      writeArgs: ['-overwrite_original'],
    });
    for (const metadata of ['copyright-contact', 'keep-all'] as const) {
      const tags = await tagsOf(await render(source, { metadata }, credits));
      expect([tags.Creator].flat(), metadata).toEqual(['Ansel Adams']);
      // Nothing of Settings' credits anywhere: not its creator, contact or copyright.
      expect(JSON.stringify(tags), metadata).not.toMatch(/Zoë|zoe@example/);
      expect(tags.Copyright, metadata).toBe('© 2016 Source Studio');
    }
  });

  it("copyright-contact without credits of the export's own keeps the source's copyright", async () => {
    const tags = await tagsOf(await render(await richSource(), { metadata: 'copyright-contact' }));
    expect(tags.Copyright).toBe('© 2016 Source Studio');
    expect(tags.Make).toBeUndefined();
  });

  it('writes IPTC DigitalSourceType for AI-edited and generated items only, even when stripping', async () => {
    const disclosure = { aiDisclosure: { metadata: true } };
    const edited = await tagsOf(
      await render(CUPS, { ...disclosure, metadata: 'strip-all' }, { disclosure: disclosureOf('composite', true) }),
    );
    expect(edited.DigitalSourceType).toBe(
      'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
    );
    expect(edited.GPSLatitude).toBeUndefined();
    const generated = await tagsOf(
      await render(CUPS, { ...disclosure, format: 'webp' }, { disclosure: disclosureOf('generated', true) }),
    );
    expect(generated.DigitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    const untouched = await tagsOf(
      await render(CUPS, { ...disclosure, metadata: 'keep-all' }, { disclosure: disclosureOf('none', false) }),
    );
    expect(untouched.DigitalSourceType).toBeUndefined();
    const off = await tagsOf(
      await render(CUPS, { aiDisclosure: { metadata: false } }, { disclosure: disclosureOf('composite', true) }),
    );
    expect(off.DigitalSourceType).toBeUndefined();
  });

  it('writes XMP into WebP, AVIF and PNG too', async () => {
    for (const format of ['webp', 'avif', 'png'] as const) {
      const tags = await tagsOf(
        await render(CUPS, { format, metadata: 'copyright-contact', size: { mode: 'long-edge', value: 256 } }, credits),
      );
      expect(tags.Rights, format).toBe('© 2025 Zoë Ångström');
      expect([tags.Creator].flat(), format).toEqual(['Zoë Ångström 写真家']);
    }
  });

  async function writeTemp(output: RenderedExport): Promise<string> {
    const file = path.join(tempDir(), 'raw.jpg');
    await fs.promises.writeFile(file, output.bytes);
    return file;
  }
});

describe('overlays', () => {
  // CUPS at 800 px: 800 × 500.
  const topRight = { left: 560, top: 0, width: 240, height: 80 };
  const bottomLeft = { left: 0, top: 420, width: 240, height: 80 };

  it('draws the disclosure label at its corner on AI-edited items only', async () => {
    const label = {
      aiDisclosure: { label: { text: 'Virtually staged', position: 'bottom-left' as const, sizePct: 4 } },
    };
    const plain = await render(CUPS, { format: 'png' });
    const edited = await render(CUPS, { ...label, format: 'png' }, { disclosure: disclosureOf('composite', true) });
    const untouched = await render(CUPS, { ...label, format: 'png' }, { disclosure: disclosureOf('none', false) });
    expect(await regionDifference(edited.bytes, plain.bytes, bottomLeft)).toBeGreaterThan(15);
    expect(await regionDifference(edited.bytes, plain.bytes, topRight)).toBe(0);
    expect(await regionDifference(untouched.bytes, plain.bytes, { left: 0, top: 0, width: 800, height: 500 })).toBe(0);
  });

  it('sizes the label by sizePct of the short edge and keeps it inside the picture', async () => {
    const plain = await render(CUPS, { format: 'png' });
    const boxOf = async (sizePct: number, position: 'bottom-left' | 'top-right') => {
      const labelled = await render(
        CUPS,
        { format: 'png', aiDisclosure: { label: { text: 'Virtually staged', position, sizePct } } },
        { disclosure: disclosureOf('composite', true) },
      );
      return changedBox(labelled.bytes, plain.bytes);
    };
    // 4 % of the 500 px short edge: 20 px of text, 9 px of padding around it, 9 px from the edges.
    const small = await boxOf(4, 'bottom-left');
    expect(small.left).toBeLessThanOrEqual(10);
    expect(small.bottom).toBeGreaterThanOrEqual(489);
    expect(small.bottom - small.top + 1).toBeGreaterThan(30);
    expect(small.bottom - small.top + 1).toBeLessThanOrEqual(38);
    const large = await boxOf(8, 'top-right');
    expect(large.top).toBeLessThanOrEqual(19);
    expect(large.right).toBeGreaterThanOrEqual(780);
    expect(large.bottom - large.top).toBeGreaterThan(1.8 * (small.bottom - small.top));
  });

  it('draws a text watermark at the chosen corner and nowhere else', async () => {
    const plain = await render(CUPS, { format: 'png' });
    const marked = await render(CUPS, {
      format: 'png',
      watermark: { kind: 'text', text: '© Zoë 写真', position: 'top-right', opacity: 1, scalePct: 25, marginPct: 2 },
    });
    expect(await regionDifference(marked.bytes, plain.bytes, topRight)).toBeGreaterThan(10);
    expect(await regionDifference(marked.bytes, plain.bytes, bottomLeft)).toBe(0);
    // 25 % of the 800 px long edge, 16 px (2 %) in from the top and right edges.
    const box = await changedBox(marked.bytes, plain.bytes);
    expect(box.right - box.left + 1).toBeGreaterThan(180);
    expect(box.right - box.left + 1).toBeLessThanOrEqual(200);
    expect(box.right).toBeGreaterThan(780);
    expect(box.right).toBeLessThanOrEqual(784);
    expect(box.top).toBeGreaterThanOrEqual(16);
    expect(box.top).toBeLessThan(24);
  });

  it('places a PNG watermark by position, margin, scale and opacity', async () => {
    const logo = path.join(tempDir(), 'logo.png');
    await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
      .png()
      .toFile(logo);
    const plain = await render(CUPS, { format: 'png' });
    const mark = (opacity: number) =>
      render(CUPS, {
        format: 'png',
        watermark: { kind: 'image', pngPath: logo, position: 'bottom-left', opacity, scalePct: 25, marginPct: 2 },
      });
    // 25 % of the 800 px long edge: 200 × 100, 16 px (2 %) from the bottom-left corner.
    const where = { left: 16, top: 500 - 16 - 100, width: 200, height: 100 };
    const inner = { left: 20, top: 388, width: 192, height: 92 };
    const solid = await mark(1);
    const [red = 0, green = 0, blue = 0] = await regionMean(solid.bytes, inner);
    expect(red).toBeGreaterThan(250);
    expect(green + blue).toBeLessThan(10);
    expect(await regionDifference(solid.bytes, plain.bytes, topRight)).toBe(0);
    expect(await regionDifference(solid.bytes, plain.bytes, { left: 0, top: 0, width: 16, height: 500 })).toBe(0);
    const faint = await mark(0.3);
    const faintChange = await regionDifference(faint.bytes, plain.bytes, where);
    expect(faintChange).toBeGreaterThan(5);
    expect(faintChange).toBeLessThan(await regionDifference(solid.bytes, plain.bytes, where));
  });
});

describe('failures', () => {
  it('reports an unreadable source or watermark instead of throwing', async () => {
    const empty = await renderExport({ file: corpusPath('bad/zero-bytes.jpg'), preset: preset(), meta: meta() }, tools);
    expect(empty).toMatchObject({ ok: false, error: { code: 'source_unreadable' } });
    const truncated = await renderExport(
      { file: corpusPath('bad/truncated_40pct_nokia-lumia820.jpg'), preset: preset(), meta: meta() },
      tools,
    );
    expect(truncated).toMatchObject({ ok: false, error: { code: 'source_unreadable' } });
    const noLogo = await renderExport(
      {
        file: CUPS,
        preset: preset({ watermark: { kind: 'image', pngPath: path.join(tempDir(), 'missing.png') } }),
        meta: meta(),
      },
      tools,
    );
    expect(noLogo).toMatchObject({ ok: false, error: { code: 'watermark_unreadable' } });
  });
});
