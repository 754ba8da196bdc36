import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Asset } from '../../shared/domain';
import { corpusManifest, corpusPath } from '../support/corpus';
import { call, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

const manifest = corpusManifest();

/** What a photographer reads for each kind of bad file: specific, and saying what to do. */
const MESSAGES: Record<string, RegExp> = {
  empty: /empty \(0 bytes\)/,
  not_an_image: /not an image/,
  truncated: /^The file ends early — it may still be copying, or the card read failed/,
  corrupt: /^The image data is damaged, so parts of the photo would show as garbage\. Copy it again/,
  too_large: /^\d+×\d+ = \d+ MP exceeds the 268 MP limit\.$/,
};

/** Words of decoders and file formats: a photographer reads what happened and what to do, never these. */
const DECODER_WORDS = /huffman|\bmcu\b|marker|\bscan\b|\bsof\d?\b|vips|libjpeg|ifd/i;

/** Drops the whole corpus into a new hot folder, one shoot per corpus folder, and waits for every photo to settle. */
async function ingestCorpus() {
  const { engine } = startTestEngine({ stabilityMs: 300 });
  const root = path.join(fs.realpathSync(tempDir()), 'Card');
  fs.mkdirSync(root);
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
  for (const entry of manifest) {
    const target = path.join(root, ...entry.file.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(corpusPath(entry.file), target);
  }
  const byPath = new Map<string, Asset>();
  const refresh = async () => {
    for (const shoot of await call(engine, 'shoots.list', {})) {
      for (const asset of (await call(engine, 'assets.list', { shootId: shoot.id, limit: 1000 })).assets)
        byPath.set(asset.relativePath, asset);
    }
  };
  let settled = false;
  const deadline = Date.now() + 90_000;
  while (!settled && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await refresh();
    settled = byPath.size === manifest.length && [...byPath.values()].every((asset) => asset.state !== 'pending');
  }
  const pending = [...byPath.values()].filter((asset) => asset.state === 'pending').map((asset) => asset.relativePath);
  expect({ assets: byPath.size, pending }).toEqual({ assets: manifest.length, pending: [] });
  return { engine, byPath };
}

describe('ingest over the corpus manifest', () => {
  it('gives every file its expected outcome, with upright sizes, metadata and a thumbnail for each good one', async () => {
    const { engine, byPath } = await ingestCorpus();
    expect(manifest.length).toBeGreaterThanOrEqual(40);
    for (const entry of manifest) {
      const asset = byPath.get(entry.file);
      expect(asset, entry.file).toBeDefined();
      if (!asset) continue;
      if (entry.expect === 'ok') {
        expect({ file: entry.file, state: asset.state, error: asset.error }).toEqual({
          file: entry.file,
          state: 'ok',
          error: null,
        });
        const turned = (entry.orientation ?? 1) >= 5;
        expect([asset.width, asset.height], entry.file).toEqual(
          turned ? [entry.height, entry.width] : [entry.width, entry.height],
        );
        const thumbnail = await engine.resolveMedia({ kind: 'thumbnail', id: asset.id });
        expect(thumbnail?.mimeType, entry.file).toBe('image/webp');
        const size = await sharp(thumbnail?.file).metadata();
        const longEdge = Math.max(entry.width ?? 0, entry.height ?? 0);
        expect(Math.max(size.width, size.height), entry.file).toBe(Math.min(320, longEdge));
        // Upright: the thumbnail's shape follows the displayed photo, not the stored pixels.
        expect(size.width >= size.height, entry.file).toBe((asset.width ?? 0) >= (asset.height ?? 0));
      } else {
        const kind = entry.expect.replace(/^error:/, '');
        expect({ file: entry.file, state: asset.state, kind: asset.error?.kind }).toEqual({
          file: entry.file,
          state: 'error',
          kind,
        });
        expect(asset.error?.message, entry.file).toMatch(MESSAGES[kind] ?? /^$/);
        expect(asset.error?.message, entry.file).not.toMatch(DECODER_WORDS);
        expect(await engine.resolveMedia({ kind: 'thumbnail', id: asset.id }), entry.file).toBeNull();
      }
    }
    // Metadata kept from EXIF, whatever the container.
    const iphone = byPath.get('photos/IMG_0001_iphone6plus_orient6_gps.JPG');
    expect(iphone).toMatchObject({
      capturedAt: '2016-03-24T14:49:51',
      camera: 'Apple iPhone 6 Plus',
      lens: 'iPhone 6 Plus back camera 4.15mm f/2.2',
      orientation: 6,
      hasGps: true,
      format: 'jpeg',
    });
    expect(byPath.get('formats/colorfulcups.heic')).toMatchObject({
      format: 'heif',
      camera: 'SONY NEX-3N',
      hasGps: true,
    });
    expect(byPath.get('formats/storm.webp')).toMatchObject({ camera: 'Canon EOS 400D DIGITAL', hasGps: false });
    // An EXIF text ends at its first NUL ("Nokia\0 2 N9" is Nokia); a PNG's eXIf chunk gives EXIF and GPS.
    expect(byPath.get('formats/nul-padded-make_grace-hopper.jpg')?.camera).toBe('Nokia N9');
    expect(byPath.get('formats/png-exif-gps_grace-hopper.png')).toMatchObject({
      format: 'png',
      camera: 'Canon EOS 400D DIGITAL',
      hasGps: true,
    });
    // The declared size decides before any data is read: too large, never "damaged" or "RAW".
    expect(byPath.get('bad/header-64000x64000_grace-hopper.jpg')?.error?.message).toBe(
      '64000×64000 = 4096 MP exceeds the 268 MP limit.',
    );
    expect(byPath.get('bad/header-100000x100000_no-pixels.tif')?.error?.message).toBe(
      '100000×100000 = 10000 MP exceeds the 268 MP limit.',
    );
    expect(byPath.get('bad/png-content-with-jpg-extension_chelsea.jpg')?.format).toBe('png');
    expect(byPath.get('photos/grace_hopper.jpg')).toMatchObject({ capturedAt: null, camera: null, orientation: 1 });
    // Sorted by capture time, page by page (photos without one first, by name).
    const photos = (await call(engine, 'shoots.list', {})).find((shoot) => shoot.name === 'photos');
    const byCapture: Asset[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(engine, 'assets.list', { shootId: photos?.id ?? '', sort: 'captured', limit: 4, cursor });
      byCapture.push(...page.assets);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const keys = byCapture.map((asset) => `${asset.capturedAt ?? ''}\u0000${asset.relativePath}`);
    expect(keys).toEqual([...keys].sort());
    expect(byCapture).toHaveLength(manifest.filter((entry) => entry.file.startsWith('photos/')).length);
    expect(byCapture.at(-1)?.relativePath).toBe('photos/IMG_0001_iphone6plus_orient6_gps.JPG'); // 2016, the newest
    expect(await call(engine, 'shoots.get', { id: photos?.id ?? '' })).toMatchObject({
      folder: 'photos',
      assets: { total: byCapture.length, ok: byCapture.length, error: 0, pending: 0, missing: 0 },
    });
    expect(byPath.get('formats/nkitzmiller_64px_linear-rec2020_16bit.png')?.capturedAt).toBe(
      '2018-06-29T14:05:17-05:00',
    );
    // The hot folder's status line: every photo counted, the unreadable ones with the latest problem in words.
    const [status] = await call(engine, 'hotFolders.status', {});
    const bad = manifest.filter((entry) => entry.expect.startsWith('error:'));
    expect(status).toMatchObject({ photos: manifest.length, pending: 0, problems: bad.length });
    expect(bad.some((entry) => status?.lastProblem?.startsWith(`${entry.file}: `))).toBe(true);
  });
});
