import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder, Shoot } from '../../../shared/domain';
import type { Db } from '../db/connection';
import { listHotFolders } from '../db/hot-folders-repo';
import { findShoot, isFolderIgnored, markMissing, type RecordOutcome } from '../db/ingest-repo';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import { classifyPath } from './file-filter';
import { linkArrivedSidecar, linkWaitingSidecar } from './sidecars';
import { WriteFinishTracker, type FileStat } from './stability';
import type { SpecialFileKind } from '../regular-file';
import { AppError } from '../../../shared/errors';
import { ignoredIn, knownFiles, PassedOverFiles, shootFolderOf, toPosix } from './folder-files';
import { missingAfterScan } from './missing-sweep';
import { entryOf, scanFolder, type ScannedEntry } from './folder-scan';
import { FolderWatcher, type WatchedFolder } from './folder-watcher';
import { takeFile } from './take-file';

/** Skipped files listed per folder in its status (the count covers all of them). */

/** How long a file's size and mtime must hold before it is taken, unless the engine is told otherwise. */
export const DEFAULT_STABILITY_MS = 2_000;

export interface IngestServiceOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** How long size and mtime must hold before a file is taken (DEFAULT_STABILITY_MS if not given). */
  stabilityMs?: number;
  /** Files hashed at once (hashing is disk-bound; a few in parallel keep a card reader busy). */
  concurrency?: number;
  onAsset?: (event: {
    assetId: string;
    outcome: RecordOutcome | 'missing';
    hotFolderId: string;
    relativePath: string;
  }) => void;
  /** A shoot was made for a new subfolder (or for a folder's first loose file). */
  onShoot?: (shoot: Shoot) => void;
  /** An XMP sidecar was linked to these assets. */
  onSidecar?: (assetIds: string[]) => void;
  /** How often a polled folder (network drives) is looked at, in ms (default 2 s). */
  pollIntervalMs?: number;
  /** Test seam: called for each file actually hashed (the start-up scan must skip known ones). */
  onHashed?: (file: string) => void;
}

interface Pending {
  folder: HotFolder;
  file: string;
  stat: FileStat;
}

/**
 * Watches every hot folder and takes each photo once it is completely written: the watcher only
 * notices; a file is taken when its size and mtime held for the stability window, hashed, judged
 * by content and recorded by identity (see ingest-repo). A file that changes after it was taken is
 * taken again. Decoding and thumbnails come after this step.
 */
export class IngestService {
  private readonly options: IngestServiceOptions;
  private readonly tracker: WriteFinishTracker;
  private readonly watched = new Map<string, WatchedFolder>();
  /** Files being looked at (a stat in flight), and those to look at again once it answers. */
  private readonly looking = new Map<string, { again: boolean }>();
  private readonly timers = new Map<string, () => void>();
  private readonly reconcileTimers = new Map<string, () => void>();
  private readonly queue: Pending[] = [];
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Per watched folder: resolves once the watcher has seen every file already there (or stopped watching). */
  private readonly scanned = new Map<string, { done: Promise<void>; finish: () => void }>();

  constructor(options: IngestServiceOptions) {
    this.options = options;
    this.tracker = new WriteFinishTracker(options.stabilityMs ?? DEFAULT_STABILITY_MS);
  }

  start(): void {
    for (const folder of listHotFolders(this.options.db)) this.watchFolder(folder);
  }

  watchFolder(folder: HotFolder): void {
    if (this.stopped || this.watched.has(folder.id)) return;
    const watched: WatchedFolder = { folder, watcher: null, abort: new AbortController(), polling: folder.polling };
    this.watched.set(folder.id, watched);
    if (!folder.polling) {
      watched.watcher = new FolderWatcher(folder.path, {
        path: (file) => this.look(folder, file),
        error: (error, limit) => {
          this.options.log.warn('ingest.watch_error', { folder: folder.path, error });
          // Past the system's limit of watches, the folder is still looked at, by scans.
          if (!limit || watched.polling) return;
          watched.polling = true;
          watched.watcher?.close();
          watched.watcher = null;
          this.scheduleReconcile(watched);
        },
      });
      watched.watcher.watch('');
    }
    // The first scan takes what arrived while the engine was stopped and marks missing what went.
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.scanned.set(folder.id, { done, finish });
    void this.reconcile(folder)
      .catch((error: unknown) => this.options.log.warn('ingest.reconcile_failed', { folder: folder.path, error }))
      .finally(() => {
        finish();
        this.scheduleReconcile(watched);
      });
  }

  /**
   * Walks the folder on a worker thread and compares it with what is recorded: a file whose event
   * was missed (a network drive, a sleeping laptop, a watcher limit) is taken now, one that
   * vanished unseen is marked missing. Known unchanged files cost a stat on the worker and a map
   * lookup here, never a hash or a query. Runs at start, every `reconcileMinutes` (every poll for
   * a polled folder), and on "rescan now".
   */
  async reconcile(folder: HotFolder): Promise<{ seen: number; missing: number }> {
    const watched = this.watched.get(folder.id);
    const known = await knownFiles(this.options.db, folder.id);
    const found = new Set<string>();
    const summary = await scanFolder(
      folder.path,
      folder.recursive ? Number.POSITIVE_INFINITY : 1,
      {
        folders: (relatives) => relatives.forEach((relative) => watched?.watcher?.watch(relative)),
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
            if (entry.kind === 'directory') {
              // New since the folders were listed: watched now, and its files looked at.
              if (watched?.watcher && !watched.watcher.isFolder(entry.relative)) this.look(folder, file);
              continue;
            }
            if (ignoredIn(folder, file, false)) continue;
            found.add(entry.relative);
            this.guard('ingest.check_failed', file, () => this.checkStat(folder, file, entry));
          }
        },
      },
      watched?.abort.signal,
    );
    if (this.stopped) return { seen: found.size, missing: 0 };
    const missing = missingAfterScan(known, found, summary.unreadable);
    for (const relative of missing) {
      const file = path.join(folder.path, ...relative.split('/'));
      this.guard('ingest.unlink_failed', file, () => this.gone(folder, file));
    }
    return { seen: found.size, missing: missing.length };
  }

  /**
   * Scans a subfolder brought back from "ignored" (its shoot was deleted): what ingest took there
   * before is forgotten, so each photo is taken again into the new shoot.
   */
  async rescanRestored(folder: HotFolder, subfolder: string): Promise<{ seen: number; missing: number }> {
    for (const file of [...this.taken.keys()]) {
      if (shootFolderOf(toPosix(path.relative(folder.path, file))) !== subfolder) continue;
      this.taken.delete(file);
      this.tracker.forget(file);
    }
    return this.reconcile(folder);
  }

  /** "Rescan now" for a watched folder. */
  async rescan(id: string): Promise<{ seen: number; missing: number }> {
    const watched = this.watched.get(id);
    if (!watched) throw new AppError('not_found', `No watched folder ${id}.`);
    return this.reconcile(watched.folder);
  }

  /** Every `reconcileMinutes`; a polled folder (a network drive, or past the watch limit) at each poll. */
  private scheduleReconcile(watched: WatchedFolder): void {
    const { folder } = watched;
    this.reconcileTimers.get(folder.id)?.();
    if (this.stopped || this.watched.get(folder.id) !== watched) return;
    const every = watched.polling
      ? Math.min(this.options.pollIntervalMs ?? 2_000, folder.reconcileMinutes * 60_000)
      : folder.reconcileMinutes * 60_000;
    this.reconcileTimers.set(
      folder.id,
      this.options.clock.setTimer(() => {
        if (this.stopped || this.watched.get(folder.id) !== watched) return;
        void this.reconcile(folder)
          .catch((error: unknown) => this.options.log.warn('ingest.reconcile_failed', { folder: folder.path, error }))
          .finally(() => this.scheduleReconcile(watched));
      }, every),
    );
  }

  async unwatchFolder(id: string): Promise<void> {
    this.passedOver.forgetFolder(id);
    this.scanned.get(id)?.finish();
    this.scanned.delete(id);
    this.reconcileTimers.get(id)?.();
    this.reconcileTimers.delete(id);
    const watched = this.watched.get(id);
    this.watched.delete(id);
    watched?.abort.abort();
    watched?.watcher?.close();
    await Promise.resolve();
  }

  /**
   * Resolves when every watcher has seen the files already in its folder and nothing is waiting to
   * settle or being taken (for tests and orderly shutdown).
   */
  async idle(): Promise<void> {
    await Promise.all([...this.scanned.values()].map((scan) => scan.done));
    if (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const scan of this.scanned.values()) scan.finish();
    this.scanned.clear();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    for (const cancel of this.reconcileTimers.values()) cancel();
    this.reconcileTimers.clear();
    for (const watched of this.watched.values()) {
      watched.abort.abort();
      watched.watcher?.close();
    }
    this.watched.clear();
    await Promise.resolve();
  }

  /**
   * Watcher callbacks write to the database; a failure there (a full disk, a locked library) is
   * logged and the file looked at again by the next reconcile scan, never an unhandled rejection.
   */
  private guard(event: string, file: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.options.log.warn(event, { file, error });
    }
  }

  /**
   * The watcher said something happened at `file`: looks at what is there now, off the main
   * thread (a stat on a network drive can take long), once at a time per path however many events
   * a copy sends.
   */
  private look(folder: HotFolder, file: string): void {
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
          else this.options.log.warn('ingest.stat_failed', { file, error });
        },
      )
      .catch((error: unknown) => this.options.log.warn('ingest.check_failed', { file, error }))
      .finally(() => {
        this.looking.delete(file);
        if (state.again && !this.stopped && this.watched.get(folder.id)?.folder === folder) this.look(folder, file);
        this.notifyIfIdle();
      });
  }

  private seen(folder: HotFolder, file: string, stats: fs.Stats): void {
    if (this.stopped) return;
    const isDirectory = stats.isDirectory();
    if (ignoredIn(folder, file, isDirectory)) return;
    if (!isDirectory) {
      this.checkStat(folder, file, entryOf(stats));
      return;
    }
    // A folder that appeared (made, or moved in with its photos): watched, and what it holds taken.
    const watched = this.watched.get(folder.id);
    const relative = toPosix(path.relative(folder.path, file));
    if (!watched || watched.watcher?.isFolder(relative) === true) return;
    watched.watcher?.watch(relative);
    const depth = folder.recursive ? Number.POSITIVE_INFINITY : 0;
    this.track('ingest.scan_failed', file, () =>
      scanFolder(
        file,
        depth,
        {
          folders: (inner) => inner.forEach((below) => watched.watcher?.watch(`${relative}/${below}`)),
          entries: (entries) => {
            for (const entry of entries) {
              const inner = `${relative}/${entry.relative}`;
              if (entry.kind !== 'directory' || !watched.watcher?.isFolder(inner))
                this.look(folder, path.join(folder.path, ...inner.split('/')));
            }
          },
        },
        watched.abort.signal,
      ),
    );
  }

  /** Work started by an event that `idle()` must wait for; its failure is logged as `event`. */
  private track(event: string, file: string, work: () => Promise<unknown>): void {
    this.tracked += 1;
    void work()
      .catch((error: unknown) => this.options.log.warn(event, { file, error }))
      .finally(() => {
        this.tracked -= 1;
        this.notifyIfIdle();
      });
  }

  private tracked = 0;

  /** Nothing is there any more: a photo went, or a folder with everything in it. */
  private vanished(folder: HotFolder, file: string): void {
    const relative = toPosix(path.relative(folder.path, file));
    const watcher = this.watched.get(folder.id)?.watcher;
    if (watcher?.isFolder(relative)) {
      watcher.forget(relative);
      this.track('ingest.unlink_failed', file, async () => {
        // The whole hot folder gone is far more often a drive unplugged than a library deleted: the
        // next scan finds out (and marks nothing while it finds nothing).
        if (
          relative === '' ||
          !(await fs.promises.stat(folder.path).then(
            () => true,
            () => false,
          ))
        )
          return;
        for (const inside of (await knownFiles(this.options.db, folder.id)).keys()) {
          if (!inside.startsWith(`${relative}/`)) continue;
          const gone = path.join(folder.path, ...inside.split('/'));
          this.guard('ingest.unlink_failed', gone, () => this.gone(folder, gone));
        }
      });
      return;
    }
    this.guard('ingest.unlink_failed', file, () => this.gone(folder, file));
  }

  private busy(): boolean {
    const waiting = this.timers.size + this.queue.length + this.looking.size;
    return waiting + this.active + this.tracked > 0;
  }

  /** A file in a subfolder whose shoot the user deleted: left alone until the folder is restored. */
  private inDeletedShoot(folder: HotFolder, file: string): boolean {
    return isFolderIgnored(this.options.db, folder.id, shootFolderOf(toPosix(path.relative(folder.path, file))));
  }

  /** Takes the file if it has settled (as `stat` says it is now), else looks again when it could have. */
  private checkStat(folder: HotFolder, file: string, stat: Pick<ScannedEntry, 'kind' | 'size' | 'mtimeMs'>): void {
    if (this.stopped || this.inDeletedShoot(folder, file)) return;
    if (classifyPath(file).kind === 'sidecar') {
      this.guard('ingest.sidecar_failed', file, () =>
        this.linked(linkArrivedSidecar(this.options.db, folder, file, this.options.clock.now())),
      );
      return;
    }
    // A FIFO would block a reader for ever, a device (or a link to /dev/zero) never ends: only
    // regular files are photos. The folder's status says what was passed over and why.
    if (stat.kind !== 'file') {
      this.passOver(folder, file, stat.kind);
      return;
    }
    this.passedOver.clear(folder, file);
    const observation = this.tracker.observe(
      file,
      { size: stat.size, mtimeMs: stat.mtimeMs },
      this.options.clock.now(),
    );
    this.timers.get(file)?.();
    this.timers.delete(file);
    if (observation.status === 'waiting') {
      const settlesAt = this.tracker.settlesAt(file);
      if (settlesAt !== null && !this.alreadyTaken(file, stat)) {
        const wait = Math.max(10, settlesAt - this.options.clock.now() + 10);
        this.timers.set(
          file,
          this.options.clock.setTimer(() => {
            this.timers.delete(file);
            this.look(folder, file);
          }, wait),
        );
      }
      this.notifyIfIdle();
      return;
    }
    this.queue.push({ folder, file, stat: observation.stat });
    this.drain();
  }

  private readonly taken = new Map<string, FileStat>();

  private alreadyTaken(file: string, stat: FileStat): boolean {
    const taken = this.taken.get(file);
    return taken !== undefined && taken.size === stat.size && taken.mtimeMs === stat.mtimeMs;
  }

  private drain(): void {
    const limit = this.options.concurrency ?? 4;
    while (this.active < limit && this.queue.length > 0) {
      const next = this.queue.shift();
      if (!next) break;
      this.active += 1;
      void this.take(next)
        .catch((error: unknown) => this.options.log.error('ingest.take_failed', { file: next.file, error }))
        .finally(() => {
          this.active -= 1;
          this.drain();
          this.notifyIfIdle();
        });
    }
  }

  private async take({ folder, file, stat }: Pending): Promise<void> {
    const { db, clock } = this.options;
    const outcome = await takeFile(
      { db, clock, onShoot: this.options.onShoot, onHashed: this.options.onHashed },
      folder,
      file,
      stat,
      () => this.taken.set(file, stat),
    );
    if (outcome.kind === 'rewritten' || outcome.kind === 'special') {
      // Written to since it settled, or not a file after all: the next event looks at it afresh.
      this.taken.delete(file);
      if (outcome.kind === 'special') this.passOver(folder, file, outcome.special);
      return;
    }
    if (outcome.kind !== 'recorded') return;
    this.options.onAsset?.({ ...outcome.result, hotFolderId: folder.id, relativePath: outcome.relative });
    this.linked(linkWaitingSidecar(db, folder, file, clock.now()));
  }

  private linked(assetIds: string[]): void {
    if (assetIds.length > 0) this.options.onSidecar?.(assetIds);
  }

  /** What was passed over in a folder and why, newest last. */
  skippedIn(folderId: string): { path: string; reason: string }[] {
    return this.passedOver.listed(folderId);
  }

  skippedCount(folderId: string): number {
    return this.passedOver.count(folderId);
  }

  private readonly passedOver = new PassedOverFiles();

  /** A file ingest will not read (a pipe, a device…): listed in the folder's status, logged once. */
  private passOver(folder: HotFolder, file: string, kind: SpecialFileKind): void {
    if (this.passedOver.note(folder, file, kind)) this.options.log.info('ingest.skipped_special_file', { file, kind });
    this.notifyIfIdle();
  }

  private gone(folder: HotFolder, file: string): void {
    this.passedOver.clear(folder, file);
    this.timers.get(file)?.();
    this.timers.delete(file);
    this.tracker.forget(file);
    this.taken.delete(file);
    const relative = toPosix(path.relative(folder.path, file));
    const shootFolder = shootFolderOf(relative);
    const shootId = findShoot(this.options.db, folder.id, shootFolder);
    const assetId = shootId ? markMissing(this.options.db, shootId, relative, this.options.clock.now()) : null;
    if (assetId)
      this.options.onAsset?.({ assetId, outcome: 'missing', hotFolderId: folder.id, relativePath: relative });
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.busy()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
