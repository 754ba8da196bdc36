import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HotFolder } from '../../shared/domain';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { saveHotFolder } from '../../main/engine/db/hot-folders-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { IngestService } from '../../main/engine/ingest/ingest-service';
import { silentLogger } from '../../main/engine/log';
import { systemClock } from '../../main/engine/clock';
import { waitFor } from '../support/queue-harness';
import { testHotFolder } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4_000, 7)]);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(): { db: Db; folder: HotFolder; dir: string; hashed: string[]; start: () => IngestService } {
  const dir = tempDir();
  const db = openDatabase(path.join(dir, 'shootline.db'));
  cleanups.push(() => db.close());
  migrate(db, migrations, Date.now);
  const root = path.join(fs.realpathSync(dir), 'Incoming');
  fs.mkdirSync(root);
  const folder = testHotFolder(root);
  saveHotFolder(db, folder);
  const hashed: string[] = [];
  const start = (): IngestService => {
    const service = new IngestService({
      db,
      clock: systemClock,
      log: silentLogger,
      stabilityMs: 500,
      onHashed: (file) => hashed.push(path.basename(file)),
    });
    cleanups.push(() => service.stop());
    service.start();
    return service;
  };
  return { db, folder, dir, hashed, start };
}

const assets = (db: Db) =>
  db
    .prepare(
      `SELECT a.relative_path AS path, a.content_hash AS hash, a.state, a.version, a.error_kind AS error, s.name AS shoot
       FROM assets a JOIN shoots s ON s.id = a.shoot_id ORDER BY a.relative_path`,
    )
    .all() as { path: string; hash: string; state: string; version: number; error: string | null; shoot: string }[];

describe('watching a hot folder (real files, real watches)', () => {
  it('makes shoots from top-level subfolders and loose files, and ignores partial and hidden files', async () => {
    const { db, folder, start } = setup();
    start();
    fs.mkdirSync(path.join(folder.path, 'Smith kitchen', 'day 2'), { recursive: true });
    fs.writeFileSync(path.join(folder.path, 'Smith kitchen', 'IMG_1.jpg'), JPEG);
    fs.writeFileSync(
      path.join(folder.path, 'Smith kitchen', 'day 2', 'Fotó café 写真 (1).jpg'),
      JPEG.subarray(0, 3_000),
    );
    fs.writeFileSync(path.join(folder.path, 'loose.jpg'), Buffer.concat([JPEG, Buffer.from('x')]));
    fs.writeFileSync(path.join(folder.path, 'upload.jpg.part'), JPEG);
    fs.writeFileSync(path.join(folder.path, '.hidden.jpg'), JPEG);
    fs.writeFileSync(path.join(folder.path, 'notes.jpg'), 'not an image at all');
    await waitFor(
      () => assets(db).length === 4,
      () => JSON.stringify(assets(db)),
    );
    expect(assets(db).map(({ path: p, shoot, state, error }) => [p, shoot, state, error])).toEqual([
      ['Smith kitchen/IMG_1.jpg', 'Smith kitchen', 'pending', null],
      ['Smith kitchen/day 2/Fotó café 写真 (1).jpg', 'Smith kitchen', 'pending', null],
      ['loose.jpg', 'Incoming', 'pending', null],
      ['notes.jpg', 'Incoming', 'error', 'not_an_image'],
    ]);
  });

  it('takes a file copied in 20 chunks once, complete; and a stalled copy that goes on again, complete', async () => {
    const { db, folder, start } = setup();
    start();
    const slow = path.join(folder.path, 'slow.jpg');
    for (let chunk = 0; chunk < 20; chunk += 1) {
      fs.appendFileSync(slow, JPEG.subarray(chunk * 200, (chunk + 1) * 200));
      await sleep(100); // well inside the 500 ms window
    }
    await waitFor(
      () => assets(db).length === 1,
      () => JSON.stringify(assets(db)),
    );
    expect(assets(db)[0]).toMatchObject({ path: 'slow.jpg', hash: sha(JPEG.subarray(0, 4_000)), version: 1 });

    const stalled = path.join(folder.path, 'stalled.jpg');
    fs.writeFileSync(stalled, JPEG.subarray(0, 2_000));
    await sleep(1_500); // longer than the window: taken as it is
    fs.appendFileSync(stalled, JPEG.subarray(2_000));
    await waitFor(
      () => assets(db).some((a) => a.path === 'stalled.jpg' && a.hash === sha(JPEG)),
      () => JSON.stringify(assets(db)),
    );
    expect(assets(db).find((a) => a.path === 'stalled.jpg')).toMatchObject({ version: 2, state: 'pending' });
  });

  it('takes 200 files dropped at once', async () => {
    const { db, folder, start } = setup();
    start();
    fs.mkdirSync(path.join(folder.path, 'Big shoot'));
    for (let i = 0; i < 200; i += 1) {
      fs.writeFileSync(
        path.join(folder.path, 'Big shoot', `IMG_${i}.jpg`),
        Buffer.concat([JPEG, Buffer.from(String(i))]),
      );
    }
    await waitFor(
      () => assets(db).length === 200,
      () => `${assets(db).length} of 200`,
      30_000,
    );
    expect(new Set(assets(db).map((a) => a.hash)).size).toBe(200);
  });

  it('finds files added while stopped without hashing the known ones again, and marks deleted ones missing', async () => {
    const { db, folder, start, hashed } = setup();
    fs.writeFileSync(path.join(folder.path, 'a.jpg'), JPEG);
    const first = start();
    await waitFor(
      () => assets(db).length === 1,
      () => JSON.stringify(assets(db)),
    );
    await first.stop();
    fs.writeFileSync(path.join(folder.path, 'b.jpg'), Buffer.concat([JPEG, Buffer.from('b')]));
    hashed.length = 0;
    const second = start();
    await waitFor(
      () => assets(db).length === 2,
      () => JSON.stringify(assets(db)),
    );
    await second.idle();
    expect(hashed).toEqual(['b.jpg']);
    fs.rmSync(path.join(folder.path, 'a.jpg'));
    await waitFor(
      () => assets(db).find((a) => a.path === 'a.jpg')?.state === 'missing',
      () => JSON.stringify(assets(db)),
    );
  });

  it('reconciles what the watcher missed: files that appeared or vanished unseen, without hashing known ones', async () => {
    const { db, folder, start, hashed } = setup();
    fs.writeFileSync(path.join(folder.path, 'a.jpg'), JPEG);
    const service = start();
    await waitFor(
      () => assets(db).length === 1,
      () => JSON.stringify(assets(db)),
    );
    // Stand in for a network drive whose events never come: stop listening, then change the folder.
    await service.unwatchFolder(folder.id);
    fs.mkdirSync(path.join(folder.path, 'Day 2'));
    fs.writeFileSync(path.join(folder.path, 'Day 2', 'b.jpg'), Buffer.concat([JPEG, Buffer.from('b')]));
    fs.rmSync(path.join(folder.path, 'a.jpg'));
    await sleep(700); // past the stability window, so the scan can take b.jpg at once
    hashed.length = 0;
    const result = await service.reconcile(folder);
    expect(result).toEqual({ seen: 1, missing: 1 });
    await waitFor(
      () => assets(db).length === 2 && assets(db).find((a) => a.path === 'Day 2/b.jpg') !== undefined,
      () => JSON.stringify(assets(db)),
    );
    await service.idle();
    expect(assets(db).map((a) => [a.path, a.state, a.shoot])).toEqual([
      ['Day 2/b.jpg', 'pending', 'Day 2'],
      ['a.jpg', 'missing', 'Incoming'],
    ]);
    expect(hashed).toEqual(['b.jpg']);

    // Everything gone at once looks like an unmounted drive, not a deleted shoot: nothing is marked missing.
    fs.rmSync(path.join(folder.path, 'Day 2'), { recursive: true });
    expect(await service.reconcile(folder)).toEqual({ seen: 0, missing: 0 });
    expect(assets(db).find((a) => a.path === 'Day 2/b.jpg')?.state).toBe('pending');
  });
});
