import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection';
import {
  derivativeBytes,
  forgetDerivative,
  recordDerivative,
  takeLeastRecentlyUsed,
  derivativeSize,
  touchDerivatives,
  type DerivativeKind,
} from '../db/derivatives-repo';
import type { Clock } from '../clock';

export type { DerivativeKind };

/** How long uses of cached files wait to be written, together. */
const TOUCH_DELAY_MS = 5_000;

export const DERIVATIVE_SPECS: Record<DerivativeKind, { longEdge: number; extension: string; mimeType: string }> = {
  thumbnail: { longEdge: 320, extension: 'webp', mimeType: 'image/webp' },
  preview: { longEdge: 2048, extension: 'jpg', mimeType: 'image/jpeg' },
};

/** The disk is full: nothing was left behind, and the same write can simply be tried again later. */
export class DiskFullError extends Error {
  readonly code = 'disk_full';
  constructor(directory: string) {
    super(
      `The disk holding Shootline's data (${directory}) is full, so previews cannot be saved. Free some space; Shootline tries again by itself.`,
    );
  }
}

export interface DerivativeCacheOptions {
  db: Db;
  clock: Clock;
  /** Folder of the cache (inside the data dir). */
  root: string;
  /** Size cap in bytes; least-recently-used derivatives go first (default 2 GiB). */
  capBytes?: number;
  /** Test seam: opens the temp file for writing (tests point it at /dev/full for a real ENOSPC). */
  openForWrite?: (file: string) => Promise<fs.promises.FileHandle>;
}

/**
 * Thumbnails and previews, kept by content hash so a photo copied twice, moved or renamed shares
 * them. Writes are atomic (temp file, then rename): a crash or a full disk never leaves a half
 * file under a final name. When the cache outgrows its cap the least recently used files are
 * deleted; they are made again on demand.
 */
export class DerivativeCache {
  private readonly options: DerivativeCacheOptions;
  private readonly capBytes: number;
  /**
   * What the cache holds, never less than the truth: the recorded total when last summed, plus
   * every write since (a file replaced or forgotten is not taken off). Summing every row on every
   * write cost a scan of the whole table per thumbnail; now the table is summed only when this
   * bound passes the cap, and eviction always works from the real sum.
   */
  private atMostBytes: number | null = null;

  constructor(options: DerivativeCacheOptions) {
    this.options = options;
    this.capBytes = options.capBytes ?? 2 * 1024 ** 3;
  }

  pathOf(contentHash: string, kind: DerivativeKind): string {
    if (!/^[0-9a-f]{16,128}$/.test(contentHash)) throw new Error(`Not a content hash: ${contentHash}`);
    return path.join(
      this.options.root,
      contentHash.slice(0, 2),
      `${contentHash}-${kind}.${DERIVATIVE_SPECS[kind].extension}`,
    );
  }

  /** The file if cached whole (and marks it used), or null: then it has to be made again. */
  lookup(contentHash: string, kind: DerivativeKind): string | null {
    const file = this.pathOf(contentHash, kind);
    const expected = derivativeSize(this.options.db, contentHash, kind);
    if (expected === null) return null;
    this.touch(contentHash, kind);
    if (fs.statSync(file, { throwIfNoEntry: false })?.size === expected) return file;
    // Deleted behind our back, or torn by a power cut before the OS flushed it.
    forgetDerivative(this.options.db, contentHash, kind);
    return null;
  }

  async put(contentHash: string, kind: DerivativeKind, bytes: Uint8Array): Promise<string> {
    const file = this.pathOf(contentHash, kind);
    const directory = path.dirname(file);
    await fs.promises.mkdir(directory, { recursive: true });
    const temp = path.join(directory, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await (this.options.openForWrite ?? ((name: string) => fs.promises.open(name, 'wx')))(temp);
      try {
        // No fsync: a derivative can always be made again, and two fsyncs per photo cost about
        // a tenth of ingest. A file torn by a power cut is caught by the size check in lookup().
        await handle.writeFile(bytes);
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temp, file);
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new DiskFullError(this.options.root);
      throw error;
    }
    recordDerivative(this.options.db, { contentHash, kind, bytes: bytes.byteLength }, this.options.clock.now());
    this.evictBeyondCap({ contentHash, kind }, bytes.byteLength);
    return file;
  }

  /**
   * Uses are written a few seconds later, together: a write per thumbnail shown (each one an fsync
   * on the engine's thread) held the engine at every scroll of the grid. Eviction writes them first,
   * so it always goes by what was really used; a crash only loses how recent the last few uses were.
   */
  private touch(contentHash: string, kind: DerivativeKind): void {
    this.touched.set(`${kind}:${contentHash}`, { contentHash, kind, at: this.options.clock.now() });
    if (this.touchTimer !== undefined) return;
    this.touchTimer = setTimeout(() => {
      try {
        this.writeTouches();
      } catch {
        // Only recency is lost (a locked or closing library): eviction still has every file's size.
      }
    }, TOUCH_DELAY_MS);
    this.touchTimer.unref?.();
  }

  private readonly touched = new Map<string, { contentHash: string; kind: DerivativeKind; at: number }>();
  private touchTimer: ReturnType<typeof setTimeout> | undefined;

  /** Writes the uses not yet written (also when the engine stops). */
  writeTouches(): void {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    if (this.touched.size === 0) return;
    const touches = [...this.touched.values()];
    this.touched.clear();
    touchDerivatives(this.options.db, touches);
  }

  /** Deletes least-recently-used files until the cache is back under 90% of its cap. */
  private evictBeyondCap(keep: { contentHash: string; kind: DerivativeKind }, added: number): void {
    if (this.atMostBytes !== null) this.atMostBytes += added;
    if (this.atMostBytes !== null && this.atMostBytes <= this.capBytes) return;
    this.writeTouches();
    const total = derivativeBytes(this.options.db);
    this.atMostBytes = total;
    if (total <= this.capBytes) return;
    const toFree = total - Math.floor(this.capBytes * 0.9);
    let freed = 0;
    for (const row of takeLeastRecentlyUsed(this.options.db, toFree, keep)) {
      fs.rmSync(this.pathOf(row.contentHash, row.kind), { force: true });
      freed += row.bytes;
    }
    this.atMostBytes = total - freed;
  }
}
