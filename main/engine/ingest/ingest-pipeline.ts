import type { Db } from '../db/connection';
import { getAsset } from '../db/assets-repo';
import type { Clock } from '../clock';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import { DerivativeCache, type DerivativeKind } from '../imaging/derivative-cache';
import type { PhotoDecoder } from '../imaging/decode';
import type { ProviderModule } from '../providers/contract';
import { enqueueDefaultRecipe } from '../queue/enqueue';
import { toJobView } from '../queue/job-view';
import type { QueueRunner } from '../queue/runner';
import { IngestService } from './ingest-service';
import { PhotoProcessor } from './photo-processor';

export interface IngestPipelineOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  events: EventHub;
  decoder: PhotoDecoder;
  /** The thumbnail and preview cache's folder and size cap (default 2 GiB). */
  derivatives: { root: string; capBytes?: number };
  /** How long a file's size and mtime must hold before it is taken (default 2 s). */
  stabilityMs?: number;
  /** Test seam: a file was hashed (the watcher saw it settle and took it). */
  onHashed?: (file: string) => void;
  /** Where a hot folder's default recipe is queued once a photo is decoded. */
  queue: { runner: QueueRunner; providers: ReadonlyMap<string, ProviderModule> };
}

/**
 * The whole way of a photo into the library: the watcher records a settled file (IngestService),
 * the processor decodes it and makes its thumbnail and preview (PhotoProcessor), and then the hot
 * folder's default recipe, if it has one, is queued for it. Each step tells the UI as it happens.
 */
export class IngestPipeline {
  readonly watcher: IngestService;
  private readonly processor: PhotoProcessor;

  constructor(private readonly options: IngestPipelineOptions) {
    const { db, clock, log, events } = options;
    this.processor = new PhotoProcessor({
      db,
      clock,
      log,
      decoder: options.decoder,
      cache: new DerivativeCache({
        db,
        clock,
        root: options.derivatives.root,
        capBytes: options.derivatives.capBytes,
      }),
      onAssetChanged: (assetId) => this.announce(assetId, 'asset.updated'),
      onReady: (assetId) => this.runDefaultRecipe(assetId),
      onProgress: (progress) => events.emit('ingest.progress', progress),
    });
    this.watcher = new IngestService({
      db,
      clock,
      log,
      stabilityMs: options.stabilityMs,
      onHashed: options.onHashed,
      onShoot: (shoot) => events.emit('shoots.created', shoot),
      onAsset: ({ assetId, outcome }) => {
        const added = outcome === 'added' || outcome === 'duplicate';
        const asset = this.announce(assetId, added ? 'asset.added' : 'asset.updated');
        if (asset?.state === 'pending') this.processor.enqueue(assetId);
      },
      onSidecar: (assetIds) => {
        for (const assetId of assetIds) this.announce(assetId, 'asset.updated');
      },
    });
  }

  start(): void {
    this.processor.start();
    this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.processor.stop();
  }

  /** Resolves when every settled file is taken and every photo taken is decoded (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.watcher.idle();
    await this.processor.idle();
    await this.watcher.idle();
  }

  /** A photo's thumbnail or preview file, made again if the cache evicted it; null if it cannot be made. */
  async derivative(assetId: string, kind: DerivativeKind): Promise<string | null> {
    return (await this.processor.derivative(assetId, kind)) ?? null;
  }

  private announce(assetId: string, event: 'asset.added' | 'asset.updated') {
    const asset = getAsset(this.options.db, assetId);
    if (asset) this.options.events.emit(event, asset);
    return asset;
  }

  private runDefaultRecipe(assetId: string): void {
    const { db, clock, log, events, queue } = this.options;
    try {
      const job = enqueueDefaultRecipe(db, queue.providers, assetId, clock.now());
      if (!job) return;
      events.emit('job.updated', toJobView(job));
      queue.runner.wake();
    } catch (error) {
      // The photo stays ingested; the user sees the recipe problem in the log and can run it by hand.
      log.warn('ingest.default_recipe_failed', { assetId, error });
    }
  }
}
