import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { saveHotFolder } from '../../main/engine/db/hot-folders-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { PhotoDecoder } from '../../main/engine/imaging/decode';
import { DerivativeCache } from '../../main/engine/imaging/derivative-cache';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { IngestService } from '../../main/engine/ingest/ingest-service';
import { PhotoProcessor } from '../../main/engine/ingest/photo-processor';
import { silentLogger } from '../../main/engine/log';
import { systemClock } from '../../main/engine/clock';
import { corpusPath } from '../support/corpus';
import { testHotFolder } from '../support/engine';
import { waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a full disk during ingest', () => {
  it('notes a clear problem on the photo, leaves no partial cache file, and finishes it by itself once there is room', async () => {
    const dir = fs.realpathSync(tempDir());
    const db = openDatabase(path.join(dir, 'shootline.db'));
    cleanups.push(() => db.close());
    migrate(db, migrations, Date.now);
    const folder = testHotFolder(path.join(dir, 'Card'));
    fs.mkdirSync(folder.path);
    saveHotFolder(db, folder);
    const cacheRoot = path.join(dir, 'cache');
    let diskFull = true; // the first writes hit a full disk (/dev/full answers ENOSPC), then space is freed
    const heic = new HeicDecoder();
    const raw = new RawPreviewExtractor();
    cleanups.push(
      () => raw.end(),
      () => heic.close(),
    );
    const changes: string[] = [];
    const processor = new PhotoProcessor({
      db,
      clock: systemClock,
      log: silentLogger,
      decoder: new PhotoDecoder({
        heic,
        raw,
        tempDir: dir,
        isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
      }),
      cache: new DerivativeCache({
        db,
        clock: systemClock,
        root: cacheRoot,
        openForWrite: (file) => (diskFull ? fs.promises.open('/dev/full', 'w') : fs.promises.open(file, 'wx')),
      }),
      diskFullRetryMs: [300],
      onAssetChanged: (assetId) => {
        const asset = getAsset(db, assetId);
        changes.push(`${asset?.state}:${asset?.error?.kind ?? '-'}`);
      },
    });
    cleanups.push(() => processor.stop());
    const ingest = new IngestService({
      db,
      clock: systemClock,
      log: silentLogger,
      stabilityMs: 200,
      onAsset: ({ assetId, outcome }) => {
        if (outcome === 'added') processor.enqueue(assetId);
      },
    });
    cleanups.push(() => ingest.stop());
    ingest.start();
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(folder.path, 'storm.jpg'));

    await waitFor(
      () => changes.includes('pending:disk_full'),
      () => changes.join(', '),
    );
    const id = (db.prepare('SELECT id FROM assets').get() as { id: string }).id;
    expect(getAsset(db, id)?.error?.message).toMatch(/is full, so previews cannot be saved/);
    const files = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot, { recursive: true, withFileTypes: true }) : [];
    expect(files.filter((entry) => entry.isFile()).map((entry) => entry.name)).toEqual([]);

    diskFull = false;
    await waitFor(
      () => getAsset(db, id)?.state === 'ok',
      () => changes.join(', '),
    );
    expect(getAsset(db, id)?.error).toBeNull();
    expect(await processor.derivative(id, 'thumbnail')).toMatch(/-thumbnail\.webp$/);
  });
});
