import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import type { OpenedPhoto } from '../../main/engine/imaging/decode';
import { DerivativeCache, DiskFullError } from '../../main/engine/imaging/derivative-cache';
import { renderDerivatives } from '../../main/engine/imaging/render';
import { sniffFormat } from '../../main/engine/imaging/sniff';
import { systemClock } from '../../main/engine/clock';
import { corpusPath } from '../support/corpus';
import { openPhotoFile, testDecoder } from '../support/decoder';
import { writeCr2Like, writeDngLike, writeEditorTiff, writeThumbnailOnlyRaw } from '../support/raw-fixtures';
import { tempDir } from '../support/temp';

const decoder = testDecoder();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(file: string): Promise<OpenedPhoto> {
  return openPhotoFile(decoder, file);
}

/** A tiny grey image of the thumbnail, to compare pictures by their pixels. */
async function signature(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).resize(32, 20, { fit: 'fill' }).greyscale().raw().toBuffer();
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += Math.abs((a[index] ?? 0) - (b[index] ?? 0));
  return sum / a.length;
}

describe('orientation', () => {
  it('makes all 8 EXIF orientations of a photo into the same upright thumbnail (compared on pixels)', async () => {
    const upright = await signature(
      (await renderDerivatives(await open(corpusPath('orientation/orient1_bythewater.jpg')))).thumbnail,
    );
    // The test can tell a wrong turn: the upright picture upside down is far from itself.
    const upsideDown = await sharp(
      await sharp(corpusPath('orientation/orient1_bythewater.jpg')).rotate(180).jpeg().toBuffer(),
    )
      .resize(32, 20, { fit: 'fill' })
      .greyscale()
      .raw()
      .toBuffer();
    expect(meanDifference(upright, upsideDown)).toBeGreaterThan(20);
    for (let orientation = 2; orientation <= 8; orientation += 1) {
      const photo = await open(corpusPath(`orientation/orient${orientation}_bythewater.jpg`));
      expect([photo.width, photo.height, photo.metadata.orientation]).toEqual([2560, 1600, orientation]);
      const thumbnail = (await renderDerivatives(photo)).thumbnail;
      expect(meanDifference(await signature(thumbnail), upright), `orientation ${orientation}`).toBeLessThan(4);
    }
  });
});

describe('derivatives', () => {
  it('makes a 2048 px sRGB JPEG preview and a 320 px WebP thumbnail, never enlarging a small photo', async () => {
    const big = await renderDerivatives(await open(corpusPath('formats/after-the-rain_adobergb1998.jpg')));
    const preview = await sharp(big.preview).metadata();
    expect([preview.format, preview.width, preview.height, preview.space]).toEqual(['jpeg', 2048, 1361, 'srgb']);
    const thumbnail = await sharp(big.thumbnail).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', 320, 213]);
    const small = await renderDerivatives(await open(corpusPath('photos/iphone4s_thumb_gps.jpg')));
    expect((await sharp(small.thumbnail).metadata()).width).toBe(180);
  });

  it('converts colour to sRGB: an Adobe RGB photo and its sRGB original give the same preview colours', async () => {
    const adobe = await renderDerivatives(await open(corpusPath('formats/after-the-rain_adobergb1998.jpg')));
    const srgb = await renderDerivatives(await open(corpusPath('photos/after-the-rain_pentax-k7_srgb.jpg')));
    const means = async (bytes: Buffer) => (await sharp(bytes).stats()).channels.slice(0, 3).map((c) => c.mean);
    const [a, b] = [await means(adobe.preview), await means(srgb.preview)];
    for (let channel = 0; channel < 3; channel += 1)
      expect(Math.abs((a[channel] ?? 0) - (b[channel] ?? 0))).toBeLessThan(1);
  });

  it('decodes HEIC through WASM libheif, upright and in colour', async () => {
    const photo = await open(corpusPath('formats/colorfulcups.heic'));
    expect([photo.format, photo.width, photo.height]).toEqual(['heif', 2560, 1600]);
    const fromHeic = await signature((await renderDerivatives(photo)).thumbnail);
    const fromJpeg = await signature(
      (await renderDerivatives(await open(corpusPath('photos/colorfulcups_sony-nex3n_gps_srgb.jpg')))).thumbnail,
    );
    expect(meanDifference(fromHeic, fromJpeg)).toBeLessThan(6);
  });
});

describe('camera RAW', () => {
  it("opens a DNG or CR2 through its full-size embedded preview, turned by the RAW's own orientation", async () => {
    const dir = tempDir();
    for (const fixture of [await writeDngLike(dir, { orientation: 6 }), await writeCr2Like(dir, { orientation: 8 })]) {
      const bytes = fs.readFileSync(fixture.file);
      const sniffed = sniffFormat(bytes);
      if (!sniffed.ok) throw new Error(sniffed.message);
      const result = await decoder.open(fixture.file, bytes, sniffed.format);
      expect(result.ok, fixture.file).toBe(true);
      if (!result.ok) continue;
      // Orientation 6 and 8 stand the 1680×1050 preview up.
      expect([result.photo.width, result.photo.height, result.photo.metadata.orientation]).toEqual([
        1050,
        1680,
        fixture.orientation,
      ]);
      const preview = await sharp((await renderDerivatives(result.photo)).preview).metadata();
      expect([preview.width, preview.height]).toEqual([1050, 1680]);
    }
  });

  it('refuses a RAW cut short as truncated, though its preview at the start is whole', async () => {
    const dir = tempDir();
    for (const fixture of [await writeDngLike(dir), await writeCr2Like(dir)]) {
      const whole = fs.readFileSync(fixture.file);
      const cut = whole.subarray(0, Math.floor(whole.length * 0.97));
      fs.writeFileSync(fixture.file, cut);
      const result = await decoder.open(fixture.file, cut, 'tiff');
      expect(result.ok, fixture.file).toBe(false);
      if (!result.ok) expect(result.error.kind, fixture.file).toBe('truncated');
    }
  });

  it('refuses a RAW with only a thumbnail as unsupported, saying so; a plain TIFF with a camera Make is not a RAW', async () => {
    const dir = tempDir();
    const thumbOnly = await writeThumbnailOnlyRaw(dir);
    const bytes = fs.readFileSync(thumbOnly.file);
    const result = await decoder.open(thumbOnly.file, bytes, 'tiff');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('unsupported_format');
      expect(result.error.message).toMatch(/no full-size preview .*only a 160×120 thumbnail/);
    }
    const editorTiff = await open(await writeEditorTiff(dir));
    expect(editorTiff.format).toBe('tiff');
  });
});

describe('the derivative cache', () => {
  function library(): { db: Db; root: string } {
    const dir = tempDir();
    const db = openDatabase(path.join(dir, 'shootline.db'));
    cleanups.push(() => db.close());
    migrate(db, migrations, Date.now);
    return { db, root: path.join(dir, 'cache') };
  }
  const hash = (n: number) => n.toString(16).padStart(64, '0');
  const filesIn = (root: string) => (fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String) : []);

  it('evicts the least recently used files beyond its cap, and keeps what was just used', async () => {
    const { db, root } = library();
    let now = 1_000;
    const cache = new DerivativeCache({ db, clock: { ...systemClock, now: () => now }, root, capBytes: 10_000 });
    for (let n = 1; n <= 4; n += 1) {
      now += 1;
      await cache.put(hash(n), 'preview', Buffer.alloc(3_000, n));
    }
    // 4 × 3000 > 10000: the oldest (1) went, down to 90% of the cap.
    expect(cache.lookup(hash(1), 'preview')).toBeNull();
    now += 1;
    expect(cache.lookup(hash(2), 'preview')).not.toBeNull(); // 2 is used again, so 3 is now the oldest
    now += 1;
    await cache.put(hash(5), 'preview', Buffer.alloc(3_000, 5));
    expect(cache.lookup(hash(3), 'preview')).toBeNull();
    expect(fs.existsSync(cache.pathOf(hash(3), 'preview'))).toBe(false);
    for (const kept of [2, 4, 5]) expect(cache.lookup(hash(kept), 'preview'), `${kept}`).not.toBeNull();
    // A file torn by a power cut (the OS had not flushed it) is not served: it is made again.
    fs.truncateSync(cache.pathOf(hash(4), 'preview'), 1_000);
    expect(cache.lookup(hash(4), 'preview')).toBeNull();
  });

  it('writes nothing while serving a cached file: its uses are written later, together', async () => {
    const { db, root } = library();
    let now = 1_000;
    const cache = new DerivativeCache({ db, clock: { ...systemClock, now: () => now }, root, capBytes: 10_000 });
    await cache.put(hash(1), 'thumbnail', Buffer.alloc(100, 1));
    const changes = () => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    for (let shown = 0; shown < 100; shown += 1) {
      now += 1;
      expect(cache.lookup(hash(1), 'thumbnail')).not.toBeNull();
    }
    expect(changes()).toBe(before);
    cache.writeTouches();
    expect(changes()).toBe(before + 1);
    const used = db.prepare('SELECT last_used_at AS at FROM derivatives WHERE content_hash = ?').get(hash(1)) as {
      at: number;
    };
    expect(used.at).toBe(now);
  });

  it('evicts by what the cache really holds: writing the same photo again and again frees nothing else', async () => {
    const { db, root } = library();
    let now = 1_000;
    const cache = new DerivativeCache({ db, clock: { ...systemClock, now: () => now }, root, capBytes: 10_000 });
    await cache.put(hash(1), 'preview', Buffer.alloc(3_000, 1));
    for (let round = 0; round < 10; round += 1) {
      now += 1;
      // 30 KB written in all, but one 3 KB file replaced each time: the cache holds 6 KB.
      await cache.put(hash(2), 'preview', Buffer.alloc(3_000, round));
    }
    expect(cache.lookup(hash(1), 'preview')).not.toBeNull();
    // A cache opened again over the same library starts from what is recorded.
    const reopened = new DerivativeCache({ db, clock: { ...systemClock, now: () => now }, root, capBytes: 10_000 });
    now += 1;
    await reopened.put(hash(3), 'preview', Buffer.alloc(3_000, 3));
    now += 1;
    await reopened.put(hash(4), 'preview', Buffer.alloc(3_000, 4));
    expect(reopened.lookup(hash(1), 'preview')).toBeNull();
    for (const kept of [2, 3, 4]) expect(reopened.lookup(hash(kept), 'preview'), `${kept}`).not.toBeNull();
  });

  it('reports a full disk clearly and leaves no partial file (a real ENOSPC from /dev/full)', async () => {
    const { db, root } = library();
    const cache = new DerivativeCache({
      db,
      clock: systemClock,
      root,
      openForWrite: () => fs.promises.open('/dev/full', 'w'),
    });
    const error = await cache.put(hash(7), 'thumbnail', Buffer.alloc(100_000, 1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(/is full, so previews cannot be saved.*tries again by itself/);
    expect(filesIn(root).filter((name) => !fs.statSync(path.join(root, name)).isDirectory())).toEqual([]);
    expect(cache.lookup(hash(7), 'thumbnail')).toBeNull();
  });
});
