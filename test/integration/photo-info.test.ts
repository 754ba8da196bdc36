import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTOGRAM_BINS } from '../../shared/api-review';
import { iccProfileName } from '../../main/engine/imaging/icc-name';
import { histogramOf } from '../../main/engine/ingest/photo-info';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, refusal, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PHOTOS = [
  'photos/iphone4s_thumb_gps.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
  'photos/cat_grayscale.jpg',
];

describe('a photo’s details for the info panel (assets.info)', () => {
  it('reads the camera’s settings, the place, the colour profile and a histogram from the real files', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const hot = path.join(fs.realpathSync(tempDir()), 'Incoming');
    fs.mkdirSync(path.join(hot, 'Walk'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: hot, defaultRecipeId: null });
    for (const photo of PHOTOS) fs.copyFileSync(corpusPath(photo), path.join(hot, 'Walk', path.basename(photo)));
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === PHOTOS.length && list.every((asset) => asset.state === 'ok'),
    );
    const byName = (name: string) => assets.find((asset) => asset.relativePath.endsWith(name))?.id ?? '';

    const iphone = await call(engine, 'assets.info', { id: byName('iphone4s_thumb_gps.jpg') });
    expect(iphone).toMatchObject({
      fileName: 'iphone4s_thumb_gps.jpg',
      format: 'jpeg',
      width: 180,
      height: 135,
      camera: 'Apple iPhone 4S',
      fNumber: 2.4,
      iso: 50,
      focalLength: 4.28,
      focalLength35: 35,
      gps: { latitude: 37.885, longitude: -122.6225, altitude: 122 },
      problem: null,
    });
    expect(iphone.exposureTime).toBeCloseTo(1 / 4608, 8);
    expect(iphone.path).toBe(path.join(hot, 'Walk', 'iphone4s_thumb_gps.jpg'));
    // Every pixel of the (small) preview is counted once per channel.
    const histogram = iphone.histogram;
    expect(histogram?.luma).toHaveLength(HISTOGRAM_BINS);
    const sum = (bins: readonly number[] = []): number => bins.reduce((total, count) => total + count, 0);
    expect(sum(histogram?.red)).toBe(180 * 135);
    expect(sum(histogram?.luma)).toBe(sum(histogram?.blue));

    const cups = await call(engine, 'assets.info', { id: byName('colorfulcups_sony-nex3n_gps_srgb.jpg') });
    expect(cups).toMatchObject({ camera: 'SONY NEX-3N', colourProfile: 'sRGB', iso: 400, fNumber: 8 });
    expect(cups.gps?.latitude).toBeCloseTo(56.155995, 5);

    // No EXIF, no profile: the panel says what is known and leaves the rest out.
    const cat = await call(engine, 'assets.info', { id: byName('cat_grayscale.jpg') });
    expect(cat).toMatchObject({ camera: null, exposureTime: null, gps: null, colourProfile: null, problem: null });
    expect(sum(cat.histogram?.red)).toBe(sum(cat.histogram?.green));

    // The original gone: what ingest recorded, and why the rest is missing.
    fs.rmSync(path.join(hot, 'Walk', 'iphone4s_thumb_gps.jpg'));
    const gone = await call(engine, 'assets.info', { id: byName('iphone4s_thumb_gps.jpg') });
    expect(gone).toMatchObject({ camera: 'Apple iPhone 4S', histogram: null, gps: null });
    expect(gone.problem).toMatch(/original file is missing/);
    expect((await refusal(engine, 'assets.info', { id: 'no-such-photo' })).code).toBe('not_found');
  });
});

describe('reading a photo’s colour profile and histogram', () => {
  it('names version 2 and version 4 ICC profiles, and nothing for a malformed one', async () => {
    const tagged = async (profile: string) => {
      const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
        .withIccProfile(profile)
        .jpeg()
        .toBuffer();
      return (await sharp(jpeg).metadata()).icc;
    };
    // libvips' compact profiles are version 4 (text in `mluc`); the corpus sRGB above is version 2 (`desc`).
    expect(iccProfileName(await tagged('p3'))).toBe('sP3C');
    expect(iccProfileName(await tagged('srgb'))).toBe('sRGB');
    const broken = Buffer.from((await tagged('p3')) ?? Buffer.alloc(0));
    broken.writeUInt32BE(5000, 128); // a tag count past the end
    expect(iccProfileName(broken)).toBeNull();
    expect(iccProfileName(Buffer.alloc(40))).toBeNull();
    expect(iccProfileName(undefined)).toBeNull();
  });

  it('counts grey pixels into every channel and colour pixels by their own value', () => {
    const grey = histogramOf(new Uint8Array([0, 255, 128]), 1);
    expect(grey.red[0]).toBe(1);
    expect(grey.green[HISTOGRAM_BINS - 1]).toBe(1);
    expect(grey.luma[32]).toBe(1);
    const red = histogramOf(new Uint8Array([255, 0, 0, 255]), 4);
    expect(red.red[HISTOGRAM_BINS - 1]).toBe(1);
    expect(red.green[0]).toBe(1);
    expect(red.luma[Math.round(0.2126 * 255) >> 2]).toBe(1); // pure red is dark: Rec. 709 luma 54
  });
});
