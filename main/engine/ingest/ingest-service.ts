import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { HotFolder, Shoot } from '../../../shared/domain';
import type { Db } from '../db/connection';
import { listHotFolders } from '../db/hot-folders-repo';
import {
  ensureShoot,
  findShoot,
  isFolderIgnored,
  knownUnchanged,
  markMissing,
  recordFile,
  type RecordOutcome,
} from '../db/ingest-repo';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import { classifyPath, isInIgnoredFolder } from './file-filter';
import { linkArrivedSidecar, linkWaitingSidecar } from './sidecars';
import { hashFile, readHead } from './hash';
import { SNIFF_BYTES, sniffFormat } from '../imaging/sniff';
import { WriteFinishTracker, type FileStat } from './stability';
import { NotRegularFileError, specialKind, type SpecialFileKind } from '../regular-file';
import { PassedOverFiles, shootFolderOf, toPosix, walk } from './folder-files';
import { sweepMissing } from './missing-sweep';

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
  private readonly watchers = new Map<string, FSWatcher>();
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
    if (this.stopped || this.watchers.has(folder.id)) return;
    const watcher = watch(folder.path, {
      ignoreInitial: false,
      persistent: true,
      alwaysStat: true,
      usePolling: folder.polling,
      // Network drives: a stat per file every 2 s is plenty and keeps a NAS with thousands of photos responsive.
      interval: this.options.pollIntervalMs ?? 2_000,
      binaryInterval: this.options.pollIntervalMs ?? 2_000,
      depth: folder.recursive ? undefined : 1,
      ignored: (file, stats) => this.ignored(folder, file, stats?.isDirectory() ?? false),
    });
    // Files found by the first scan: a photo recorded here and not among them was removed while the
    // engine was stopped, and is marked missing as soon as the scan ends (not at the next rescan).
    let firstScan = 0;
    let scanning = true;
    watcher.on('add', (file) => {
      if (scanning) firstScan += 1;
      this.check(folder, file);
    });
    watcher.on('change', (file) => this.check(folder, file));
    watcher.on('unlink', (file) => this.guard('ingest.unlink_failed', file, () => this.gone(folder, file)));
    watcher.on('error', (error) => this.options.log.warn('ingest.watch_error', { folder: folder.path, error }));
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    watcher.once('ready', () => {
      scanning = false;
      finish();
      void this.markGone(folder, firstScan).catch((error: unknown) =>
        this.options.log.warn('ingest.missing_sweep_failed', { folder: folder.path, error }),
      );
    });
    this.scanned.set(folder.id, { done, finish });
    this.watchers.set(folder.id, watcher);
    this.scheduleReconcile(folder);
  }

  /**
   * Walks the folder and compares it with what is recorded: a file whose event was missed (a
   * network drive, a sleeping laptop, a watcher limit) is taken now, one that vanished unseen is
   * marked missing. Known unchanged files cost a stat, never a hash. Runs every
   * `reconcileMinutes`; callable directly (tests, "rescan now").
   */
  async reconcile(folder: HotFolder): Promise<{ seen: number; missing: number }> {
    const entries = await walk(folder.path, folder.recursive);
    let seen = 0;
    for (const file of entries) {
      if (this.stopped) break;
      if (this.ignored(folder, file, false)) continue;
      seen += 1;
      this.check(folder, file);
    }
    return { seen, missing: await this.markGone(folder, seen) };
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

  /** Marks missing what this folder's scan (which saw `seen` files) did not find: see sweepMissing. */
  private markGone(folder: HotFolder, seen: number): Promise<number> {
    const gone = (file: string): void => this.gone(folder, file);
    return sweepMissing(this.options.db, folder, seen, { stopped: () => this.stopped, gone });
  }

  private scheduleReconcile(folder: HotFolder): void {
    this.reconcileTimers.get(folder.id)?.();
    const every = folder.reconcileMinutes * 60_000;
    this.reconcileTimers.set(
      folder.id,
      this.options.clock.setTimer(() => {
        if (this.stopped || !this.watchers.has(folder.id)) return;
        void this.reconcile(folder)
          .catch((error: unknown) => this.options.log.warn('ingest.reconcile_failed', { folder: folder.path, error }))
          .finally(() => {
            if (this.watchers.has(folder.id)) this.scheduleReconcile(folder);
          });
      }, every),
    );
  }

  async unwatchFolder(id: string): Promise<void> {
    this.passedOver.forgetFolder(id);
    this.scanned.get(id)?.finish();
    this.scanned.delete(id);
    this.reconcileTimers.get(id)?.();
    this.reconcileTimers.delete(id);
    const watcher = this.watchers.get(id);
    this.watchers.delete(id);
    await watcher?.close();
  }

  /**
   * Resolves when every watcher has seen the files already in its folder and nothing is waiting to
   * settle or being taken (for tests and orderly shutdown).
   */
  async idle(): Promise<void> {
    await Promise.all([...this.scanned.values()].map((scan) => scan.done));
    if (this.timers.size === 0 && this.queue.length === 0 && this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const scan of this.scanned.values()) scan.finish();
    this.scanned.clear();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    for (const cancel of this.reconcileTimers.values()) cancel();
    this.reconcileTimers.clear();
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.close()));
    this.watchers.clear();
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

  private ignored(folder: HotFolder, file: string, isDirectory: boolean): boolean {
    const relative = path.relative(folder.path, file);
    if (relative === '') return false;
    if (isInIgnoredFolder(`${relative}${path.sep}x`) && isDirectory) return true;
    if (isDirectory) return false;
    return isInIgnoredFolder(relative) || classifyPath(file).kind === 'ignored';
  }

  /** A file in a subfolder whose shoot the user deleted: left alone until the folder is restored. */
  private inDeletedShoot(folder: HotFolder, file: string): boolean {
    return isFolderIgnored(this.options.db, folder.id, shootFolderOf(toPosix(path.relative(folder.path, file))));
  }

  /** Looks at the file now; takes it if it has settled, else looks again when it could have. */
  private check(folder: HotFolder, file: string): void {
    if (this.stopped || this.inDeletedShoot(folder, file)) return;
    if (classifyPath(file).kind === 'sidecar') {
      this.guard('ingest.sidecar_failed', file, () =>
        this.linked(linkArrivedSidecar(this.options.db, folder, file, this.options.clock.now())),
      );
      return;
    }
    let stats: fs.Stats;
    try {
      stats = fs.statSync(file);
    } catch {
      return; // gone meanwhile; 'unlink' follows
    }
    // A FIFO would block a reader for ever, a device (or a link to /dev/zero) never ends: only
    // regular files are photos. The folder's status says what was passed over and why.
    if (!stats.isFile()) {
      this.passOver(folder, file, specialKind(stats));
      return;
    }
    this.passedOver.clear(folder, file);
    const stat = { size: stats.size, mtimeMs: Math.round(stats.mtimeMs) };
    const observation = this.tracker.observe(file, stat, this.options.clock.now());
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
            this.check(folder, file);
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
    const relative = toPosix(path.relative(folder.path, file));
    const shootFolder = shootFolderOf(relative);
    if (isFolderIgnored(db, folder.id, shootFolder)) return; // its shoot was deleted while it settled
    const shootId = ensureShoot(db, folder, shootFolder, clock.now(), this.options.onShoot);
    this.taken.set(file, stat);
    if (knownUnchanged(db, shootId, relative, stat.size, stat.mtimeMs)) return;
    let contentHash: string;
    let fileIdentity: string | null;
    try {
      const hashed = await hashFile(file);
      if (hashed.size !== stat.size) {
        // Written to since it settled: forget it was taken, so the next event looks at it afresh.
        this.taken.delete(file);
        return;
      }
      contentHash = hashed.hash;
      fileIdentity = hashed.identity;
    } catch (error) {
      if (error instanceof NotRegularFileError) {
        this.taken.delete(file);
        this.passOver(folder, file, error.kind);
        return;
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // gone meanwhile; 'unlink' follows
      throw error;
    }
    this.options.onHashed?.(file);
    // The shoot may have been deleted while the file was read: then it is left alone.
    if (isFolderIgnored(db, folder.id, shootFolder)) return;
    const head = await readHead(file, SNIFF_BYTES);
    const sniffed = sniffFormat(head);
    const result = recordFile(
      db,
      {
        shootId,
        hotFolderId: folder.id,
        relativePath: relative,
        sizeBytes: stat.size,
        mtimeMs: stat.mtimeMs,
        contentHash,
        fileIdentity,
        format: sniffed.ok ? sniffed.format : null,
        error: sniffed.ok ? null : { kind: sniffed.kind, message: sniffed.message },
      },
      (other) => fs.existsSync(path.join(folder.path, other)),
      clock.now(),
    );
    this.options.onAsset?.({ ...result, hotFolderId: folder.id, relativePath: relative });
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
    if (this.timers.size > 0 || this.queue.length > 0 || this.active > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
