import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Clock } from '../clock';
import type { Db } from '../db/connection';
import { knownFilesUnder } from '../db/ingest-repo';
import type { Logger } from '../log';
import { ignoredIn, knownFiles, toPosix } from './folder-files';
import { entryOf, scanFolder, type FileStatus } from './folder-scan';
import { FolderWatcher } from './folder-watcher';
import { confirmGone, missingAfterScan } from './missing-sweep';

/** What the scans hand back to ingest. */
export interface FolderScanHost {
  db: Db;
  log: Logger;
  clock: Clock;
  /** How often a polled folder is scanned, in ms (default 2 s). */
  pollIntervalMs?: number;
  /** A file is there as `stat` says: ingest takes it once it has settled. */
  check: (folder: HotFolder, file: string, stat: FileStatus) => void;
  /** A photo's file is gone. */
  gone: (folder: HotFolder, file: string) => void;
  /** Scans or looks ended: ingest may be idle now. */
  settled: () => void;
}

interface WatchedFolder {
  folder: HotFolder;
  /** Null while polled: a network drive sends no events, nor does a folder past the watch limit. */
  watcher: FolderWatcher | null;
  /** Stops its scans when the folder is no longer watched. */
  abort: AbortController;
  polling: boolean;
  /** The first scan: done once it has seen every file already there (or the folder is no longer watched). */
  firstScan: Promise<void>;
  /**
   * Which folder the hot folder was (device and inode) when last scanned: a drive unmounted from a
   * fixed mount point leaves an empty folder of another device there, and nothing is gone from that.
   */
  rootIdentity: string | null;
}

/** Scans of folders that appeared, run at once (a tree of folders copied in must not start a worker each). */
const SUBFOLDER_SCANS = 2;

const identityOf = (stats: fs.Stats): string => `${stats.dev}:${stats.ino}`;
const isInside = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);

/**
 * How ingest knows what is in its hot folders: a walk on a worker thread (folder-scan.ts) at start,
 * every `reconcileMinutes`, at each poll of a polled folder and on "rescan now", and between
 * scans the watches of folder-watcher.ts, each event looked at with a stat off the main thread.
 * Nothing here reads a photo: what is there goes to `host.check`, what went to `host.gone`.
 */
export class FolderScans {
  private readonly watched = new Map<string, WatchedFolder>();
  /** The scan under way per folder, for the folder's settings it was started with. */
  private readonly reconciling = new Map<
    string,
    { folder: HotFolder; scan: Promise<{ seen: number; missing: number }> }
  >();
  private readonly reconcileTimers = new Map<string, () => void>();
  /** Paths being looked at (a stat in flight), and whether to look again once it answers. */
  private readonly looking = new Map<string, { again: boolean }>();
  private readonly subfolders: { folder: HotFolder; file: string }[] = [];
  private readonly scanningSubfolders = new Set<string>();
  private tracked = 0;
  private stopped = false;

  constructor(private readonly host: FolderScanHost) {}

  watch(folder: HotFolder): void {
    if (this.stopped || this.watched.has(folder.id)) return;
    let firstScanDone = (): void => undefined;
    const watched: WatchedFolder = {
      folder,
      watcher: null,
      abort: new AbortController(),
      polling: folder.polling,
      firstScan: new Promise<void>((resolve) => (firstScanDone = resolve)),
      rootIdentity: null,
    };
    watched.abort.signal.addEventListener('abort', () => firstScanDone(), { once: true });
    this.watched.set(folder.id, watched);
    if (!folder.polling) {
      watched.watcher = new FolderWatcher(folder.path, {
        path: (file) => this.look(folder, file),
        error: (error, limit) => {
          this.host.log.warn('ingest.watch_error', { folder: folder.path, error });
          // Past the system's limit of watches, the folder is still looked at, by scans.
          if (!limit || watched.polling) return;
          watched.polling = true;
          watched.watcher?.close();
          watched.watcher = null;
          this.schedule(watched);
        },
      });
    }
    // The first scan takes what arrived while the engine was stopped and marks missing what went.
    void this.reconcile(folder)
      .catch((error: unknown) => this.host.log.warn('ingest.reconcile_failed', { folder: folder.path, error }))
      .finally(() => {
        firstScanDone();
        this.schedule(watched);
      });
  }

  /** Stops watching a folder (its scans too); returns it as it was watched. */
  unwatch(id: string): HotFolder | null {
    this.reconcileTimers.get(id)?.();
    this.reconcileTimers.delete(id);
    this.reconciling.delete(id);
    const watched = this.watched.get(id);
    this.watched.delete(id);
    watched?.abort.abort();
    watched?.watcher?.close();
    return watched?.folder ?? null;
  }

  /** Resolves once every watched folder's first scan is done. */
  async firstScans(): Promise<void> {
    await Promise.all([...this.watched.values()].map((watched) => watched.firstScan));
  }

  busy(): boolean {
    return this.looking.size + this.tracked + this.subfolders.length > 0;
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.reconcileTimers.values()) cancel();
    this.reconcileTimers.clear();
    for (const id of [...this.watched.keys()]) this.unwatch(id);
    this.subfolders.length = 0;
  }

  /** "Rescan now" for a watched folder. */
  rescan(id: string): Promise<{ seen: number; missing: number }> {
    const watched = this.watched.get(id);
    if (!watched) return Promise.reject(new AppError('not_found', `No watched folder ${id}.`));
    return this.reconcile(watched.folder);
  }

  /**
   * Walks the folder and compares it with what is recorded: a file whose event was missed (a
   * network drive, a sleeping laptop, a watcher limit) is taken now, one that vanished unseen is
   * marked missing once a stat of its own says it is gone from a folder that is there. Known
   * unchanged files cost a stat on the worker and a map lookup here, never a hash or a query. One
   * scan per folder at a time: asking during one joins it.
   */
  reconcile(folder: HotFolder): Promise<{ seen: number; missing: number }> {
    const running = this.reconciling.get(folder.id);
    if (running?.folder === folder) return running.scan;
    const scan = this.scan(folder).finally(() => {
      if (this.reconciling.get(folder.id)?.scan === scan) this.reconciling.delete(folder.id);
    });
    this.reconciling.set(folder.id, { folder, scan });
    return scan;
  }

  private async scan(folder: HotFolder): Promise<{ seen: number; missing: number }> {
    const watched = this.watched.get(folder.id);
    // The root watched afresh if it is another folder now (a drive plugged back in, a folder made again).
    const root = await fs.promises.stat(folder.path).catch(() => null);
    const rootIdentity = root?.isDirectory() ? identityOf(root) : null;
    if (rootIdentity !== null) watched?.watcher?.watch('', rootIdentity);
    if (watched) watched.rootIdentity = rootIdentity;
    const known = await knownFiles(this.host.db, folder.id);
    const found = new Set<string>();
    const summary = await scanFolder(
      folder.path,
      folder.recursive ? Number.POSITIVE_INFINITY : 1,
      {
        folders: (folders) => folders.forEach(({ relative, identity }) => watched?.watcher?.watch(relative, identity)),
        entries: (entries) => {
          for (const entry of entries) {
            if (this.stopped) return;
            // Most of a library: a photo recorded as it is. Nothing more to look at (nor to compute).
            const record = known.get(entry.relative);
            if (entry.kind === 'file' && record?.size === entry.size && record.mtimeMs === entry.mtimeMs) {
              found.add(entry.relative);
              continue;
            }
            const file = path.join(folder.path, ...entry.relative.split('/'));
            // A folder made since the folders were listed: watched, and walked for what is in it already.
            if (entry.kind === 'directory' && watched?.watcher?.watch(entry.relative)) this.walkSubfolder(folder, file);
            if (entry.kind === 'directory') continue;
            if (ignoredIn(folder, file, false)) continue;
            found.add(entry.relative);
            const { kind, size, mtimeMs } = entry;
            if (kind !== 'unreadable')
              this.guard('ingest.check_failed', file, () => this.host.check(folder, file, { kind, size, mtimeMs }));
          }
        },
      },
      watched?.abort.signal,
    );
    if (summary.problem) this.host.log.warn('ingest.scan_failed', { folder: folder.path, problem: summary.problem });
    // A scan stopped midway saw only part of the folder: what it did not see is not gone.
    if (this.stopped || summary.aborted) return { seen: found.size, missing: 0 };
    const candidates = missingAfterScan(known, found, summary.unreadable).filter(
      (relative) => !ignoredIn(folder, path.join(folder.path, ...relative.split('/')), false),
    );
    const missing = await confirmGone(folder.path, candidates, rootIdentity);
    if (watched?.abort.signal.aborted) return { seen: found.size, missing: 0 };
    for (const relative of missing) {
      const file = path.join(folder.path, ...relative.split('/'));
      this.guard('ingest.unlink_failed', file, () => this.host.gone(folder, file));
    }
    return { seen: found.size, missing: missing.length };
  }

  /** Every `reconcileMinutes`; a polled folder (a network drive, or past the watch limit) at each poll. */
  private schedule(watched: WatchedFolder): void {
    const { folder } = watched;
    this.reconcileTimers.get(folder.id)?.();
    if (this.stopped || this.watched.get(folder.id) !== watched) return;
    const every = folder.reconcileMinutes * 60_000;
    const wait = watched.polling ? Math.min(this.host.pollIntervalMs ?? 2_000, every) : every;
    this.reconcileTimers.set(
      folder.id,
      this.host.clock.setTimer(() => {
        if (this.stopped || this.watched.get(folder.id) !== watched) return;
        void this.reconcile(folder)
          .catch((error: unknown) => this.host.log.warn('ingest.reconcile_failed', { folder: folder.path, error }))
          .finally(() => this.schedule(watched));
      }, wait),
    );
  }

  /**
   * Something happened at `file` (an event, or a file's stability window ended): looks at what is
   * there now, off the main thread (a stat on a network drive can take long), once at a time per
   * path however many events a copy sends.
   */
  look(folder: HotFolder, file: string): void {
    const inFlight = this.looking.get(file);
    if (inFlight) {
      inFlight.again = true;
      return;
    }
    const state = { again: false };
    this.looking.set(file, state);
    void fs.promises
      .stat(file)
      .then(
        (stats) => this.seen(folder, file, stats),
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT' || error.code === 'ENOTDIR') this.vanished(folder, file);
          else this.host.log.warn('ingest.stat_failed', { file, error });
        },
      )
      .catch((error: unknown) => this.host.log.warn('ingest.check_failed', { file, error }))
      .finally(() => {
        this.looking.delete(file);
        if (state.again && !this.stopped && this.watched.get(folder.id)?.folder === folder) this.look(folder, file);
        this.host.settled();
      });
  }

  private async seen(folder: HotFolder, file: string, stats: fs.Stats): Promise<void> {
    if (this.stopped) return;
    const isDirectory = stats.isDirectory();
    if (ignoredIn(folder, file, isDirectory)) return;
    if (!isDirectory) {
      this.host.check(folder, file, entryOf(stats));
      return;
    }
    const watched = this.watched.get(folder.id);
    const relative = toPosix(path.relative(folder.path, file));
    if (!watched?.watcher) return; // polled: the scans see it
    // A link to a folder inside the hot folder is an alias of what is watched anyway.
    if ((await fs.promises.lstat(file)).isSymbolicLink()) {
      const [real, realRoot] = await Promise.all([fs.promises.realpath(file), fs.promises.realpath(folder.path)]);
      if (isInside(real, realRoot)) return;
    }
    // A folder that appeared (made, moved in with its photos, made again): watched, and walked.
    if (!watched.watcher.watch(relative, identityOf(stats))) return;
    if (relative === '') {
      void this.reconcile(folder).catch(() => undefined);
      return;
    }
    this.walkSubfolder(folder, file);
  }

  private walkSubfolder(folder: HotFolder, file: string): void {
    this.subfolders.push({ folder, file });
    this.nextSubfolder();
  }

  /** Walks the folders that appeared, a few at a time; one inside a folder being walked is left to that walk. */
  private nextSubfolder(): void {
    while (this.scanningSubfolders.size < SUBFOLDER_SCANS && this.subfolders.length > 0) {
      const { folder, file } = this.subfolders.shift() as { folder: HotFolder; file: string };
      const watched = this.watched.get(folder.id);
      if (!watched?.watcher || [...this.scanningSubfolders].some((scanning) => isInside(file, scanning))) continue;
      const relative = toPosix(path.relative(folder.path, file));
      const prefix = (inner: string): string => `${relative}/${inner}`;
      this.scanningSubfolders.add(file);
      this.track('ingest.scan_failed', file, async () => {
        try {
          await scanFolder(
            file,
            folder.recursive ? Number.POSITIVE_INFINITY : 0,
            {
              folders: (inner) =>
                inner.forEach((below) => watched.watcher?.watch(prefix(below.relative), below.identity)),
              entries: (entries) => {
                for (const entry of entries) {
                  const inner = path.join(folder.path, ...prefix(entry.relative).split('/'));
                  if (entry.kind !== 'directory') this.look(folder, inner);
                  else if (watched.watcher?.watch(prefix(entry.relative))) this.walkSubfolder(folder, inner);
                }
              },
            },
            watched.abort.signal,
            folder.path,
          );
        } finally {
          this.scanningSubfolders.delete(file);
          this.nextSubfolder();
        }
      });
    }
  }

  /** Nothing is there any more: a photo went, or a folder with everything in it. */
  private vanished(folder: HotFolder, file: string): void {
    const relative = toPosix(path.relative(folder.path, file));
    const watcher = this.watched.get(folder.id)?.watcher;
    if (!watcher?.isFolder(relative)) {
      this.guard('ingest.unlink_failed', file, () => this.host.gone(folder, file));
      return;
    }
    watcher.forget(relative);
    // The hot folder itself gone is far more often a drive unplugged than a library deleted: the
    // scans find out, and mark nothing while they find nothing.
    if (relative === '') return;
    this.track('ingest.unlink_failed', file, async () => {
      const rootIdentity = this.watched.get(folder.id)?.rootIdentity ?? null;
      const gone = await confirmGone(folder.path, knownFilesUnder(this.host.db, folder.id, relative), rootIdentity);
      for (const inside of gone) {
        const photo = path.join(folder.path, ...inside.split('/'));
        this.guard('ingest.unlink_failed', photo, () => this.host.gone(folder, photo));
      }
    });
  }

  /** Work started by an event that `idle()` must wait for; its failure is logged as `event`. */
  private track(event: string, file: string, work: () => Promise<unknown>): void {
    this.tracked += 1;
    void Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.host.log.warn(event, { file, error }))
      .finally(() => {
        this.tracked -= 1;
        this.host.settled();
      });
  }

  /** A failure to record what a scan saw (a full disk, a locked library) is logged; the next scan tries again. */
  private guard(event: string, file: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.host.log.warn(event, { file, error });
    }
  }
}
