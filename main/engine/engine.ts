import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApiHandlers } from '../../shared/api';
import type { Envelope } from '../../shared/errors';
import { createApiHandlers } from './api';
import { checkpoint, openDatabase, type Db } from './db/connection';
import { migrate } from './db/migrate';
import { migrations } from './db/migrations';
import { acquireDataDirLock } from './db/data-dir-lock';
import { EventHub } from './events';
import type { Logger } from './log';
import { mediaFilePath, type MediaRequest } from './media';
import { setPause } from './db/pauses-repo';
import type { ProviderModule } from './providers/contract';
import { systemClock, type Clock } from './queue/clock';
import { queueStats, toJobView } from './queue/queue-api';
import { QueueRunner } from './queue/runner';
import { dispatch } from './rpc';
import { getAsset } from './db/assets-repo';
import { IngestService } from './ingest/ingest-service';
import { storeVariantOutput } from './media-store';
import { loadSettings } from './settings-service';

export interface EngineOptions {
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  log: Logger;
  /** Injected so tests can run the engine, the queue included, on their own clock. */
  clock?: Clock;
  /** The generation providers the queue can use (the local one and the cloud APIs, as they land). */
  providers?: readonly ProviderModule[];
}

export const DATABASE_FILE = 'shootline.db';

/**
 * The composition root: owns the data dir, the database, the event hub and the API handlers.
 * Both shells build one of these, call `start()`, route calls through `call()` and forward
 * `events`, and call `stop()` on the way out.
 */
export class Engine {
  readonly events = new EventHub();
  readonly dataDir: string;
  readonly mediaRoot: string;
  private readonly options: EngineOptions;
  private db: Db | null = null;
  private handlers: ApiHandlers | null = null;
  private runner: QueueRunner | null = null;
  private ingest: IngestService | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  private releaseLock: (() => void) | null = null;

  constructor(options: EngineOptions) {
    this.options = options;
    this.dataDir = path.resolve(options.dataDir);
    this.mediaRoot = path.join(this.dataDir, 'media');
  }

  start(): void {
    if (this.db) return;
    const clock = this.options.clock ?? systemClock;
    const now = clock.now;
    fs.mkdirSync(this.mediaRoot, { recursive: true });
    this.releaseLock = acquireDataDirLock(this.dataDir);
    try {
      const db = openDatabase(path.join(this.dataDir, DATABASE_FILE));
      this.db = db;
      const schemaVersion = migrate(db, migrations, now);
      const providers = new Map((this.options.providers ?? []).map((provider) => [provider.id, provider]));
      if (loadSettings(db, this.options.log).startQueuePaused) {
        setPause(db, 'global', '', 'started paused (setting)', now());
      }
      const runner = new QueueRunner({
        db,
        providers: [...providers.values()],
        clock,
        log: this.options.log,
        workerId: `engine-${process.pid}-${randomUUID()}`,
        storeOutput: (job, output) => Promise.resolve(storeVariantOutput(this.mediaRoot, job, output)),
        onVariantStored: (variant) => this.events.emit('variant.updated', variant),
        onJobUpdated: (job) => {
          this.events.emit('job.updated', toJobView(job));
          this.scheduleStats();
        },
      });
      this.runner = runner;
      const ingest = new IngestService({
        db,
        clock,
        log: this.options.log,
        onShoot: (shoot) => this.events.emit('shoots.created', shoot),
        onAsset: ({ assetId, outcome }) => {
          const asset = getAsset(db, assetId);
          if (asset) this.events.emit(outcome === 'added' ? 'asset.added' : 'asset.updated', asset);
        },
      });
      this.ingest = ingest;
      this.handlers = createApiHandlers({
        db,
        events: this.events,
        log: this.options.log,
        now,
        info: { version: this.options.version, shell: this.options.shell, dataDir: this.dataDir, schemaVersion },
        queue: { db, runner, providers, events: this.events, now },
        ingest,
      });
      runner.start();
      ingest.start();
      this.options.log.info('engine.started', { dataDir: this.dataDir, schemaVersion });
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Every call from every shell comes through here: validated, and answered with an envelope. */
  call(method: unknown, args: unknown): Promise<Envelope<unknown>> {
    if (!this.handlers) {
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'The engine is not running.' } });
    }
    return dispatch(this.handlers, method, args, this.options.log);
  }

  resolveMedia(request: MediaRequest): string | null {
    const file = mediaFilePath(this.mediaRoot, request);
    return file && fs.existsSync(file) ? file : null;
  }

  async stop(): Promise<void> {
    if (!this.db) return;
    clearTimeout(this.statsTimer);
    await this.ingest?.stop();
    this.ingest = null;
    await this.runner?.stop();
    this.runner = null;
    this.close();
    this.options.log.info('engine.stopped');
  }

  /** Queue counts change with every job update; the UI gets them at most four times a second. */
  private scheduleStats(): void {
    if (this.statsTimer !== undefined || !this.db) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = undefined;
      if (this.db) this.events.emit('queue.stats', queueStats(this.db));
    }, 250);
    this.statsTimer.unref?.();
  }

  private close(): void {
    this.handlers = null;
    const db = this.db;
    this.db = null;
    try {
      if (db) checkpoint(db);
    } catch (error) {
      this.options.log.warn('engine.checkpoint_failed', { error });
    } finally {
      db?.close();
      this.releaseLock?.();
      this.releaseLock = null;
    }
  }
}
