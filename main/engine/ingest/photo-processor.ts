import { compareWithIngested } from '../ingested-content';
import type { Db } from '../db/connection';
import { notePendingProblem, pendingAssetIds, recordDecoded, type DecodedDetails } from '../db/ingest-repo';
import { assetSource, rememberFileIdentity, type AssetSource } from '../db/asset-source-repo';
import { turnedPhoto, type PhotoDecoder } from '../imaging/decode';
import { turnedContentKey } from '../imaging/turn';
import { DiskFullError, type DerivativeCache, type DerivativeKind } from '../imaging/derivative-cache';
import { classifyDecoderError } from '../imaging/photo-errors';
import { renderDerivatives } from '../imaging/render';
import { IMAGE_PARALLELISM, MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';
import {
  describeSpecialFile,
  FileTooLargeError,
  NotRegularFileError,
  readRegularFileWithIdentity,
  type FileIdentity,
} from '../regular-file';
import { releaseBuffer } from '../release-buffer';
import { Limit } from '../limit';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import { sniffFormat } from '../imaging/sniff';

/** How far the current batch of photos has come, for the UI's "N of M". */
export interface IngestProgress {
  done: number;
  total: number;
  /** The photo being decoded, relative to its hot folder. */
  current: string | null;
  /** Photos per second over this batch, once there is something to measure. */
  perSecond: number | null;
}

export interface PhotoProcessorOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  decoder: PhotoDecoder;
  cache: DerivativeCache;
  /** Photos rendered by sharp at once (default: one per core). */
  concurrency?: number;
  /** Waits before trying again after a full disk, a read error or a decoder crash (the last one repeats). */
  diskFullRetryMs?: readonly number[];
  /** The asset's row changed (decoded, failed, or a problem noted). */
  onAssetChanged?: (assetId: string) => void;
  /** The asset is decoded and its previews exist: default recipes may run on it now. */
  onReady?: (assetId: string) => void;
  onProgress?: (progress: IngestProgress) => void;
}

const DEFAULT_DISK_FULL_RETRY_MS = [30_000, 120_000, 600_000];
const PROGRESS_EVERY_MS = 250;

/**
 * The second half of ingest: decodes each recorded photo, keeps its metadata and makes its
 * thumbnail and preview. A photo that cannot be read ends in state `error` with a reason and the
 * rest go on; a full disk is not the photo's fault, so the photo waits and is tried again.
 * Only the content that was hashed is decoded: if the file changed since, the new version is
 * recorded by the watcher and decoded in its turn, and no result is written for the old one.
 */
export class PhotoProcessor {
  private readonly options: PhotoProcessorOptions;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Asked for again while in flight (a re-save during its decode): runs once more when done. */
  private readonly rerun = new Set<string>();
  /** Renders for the media handlers, one per content at a time however many requests ask. */
  private readonly rendering = new Map<string, Promise<Record<DerivativeKind, string> | null>>();
  private readonly retries = new Map<string, { attempt: number; cancel: () => void }>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private batch = { done: 0, total: 0, startedAt: 0, lastReportAt: 0 };

  private readonly renderSlots: Limit;

  constructor(options: PhotoProcessorOptions) {
    this.options = options;
    this.renderSlots = new Limit(options.concurrency ?? IMAGE_PARALLELISM);
  }

  /** Picks up what a previous run left pending. */
  start(): void {
    for (const id of pendingAssetIds(this.options.db)) this.enqueue(id);
  }

  enqueue(assetId: string): void {
    if (this.stopped) return;
    if (this.queued.has(assetId)) {
      this.rerun.add(assetId);
      return;
    }
    if (this.batch.total === this.batch.done)
      this.batch = { done: 0, total: 0, startedAt: this.options.clock.now(), lastReportAt: 0 };
    this.queued.add(assetId);
    this.queue.push(assetId);
    this.batch.total += 1;
    this.drain();
  }

  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const retry of this.retries.values()) retry.cancel();
    this.retries.clear();
    this.queue.length = 0;
    await this.idle();
    try {
      this.options.cache.writeTouches();
    } catch (error) {
      this.options.log.warn('ingest.cache_touches_failed', { error });
    }
  }

  /**
   * A thumbnail or preview for the media handlers: from the cache, or made again from the original
   * when it was evicted. Null when the asset has no readable source.
   */
  async derivative(assetId: string, kind: DerivativeKind): Promise<string | null> {
    if (this.stopped) return null;
    const source = assetSource(this.options.db, assetId);
    if (!source || source.state !== 'ok') return null;
    const key = turnedContentKey(source.contentHash, source.turn);
    const cached = this.options.cache.lookup(key, kind);
    if (cached) return cached;
    let making = this.rendering.get(key);
    if (!making) {
      making = this.render(source)
        .then((made) => (made.ok === true ? made.files : null))
        .finally(() => this.rendering.delete(key));
      this.rendering.set(key, making);
    }
    return (await making)?.[kind] ?? null;
  }

  private drain(): void {
    // One photo more in flight than sharp renders at once: while sharp keeps every core busy, the
    // next photo is read, hashed and scan-checked on the main thread, so no core waits for it.
    const limit = this.renderSlots.slots + 1;
    while (!this.stopped && this.active < limit && this.queue.length > 0) {
      const id = this.queue.shift();
      if (id === undefined) break;
      this.active += 1;
      void this.process(id)
        .catch((error: unknown) => this.options.log.error('ingest.process_failed', { assetId: id, error }))
        .finally(() => {
          this.queued.delete(id);
          if (this.rerun.delete(id)) this.enqueue(id);
          this.active -= 1;
          this.batch.done += 1;
          this.report(null);
          this.drain();
          if (this.queue.length === 0 && this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  private async process(assetId: string): Promise<void> {
    const { db, clock } = this.options;
    const source = assetSource(db, assetId);
    if (!source || source.state !== 'pending' || !source.file) return;
    this.report(source.relativePath);
    const made = await this.render(source);
    if (!made.ok && made.retry) {
      this.retryLater(assetId, made.error);
      return;
    }
    this.retries.delete(assetId);
    if (made.ok === 'changed') return;
    // The user reads the plain message; what the decoder said goes to the log for whoever debugs it.
    if (!made.ok)
      this.options.log.info('ingest.unreadable', { assetId, kind: made.error.kind, detail: made.error.detail });
    const written = recordDecoded(
      db,
      assetId,
      source.contentHash,
      made.ok ? { ok: true, details: made.details } : made,
      clock.now(),
    );
    if (!written) return;
    this.options.onAssetChanged?.(assetId);
    if (made.ok) this.options.onReady?.(assetId);
  }

  private async render(
    source: AssetSource,
  ): Promise<
    | { ok: true; details: DecodedDetails; files: Record<DerivativeKind, string> }
    | { ok: 'changed' }
    | { ok: false; retry: boolean; error: { kind: string; message: string; detail?: string } }
  > {
    if (!source.file) return { ok: 'changed' };
    let read: { bytes: Buffer; identity: FileIdentity | null };
    try {
      read = await readRegularFileWithIdentity(source.file, MAX_PHOTO_FILE_BYTES);
    } catch (error) {
      if (error instanceof FileTooLargeError) {
        return {
          ok: false,
          retry: false,
          error: {
            kind: 'too_large',
            message: `The file is ${(error.size / 1024 ** 3).toFixed(1)} GB; Shootline opens photo files up to ${MAX_PHOTO_FILE_BYTES / 1024 ** 3} GB.`,
          },
        };
      }
      // Swapped for a pipe or a device since it was taken: not a photo, and never read.
      if (error instanceof NotRegularFileError) {
        return {
          ok: false,
          retry: false,
          error: { kind: 'not_an_image', message: `This is ${describeSpecialFile(error.kind)}.` },
        };
      }
      // Gone or moved meanwhile: the watcher records that. Anything else (a locked file, a failing
      // card reader, too many open files) is the machine's problem, not the photo's: try again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: 'changed' };
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        retry: true,
        error: { kind: 'read_failed', message: `The file could not be read: ${message}` },
      };
    }
    try {
      return await this.renderRead(source, source.file, read);
    } finally {
      // Every reader of the photo's bytes has finished: its memory goes now (see releaseBuffer).
      // libvips reads them through a raw pointer, so every pipeline over them in renderRead is
      // awaited, never raced against a timeout or an abort.
      releaseBuffer(read.bytes);
    }
  }

  private async renderRead(
    source: AssetSource,
    file: string,
    read: { bytes: Buffer; identity: FileIdentity | null },
  ): ReturnType<PhotoProcessor['render']> {
    const same = compareWithIngested(source, read);
    if (same === 'changed') return { ok: 'changed' };
    if (same === 'same-bytes' && read.identity) rememberFileIdentity(this.options.db, source, read.identity);
    const { bytes } = read;
    const sniffed = sniffFormat(bytes.subarray(0, 64));
    if (!sniffed.ok) return { ok: false, retry: false, error: { kind: sniffed.kind, message: sniffed.message } };
    // A photo already decoded (`ok`) whose bytes are those it was ingested with passed the scan check
    // then; only a derivative evicted from the cache brings it back here.
    const opened = await this.options.decoder.open(file, bytes, sniffed.format, {
      knownWhole: source.state === 'ok',
    });
    if (!opened.ok) return { ok: false, retry: opened.error.kind === 'decoder_unavailable', error: opened.error };
    const { photo } = opened;
    let rendered: Record<DerivativeKind, Buffer>;
    try {
      // Thumbnails show the photo as the user turned it; the recorded size stays the file's own.
      rendered = await this.renderSlots.run(() => renderDerivatives(turnedPhoto(photo, source.turn)));
    } catch (error) {
      if (error instanceof Error && /out of memory|cannot allocate|ENOMEM/i.test(error.message)) {
        return { ok: false, retry: true, error: { kind: 'decoder_unavailable', message: error.message } };
      }
      return { ok: false, retry: false, error: classifyDecoderError(error) };
    }
    try {
      const key = turnedContentKey(source.contentHash, source.turn);
      const files = {
        preview: await this.options.cache.put(key, 'preview', rendered.preview),
        thumbnail: await this.options.cache.put(key, 'thumbnail', rendered.thumbnail),
      };
      releaseBuffer(rendered.preview);
      releaseBuffer(rendered.thumbnail);
      return {
        ok: true,
        files,
        details: {
          width: photo.width,
          height: photo.height,
          format: photo.format,
          capturedAt: photo.metadata.capturedAt,
          camera: photo.metadata.camera,
          lens: photo.metadata.lens,
          orientation: photo.metadata.orientation,
          hasGps: photo.metadata.hasGps,
        },
      };
    } catch (error) {
      if (error instanceof DiskFullError)
        return { ok: false, retry: true, error: { kind: error.code, message: error.message } };
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        retry: true,
        error: { kind: 'cache_write', message: `Previews could not be saved: ${message}` },
      };
    }
  }

  private retryLater(assetId: string, problem: { kind: string; message: string }): void {
    const { db, clock, log } = this.options;
    notePendingProblem(db, assetId, problem, clock.now());
    this.options.onAssetChanged?.(assetId);
    log.warn('ingest.retry_later', { assetId, problem: problem.kind });
    const delays = this.options.diskFullRetryMs ?? DEFAULT_DISK_FULL_RETRY_MS;
    const attempt = (this.retries.get(assetId)?.attempt ?? 0) + 1;
    const wait = delays[Math.min(attempt, delays.length) - 1] ?? 60_000;
    const cancel = clock.setTimer(() => this.enqueue(assetId), wait);
    this.retries.set(assetId, { attempt, cancel });
  }

  private report(current: string | null): void {
    const now = this.options.clock.now();
    const last = this.batch.done === this.batch.total;
    if (!last && now - this.batch.lastReportAt < PROGRESS_EVERY_MS) return;
    this.batch.lastReportAt = now;
    const seconds = (now - this.batch.startedAt) / 1000;
    this.options.onProgress?.({
      done: this.batch.done,
      total: this.batch.total,
      current: last ? null : current,
      perSecond: this.batch.done > 0 && seconds > 0 ? Math.round((this.batch.done / seconds) * 10) / 10 : null,
    });
  }
}
