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
import { takeFile } from './take-file';
import { PassedOverFiles, shootFolderOf, toPosix } from './folder-files';
import type { FileStatus } from './folder-scan';
import { FolderScans } from './folder-scans';

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
  private readonly scans: FolderScans;
  private readonly timers = new Map<string, () => void>();
  private readonly queue: Pending[] = [];
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: IngestServiceOptions) {
    this.options = options;
    this.tracker = new WriteFinishTracker(options.stabilityMs ?? DEFAULT_STABILITY_MS);
    this.scans = new FolderScans({
      db: options.db,
      log: options.log,
      clock: options.clock,
      pollIntervalMs: options.pollIntervalMs,
      check: (folder, file, stat) => this.checkStat(folder, file, stat),
      gone: (folder, file) => this.gone(folder, file),
      settled: () => this.notifyIfIdle(),
    });
  }

  start(): void {
    for (const folder of listHotFolders(this.options.db)) this.watchFolder(folder);
  }

  watchFolder(folder: HotFolder): void {
    if (!this.stopped) this.scans.watch(folder);
  }

  /** Walks the folder now and compares it with what is recorded (see FolderScans.reconcile). */
  reconcile(folder: HotFolder): Promise<{ seen: number; missing: number }> {
    return this.scans.reconcile(folder);
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
  rescan(id: string): Promise<{ seen: number; missing: number }> {
    return this.scans.rescan(id);
  }

  async unwatchFolder(id: string): Promise<void> {
    this.passedOver.forgetFolder(id);
    const folder = this.scans.unwatch(id);
    // Files of that folder still settling are not taken into it any more.
    for (const [file, cancel] of this.timers) {
      if (folder && file.startsWith(`${folder.path}${path.sep}`)) {
        cancel();
        this.timers.delete(file);
      }
    }
    this.notifyIfIdle();
    await Promise.resolve();
  }

  /**
   * Resolves when every watcher has seen the files already in its folder and nothing is waiting to
   * settle or being taken (for tests and orderly shutdown).
   */
  async idle(): Promise<void> {
    await this.scans.firstScans();
    if (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.scans.stop();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.queue.length = 0;
    // Whoever waits for ingest to be idle is not kept waiting by work that will never end.
    for (const resolve of this.idleWaiters.splice(0)) resolve();
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

  private busy(): boolean {
    return this.timers.size + this.queue.length + this.active > 0 || this.scans.busy();
  }

  /** A file in a subfolder whose shoot the user deleted: left alone until the folder is restored. */
  private inDeletedShoot(folder: HotFolder, file: string): boolean {
    return isFolderIgnored(this.options.db, folder.id, shootFolderOf(toPosix(path.relative(folder.path, file))));
  }

  /** Takes the file if it has settled (as `stat` says it is now), else looks again when it could have. */
  private checkStat(folder: HotFolder, file: string, stat: FileStatus): void {
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
            this.scans.look(folder, file);
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
