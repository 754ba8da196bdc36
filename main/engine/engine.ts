import { isTerminal } from '../../shared/job-model';
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
import { isInside, originalMimeType, type MediaRequest, type ResolvedMedia } from './media';
import { setPause } from './db/pauses-repo';
import type { ProviderModule } from './providers/contract';
import { systemClock, type Clock } from './clock';
import { queueStats, toJobView } from './queue/queue-api';
import { QueueRunner } from './queue/runner';
import { dispatch, type ExtraMethods } from './rpc';
import { secureDataDir } from './data-dir-permissions';
import { getAsset } from './db/assets-repo';
import { assetSource } from './db/ingest-repo';
import { variantMediaType } from './db/variants-repo';
import { PhotoDecoder } from './imaging/decode';
import { DerivativeCache, DERIVATIVE_SPECS } from './imaging/derivative-cache';
import { HeicDecoder } from './imaging/heic';
import { MetadataCarrier } from './imaging/carry-metadata';
import { isTiffBasedRaw, RawPreviewExtractor } from './imaging/raw-preview';
import { PhotoProcessor } from './ingest/photo-processor';
import { enqueueDefaultRecipe } from './queue/enqueue';
import { createProviderInputs } from './queue/provider-inputs';
import { autoExport } from './export/auto-export';
import { ExportService } from './export/export-service';
import { resolveBaseUrl } from './queue/base-url';
import { createLocalProvider } from './providers/local';
import { createProductaiProvider } from './providers/productai';
import { createAixposeProvider } from './providers/aixpose';
import { FileSecretStore } from './secrets/file-secret-store';
import { StagingService } from './staging/staging-service';
import type { SecretStore } from './secrets/secret-store';
import type { HostResolver } from './net/network';
import { bindStoredKeys, boundKey } from './queue/key-binding';
import { IngestService } from './ingest/ingest-service';
import { OutputStore, variantFilePath } from './queue/output-store';
import type { Variant } from '../../shared/jobs';
import { loadSettings } from './db/settings-service';

export interface EngineOptions {
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  log: Logger;
  /** Injected so tests can run the engine, the queue included, on their own clock. */
  clock?: Clock;
  /** The generation providers the queue can use (the local one and the cloud APIs, as they land). */
  providers?: readonly ProviderModule[];
  /** Size cap of the thumbnail and preview cache in bytes (default 2 GiB). */
  derivativeCacheBytes?: number;
  /** How long a file's size and mtime must hold before it is taken (default 2 s). */
  stabilityMs?: number;
  /** Where API keys are kept; by default files in the data dir (and the environment). Electron passes safeStorage's. */
  secrets?: SecretStore;
  /** How provider and staging host names become addresses (the system's DNS unless injected). */
  resolveHost?: HostResolver;
  /** Methods outside the contract, for tests only; no shell passes any. */
  testMethods?: ExtraMethods;
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
  private processor: PhotoProcessor | null = null;
  private exports: ExportService | null = null;
  private stopAutoExport: (() => void) | null = null;
  private heic: HeicDecoder | null = null;
  private raw: RawPreviewExtractor | null = null;
  private carrier: MetadataCarrier | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  private releaseLock: (() => void) | null = null;
  private readonly secrets: SecretStore;

  constructor(options: EngineOptions) {
    this.options = options;
    this.dataDir = path.resolve(options.dataDir);
    this.mediaRoot = path.join(this.dataDir, 'media');
    this.secrets = options.secrets ?? new FileSecretStore(this.dataDir, options.log);
  }

  start(): void {
    if (this.db) return;
    const clock = this.options.clock ?? systemClock;
    const now = clock.now;
    secureDataDir(this.dataDir);
    fs.mkdirSync(this.mediaRoot, { recursive: true });
    this.releaseLock = acquireDataDirLock(this.dataDir);
    try {
      const db = openDatabase(path.join(this.dataDir, DATABASE_FILE));
      this.db = db;
      const schemaVersion = migrate(db, migrations, now);
      const heic = new HeicDecoder();
      const raw = new RawPreviewExtractor();
      this.heic = heic;
      this.raw = raw;
      const tempDir = path.join(this.dataDir, 'tmp');
      fs.mkdirSync(tempDir, { recursive: true });
      const decoder = new PhotoDecoder({
        heic,
        raw,
        tempDir,
        isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
      });
      // The local provider is always there: a new user gets results with no key and no network.
      const local = createLocalProvider({ workDir: path.join(this.dataDir, 'local-work') });
      // The cloud providers are always listed (set a key to use them); tests may replace any of them by id.
      const cloud = [createAixposeProvider(), createProductaiProvider()];
      const providers = new Map(
        [local, ...cloud, ...(this.options.providers ?? [])].map((provider) => [provider.id, provider]),
      );
      if (loadSettings(db, this.options.log).startQueuePaused) {
        setPause(db, 'global', '', 'started paused (setting)', now());
      }
      const staging = new StagingService(db, this.secrets, this.options.resolveHost);
      const carrier = new MetadataCarrier();
      this.carrier = carrier;
      const runner = new QueueRunner({
        db,
        providers: [...providers.values()],
        clock,
        log: this.options.log,
        workerId: `engine-${process.pid}-${randomUUID()}`,
        inputs: createProviderInputs(db, decoder, this.mediaRoot),
        apiKey: (provider) => boundKey(db, this.secrets, provider, process.env),
        baseUrl: (provider) => resolveBaseUrl(db, provider, process.env),
        stage: (jobId) => staging.stageFunction(jobId),
        resolve: this.options.resolveHost,
        outputs: new OutputStore({
          db,
          mediaRoot: this.mediaRoot,
          log: this.options.log,
          carryMetadata: (source, output) => carrier.carry(source, output),
        }),
        downloadsDir: path.join(this.dataDir, 'tmp', 'downloads'),
        onVariantStored: (variant) => this.events.emit('variant.updated', variant),
        onJobUpdated: (job) => {
          this.events.emit('job.updated', toJobView(job));
          if (isTerminal(job.state)) {
            staging
              .releaseForJob(job.id)
              .catch((error: unknown) => this.options.log.warn('staging.cleanup_failed', { jobId: job.id, error }));
          }
          this.scheduleStats();
        },
      });
      this.runner = runner;
      // Keys stored before keys were bound to an address are bound once, to where they were used.
      bindStoredKeys(db, this.secrets, providers.values(), now()).catch((error: unknown) =>
        this.options.log.warn('providers.bind_keys_failed', { error }),
      );
      const processor = new PhotoProcessor({
        db,
        clock,
        log: this.options.log,
        decoder,
        cache: new DerivativeCache({
          db,
          clock,
          root: path.join(this.dataDir, 'cache', 'derivatives'),
          capBytes: this.options.derivativeCacheBytes,
        }),
        onAssetChanged: (assetId) => {
          const asset = getAsset(db, assetId);
          if (asset) this.events.emit('asset.updated', asset);
        },
        onReady: (assetId) => this.runDefaultRecipe(db, providers, runner, assetId),
        onProgress: (progress) => this.events.emit('ingest.progress', progress),
      });
      this.processor = processor;
      const ingest = new IngestService({
        db,
        clock,
        log: this.options.log,
        stabilityMs: this.options.stabilityMs,
        onShoot: (shoot) => this.events.emit('shoots.created', shoot),
        onAsset: ({ assetId, outcome }) => {
          const asset = getAsset(db, assetId);
          if (!asset) return;
          this.events.emit(outcome === 'added' ? 'asset.added' : 'asset.updated', asset);
          if (asset.state === 'pending') processor.enqueue(assetId);
        },
        onSidecar: (assetIds) => {
          for (const assetId of assetIds) {
            const asset = getAsset(db, assetId);
            if (asset) this.events.emit('asset.updated', asset);
          }
        },
      });
      this.ingest = ingest;
      const exports = new ExportService({
        db,
        dataDir: this.dataDir,
        mediaRoot: this.mediaRoot,
        log: this.options.log,
        now,
        credits: () => {
          const settings = loadSettings(db, this.options.log);
          return {
            creator: settings.creator || undefined,
            copyright: settings.copyright || undefined,
            contact: { email: settings.contactEmail || undefined, url: settings.contactUrl || undefined },
          };
        },
        previewOf: async (assetId) => (await processor.derivative(assetId, 'preview')) ?? null,
        onProgress: (progress) => this.events.emit('export.progress', progress),
      });
      this.exports = exports;
      // A hot folder with an export preset exports each variant once it is approved, by itself.
      this.stopAutoExport = this.events.listen((event, payload) => {
        if (event !== 'variant.updated') return;
        const variant = payload as Variant;
        if (!variant.approved || !variant.assetId) return;
        try {
          autoExport(db, exports, variant);
        } catch (error) {
          this.options.log.warn('export.auto_failed', { variantId: variant.id, error });
        }
      });
      this.handlers = createApiHandlers({
        db,
        events: this.events,
        log: this.options.log,
        now,
        info: { version: this.options.version, shell: this.options.shell, dataDir: this.dataDir, schemaVersion },
        queue: { db, runner, providers, events: this.events, now },
        ingest,
        providers: { db, providers, secrets: this.secrets, runner, now, env: process.env },
        staging,
        exports,
      });
      runner.start();
      exports.resumeUnfinished();
      processor.start();
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
    return dispatch(this.handlers, method, args, this.options.log, this.options.testMethods);
  }

  /**
   * The file behind a media id: an asset's thumbnail or preview (made again if the cache evicted
   * it), its original inside its hot folder, or a variant's output inside the media root.
   */
  async resolveMedia(request: MediaRequest): Promise<ResolvedMedia | null> {
    const db = this.db;
    if (!db) return null;
    if (request.kind === 'variant') {
      const mimeType = variantMediaType(db, request.id);
      if (!mimeType) return null;
      const file = variantFilePath(this.mediaRoot, request.id, mimeType);
      return isInside(this.mediaRoot, file) && fs.existsSync(file) ? { file, mimeType, etag: request.id } : null;
    }
    const source = assetSource(db, request.id);
    if (!source) return null;
    if (request.kind === 'original') {
      const { file, folderPath } = source;
      // Only what ingest recognised as a picture by its content: a hot folder may hold anything.
      if (source.format === null) return null;
      if (!file || !folderPath || !isInside(folderPath, file) || !fs.existsSync(file)) return null;
      return { file, mimeType: originalMimeType(source.format), etag: source.contentHash };
    }
    const file = await this.processor?.derivative(request.id, request.kind);
    if (!file) return null;
    return { file, mimeType: DERIVATIVE_SPECS[request.kind].mimeType, etag: `${source.contentHash}-${request.kind}` };
  }

  /** Resolves when ingest has taken every settled file and decoded every photo it took (tests, benchmarks). */
  async ingestIdle(): Promise<void> {
    await this.ingest?.idle();
    await this.processor?.idle();
    await this.ingest?.idle();
  }

  private runDefaultRecipe(
    db: Db,
    providers: ReadonlyMap<string, ProviderModule>,
    runner: QueueRunner,
    assetId: string,
  ): void {
    try {
      const job = enqueueDefaultRecipe(db, providers, assetId, (this.options.clock ?? systemClock).now());
      if (!job) return;
      this.events.emit('job.updated', toJobView(job));
      runner.wake();
    } catch (error) {
      // The photo stays ingested; the user sees the recipe problem in the log and can run it by hand.
      this.options.log.warn('ingest.default_recipe_failed', { assetId, error });
    }
  }

  async stop(): Promise<void> {
    if (!this.db) return;
    clearTimeout(this.statsTimer);
    await this.ingest?.stop();
    this.ingest = null;
    await this.processor?.stop();
    this.processor = null;
    await this.heic?.close();
    this.heic = null;
    await this.raw?.end();
    this.raw = null;
    await this.carrier?.end();
    this.carrier = null;
    await this.runner?.stop();
    this.runner = null;
    this.stopAutoExport?.();
    this.stopAutoExport = null;
    await this.exports?.stop();
    this.exports = null;
    this.close();
    this.options.log.info('engine.stopped');
  }

  /** Queue counts change with every job update; the UI gets them at most four times a second. */
  private scheduleStats(): void {
    if (this.statsTimer !== undefined || !this.db) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = undefined;
      if (this.db) this.events.emit('queue.stats', queueStats(this.db, this.runner?.reachability()));
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
