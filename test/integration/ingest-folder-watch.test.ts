import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { HotFolder } from '../../shared/domain';
import { openDatabase } from '../../main/engine/db/connection';
import { saveHotFolder } from '../../main/engine/db/hot-folders-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { IngestService } from '../../main/engine/ingest/ingest-service';
import { scanFolder, type ScannedEntry } from '../../main/engine/ingest/folder-scan';
import { confirmGone, missingAfterScan } from '../../main/engine/ingest/missing-sweep';
import { silentLogger } from '../../main/engine/log';
import { systemClock } from '../../main/engine/clock';
import { waitFor } from '../support/queue-harness';
import { call, refusal, startTestEngine, testHotFolder } from '../support/engine';
import { tempDir } from '../support/temp';

/**
 * The hot folder's watch as ingest keeps it without a per-file watcher: folders watched one by one
 * (Linux) after a walk on a worker thread, folders that appear or go, a polled folder, the depth
 * of a folder that is not recursive, and "rescan now". The tests of the stability window, copies
 * and reconciling are in ingest-watch.test.ts.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2_000, 7)]);
const photo = (tag: string): Buffer => Buffer.concat([JPEG, Buffer.from(tag)]);

function setup(overrides: Partial<HotFolder> = {}) {
  const dir = fs.realpathSync(tempDir());
  const db = openDatabase(path.join(dir, 'shootline.db'));
  cleanups.push(() => db.close());
  migrate(db, migrations, Date.now);
  const root = path.join(dir, 'Incoming');
  fs.mkdirSync(root);
  const folder = testHotFolder(root, overrides);
  saveHotFolder(db, folder);
  const start = (): IngestService => {
    const service = new IngestService({
      db,
      clock: systemClock,
      log: silentLogger,
      stabilityMs: 300,
      pollIntervalMs: 100,
    });
    cleanups.push(() => service.stop());
    service.start();
    return service;
  };
  const assets = () =>
    (
      db.prepare('SELECT relative_path AS path, state FROM assets ORDER BY relative_path').all() as {
        path: string;
        state: string;
      }[]
    ).map((asset) => `${asset.path} ${asset.state}`);
  return { db, dir, root, folder, start, assets };
}

describe('watching a hot folder folder by folder', () => {
  it('takes a folder moved in with its photos, marks a deleted folder’s photos missing, and nothing when the hot folder itself goes', async () => {
    const { dir, root, folder, start, assets } = setup();
    const service = start();
    await service.idle();
    // A shoot prepared elsewhere and moved in whole: one event for the folder, none for its photos.
    const outside = path.join(dir, 'Prepared');
    fs.mkdirSync(path.join(outside, 'Day 2'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'a.jpg'), photo('a'));
    fs.writeFileSync(path.join(outside, 'Day 2', 'b.jpg'), photo('b'));
    fs.renameSync(outside, path.join(root, 'Prepared'));
    await waitFor(
      () => assets().length === 2,
      () => assets().join(', '),
    );
    // Its subfolder is watched too: a photo added there later is taken.
    fs.writeFileSync(path.join(root, 'Prepared', 'Day 2', 'c.jpg'), photo('c'));
    await waitFor(
      () => assets().length === 3,
      () => assets().join(', '),
    );
    fs.rmSync(path.join(root, 'Prepared', 'Day 2'), { recursive: true });
    await waitFor(
      () => assets().filter((line) => line.endsWith('missing')).length === 2,
      () => assets().join(', '),
    );
    await service.idle();
    expect(assets()).toEqual([
      'Prepared/Day 2/b.jpg missing',
      'Prepared/Day 2/c.jpg missing',
      'Prepared/a.jpg pending',
    ]);
    // The hot folder itself gone (a drive unplugged): nothing is marked, whatever the watches say.
    fs.renameSync(root, path.join(dir, 'Unplugged'));
    expect(await service.reconcile(folder)).toEqual({ seen: 0, missing: 0 });
    await service.idle();
    expect(assets()).toContain('Prepared/a.jpg pending');
  });

  it('polls a network folder: what arrives and what goes is seen by scans, with no watch at all', async () => {
    const { root, start, assets } = setup({ polling: true });
    fs.writeFileSync(path.join(root, 'before.jpg'), photo('before'));
    const service = start();
    await service.idle();
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.writeFileSync(path.join(root, 'Shoot', 'new.jpg'), photo('new'));
    fs.rmSync(path.join(root, 'before.jpg'));
    await waitFor(
      () => assets().join(', ') === 'Shoot/new.jpg pending, before.jpg missing',
      () => assets().join(', '),
    );
  });

  it('takes from a folder that is not recursive its own photos and its shoot folders’, nothing deeper, at start and later', async () => {
    const { root, start, assets } = setup({ recursive: false });
    fs.mkdirSync(path.join(root, 'Shoot', 'Deeper'), { recursive: true });
    fs.writeFileSync(path.join(root, 'top.jpg'), photo('top'));
    fs.writeFileSync(path.join(root, 'Shoot', 'one.jpg'), photo('one'));
    fs.writeFileSync(path.join(root, 'Shoot', 'Deeper', 'no.jpg'), photo('no'));
    const service = start();
    await service.idle();
    fs.writeFileSync(path.join(root, 'Shoot', 'two.jpg'), photo('two'));
    fs.writeFileSync(path.join(root, 'Shoot', 'Deeper', 'no-either.jpg'), photo('no-either'));
    await waitFor(
      () => assets().length === 3,
      () => assets().join(', '),
    );
    await service.idle();
    expect(assets()).toEqual(['Shoot/one.jpg pending', 'Shoot/two.jpg pending', 'top.jpg pending']);
  });
});

describe('what a scan must never take for missing', () => {
  it('photos below a folder that stopped being recursive', async () => {
    const { root, folder, start, assets } = setup();
    fs.mkdirSync(path.join(root, 'Shoot', 'Day 2'), { recursive: true });
    fs.writeFileSync(path.join(root, 'Shoot', 'Day 2', 'deep.jpg'), photo('deep'));
    fs.writeFileSync(path.join(root, 'Shoot', 'top.jpg'), photo('top'));
    const service = start();
    await service.idle();
    await service.unwatchFolder(folder.id);
    expect(await service.reconcile({ ...folder, recursive: false })).toEqual({ seen: 1, missing: 0 });
    expect(assets()).toEqual(['Shoot/Day 2/deep.jpg pending', 'Shoot/top.jpg pending']);
  });

  it('a folder made again in place, nor what is copied into it afterwards', async () => {
    const { root, start, assets } = setup();
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.writeFileSync(path.join(root, 'Shoot', 'old.jpg'), photo('old'));
    const service = start();
    await service.idle();
    // A sync tool replaces the folder: a new folder of the same name, which the old watch cannot see.
    fs.rmSync(path.join(root, 'Shoot'), { recursive: true });
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.writeFileSync(path.join(root, 'Shoot', 'new.jpg'), photo('new'));
    await waitFor(
      () => assets().includes('Shoot/new.jpg pending'),
      () => assets().join(', '),
    );
    fs.writeFileSync(path.join(root, 'Shoot', 'later.jpg'), photo('later'));
    await waitFor(
      () => assets().includes('Shoot/later.jpg pending'),
      () => assets().join(', '),
    );
  });

  it('the same photos again through a link to a folder of its own', async () => {
    const { root, start, assets } = setup();
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.writeFileSync(path.join(root, 'Shoot', 'a.jpg'), photo('a'));
    fs.symlinkSync(root, path.join(root, 'latest'));
    const service = start();
    await service.idle();
    // Made while watched too: the link is heard of, and left alone.
    fs.symlinkSync(path.join(root, 'Shoot'), path.join(root, 'best'));
    fs.writeFileSync(path.join(root, 'Shoot', 'b.jpg'), photo('b'));
    // A folder moved in with a link back up to the hot folder: its photo is taken, the link is not walked.
    const outside = path.join(path.dirname(root), 'Moved');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'c.jpg'), photo('c'));
    fs.symlinkSync(root, path.join(outside, 'up'));
    fs.renameSync(outside, path.join(root, 'Moved'));
    await waitFor(
      () => assets().length === 3,
      () => assets().join(', '),
    );
    await service.idle();
    expect(await service.reconcile(setupFolderOf(service, root))).toEqual({ seen: 3, missing: 0 });
    await service.idle();
    expect(assets()).toEqual(['Moved/c.jpg pending', 'Shoot/a.jpg pending', 'Shoot/b.jpg pending']);
  });
});

/** The hot folder setup() saved for `root` (its id is fixed by testHotFolder). */
function setupFolderOf(_service: IngestService, root: string): HotFolder {
  return testHotFolder(root);
}

describe('the scan on a worker thread', () => {
  it('reports files, special files and folders in batches, and walks a link back up the tree once', async () => {
    const root = fs.realpathSync(tempDir());
    fs.mkdirSync(path.join(root, 'Shoot'));
    for (let i = 0; i < 1_200; i += 1) fs.writeFileSync(path.join(root, 'Shoot', `IMG_${i}.jpg`), `${i}`);
    execFileSync('mkfifo', [path.join(root, 'Shoot', 'pipe.jpg')]);
    fs.symlinkSync(root, path.join(root, 'Shoot', 'loop'));
    fs.mkdirSync(path.join(root, '.hidden'));
    fs.writeFileSync(path.join(root, '.hidden', 'secret.jpg'), 'x');
    const batches: ScannedEntry[][] = [];
    let folders: string[] = [];
    const summary = await scanFolder(root, Number.POSITIVE_INFINITY, {
      folders: (listed) => (folders = listed.map((folder) => folder.relative)),
      entries: (entries) => batches.push(entries),
    });
    const entries = batches.flat();
    expect(batches.length).toBeGreaterThan(2);
    expect(folders).toEqual(['', 'Shoot']);
    expect(entries.filter((entry) => entry.kind === 'file')).toHaveLength(1_200);
    expect(entries.find((entry) => entry.relative === 'Shoot/IMG_7.jpg')).toMatchObject({ kind: 'file', size: 1 });
    expect(entries.find((entry) => entry.relative === 'Shoot/pipe.jpg')?.kind).toBe('fifo');
    // The link to the root is an alias of what is walked anyway: not walked, not reported.
    expect(entries.filter((entry) => entry.kind === 'directory')).toEqual([]);
    expect(entries.some((entry) => entry.relative.startsWith('Shoot/loop'))).toBe(false);
    expect(entries.some((entry) => entry.relative.includes('.hidden'))).toBe(false);
    expect(summary.unreadable).toEqual([]);
  });

  it('goes on past what it cannot stat (a link loop), and stops when told, saying so', async () => {
    const root = fs.realpathSync(tempDir());
    for (let i = 0; i < 1_200; i += 1) fs.writeFileSync(path.join(root, `IMG_${i}.jpg`), `${i}`);
    fs.symlinkSync(path.join(root, 'b'), path.join(root, 'a'));
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'b'));
    const entries: ScannedEntry[] = [];
    const whole = await scanFolder(root, 1, { folders: () => undefined, entries: (batch) => entries.push(...batch) });
    expect(whole).toEqual({ unreadable: [], aborted: false });
    expect(
      entries
        .filter((entry) => entry.kind === 'unreadable')
        .map((entry) => entry.relative)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(entries.filter((entry) => entry.kind === 'file')).toHaveLength(1_200);

    const stop = new AbortController();
    let batches = 0;
    const stopped = await scanFolder(
      root,
      1,
      {
        folders: () => undefined,
        entries: () => {
          batches += 1;
          stop.abort();
        },
      },
      stop.signal,
    );
    expect(stopped.aborted).toBe(true);
    expect(batches).toBe(1);
  });

  it('says a folder it cannot list is unreadable, and nothing below it is taken for missing', async () => {
    const summary = await scanFolder(path.join(fs.realpathSync(tempDir()), 'not there'), 1, {
      folders: () => undefined,
      entries: () => undefined,
    });
    expect(summary.unreadable).toEqual(['']);
    const known = new Map([
      ['a.jpg', 1],
      ['Locked/b.jpg', 1],
      ['Open/c.jpg', 1],
    ]);
    expect(missingAfterScan(known, new Set(['a.jpg']), ['Locked'])).toEqual(['Open/c.jpg']);
    expect(missingAfterScan(known, new Set(['a.jpg']), [''])).toEqual([]);
    expect(missingAfterScan(known, new Set(), [])).toEqual([]);
  });

  it('marks gone only what its own stat says is gone, and nothing while the hot folder is not there or is another folder', async () => {
    const root = fs.realpathSync(tempDir());
    fs.writeFileSync(path.join(root, 'here.jpg'), 'x');
    const stats = fs.statSync(root);
    const identity = `${stats.dev}:${stats.ino}`;
    expect(await confirmGone(root, ['here.jpg', 'gone.jpg', 'Gone folder/x.jpg'], identity)).toEqual([
      'gone.jpg',
      'Gone folder/x.jpg',
    ]);
    // An unplugged drive: its folder is not there at all, or an empty mount point is there instead.
    expect(await confirmGone(path.join(root, 'unplugged'), ['a.jpg'], identity)).toEqual([]);
    expect(await confirmGone(root, ['gone.jpg'], `${stats.dev}:${stats.ino + 1}`)).toEqual([]);
    expect(await confirmGone(root, ['gone.jpg'], null)).toEqual([]);
  });
});

describe('hotFolders.rescan', () => {
  it('walks the folder now and says what it saw; an unknown folder is refused', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Incoming');
    fs.mkdirSync(path.join(root, 'Shoot'), { recursive: true });
    fs.writeFileSync(path.join(root, 'Shoot', 'a.jpg'), photo('a'));
    const folder = await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    await engine.ingestIdle();
    fs.writeFileSync(path.join(root, 'Shoot', 'b.jpg'), photo('b'));
    expect(await call(engine, 'hotFolders.rescan', { id: folder.id })).toEqual({ seen: 2, missing: 0 });
    expect((await refusal(engine, 'hotFolders.rescan', { id: 'no-such-folder' })).code).toBe('not_found');
  });
});
