import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../shared/errors';
import { createApiHandlers } from './api';
import { openLibrary } from './db/library';
import { loadSettings } from './db/settings-service';
import { prepareDataDir } from './data-dir-permissions';
import { resolveEngineOptions, type EngineOptions, type EngineSetup } from './engine-options';
import { EventHub } from './events';
import { creditsOf } from './export/export-metadata';
import { ExportService } from './export/export-service';
import { Imaging } from './imaging/imaging';
import { IngestPipeline } from './ingest/ingest-pipeline';
import { Lifecycle } from './lifecycle';
import type { MediaRequest, ResolvedMedia } from './media';
import { LibraryMedia, NO_MEDIA, type MediaResolver } from './media-api';
import { resolveBaseUrl } from './queue/base-url';
import { toJobView } from './queue/job-view';
import { effectLookup } from './providers/operation-effect';
import { WebhookReceiver } from './queue/webhook-receiver';
import { createWebhooksApi } from './providers/webhooks-api';
import { refreshPriceList } from './queue/provider-catalog';
import { forgetAllRefusedOperations } from './db/provider-accounts-repo';
import { bindStoredKeys, boundAccount } from './queue/key-binding';
import { OutputStore } from './queue/output-store';
import { createProviderInputs } from './queue/provider-inputs';
import { QueueStatsPublisher } from './queue/queue-stats';
import { QueueRunner } from './queue/runner';
import { pauseIfSetToStartPaused } from './queue/start-paused';
import { Dispatcher, NOT_RUNNING, type CallTarget } from './rpc';
import { StagingService } from './staging/staging-service';

export type { EngineOptions } from './engine-options';
export { DATABASE_FILE } from './db/library';

/** What the shells reach while the engine runs; a stopped engine answers with `NOT_RUNNING` and `NO_MEDIA`. */
interface Surface {
  calls: CallTarget;
  media: MediaResolver;
  ingestIdle: () => Promise<void>;
  webhooks: Pick<WebhookReceiver, 'receive'>;
  probeUnreachable: () => void;
}

const NOT_LISTENING: Pick<WebhookReceiver, 'receive'> = {
  receive: () => Promise.resolve({ status: 404, message: 'The engine is not running.' }),
};

const STOPPED: Surface = {
  calls: NOT_RUNNING,
  media: NO_MEDIA,
  ingestIdle: () => Promise.resolve(),
  webhooks: NOT_LISTENING,
  probeUnreachable: () => undefined,
};

/**
 * The composition root, and nothing else: it builds each service, hands it what it needs, and
 * starts and stops them in order (see Lifecycle). Every decision lives in a service; lint holds
 * this file to complexity 1. Both shells build one of these, call `start()`, route calls through
 * `call()`, forward `events`, and call `stop()` on the way out.
 */
export class Engine {
  readonly events = new EventHub();
  readonly dataDir: string;
  readonly mediaRoot: string;
  private readonly setup: EngineSetup;
  private readonly lifecycle: Lifecycle;
  private surface: Surface = STOPPED;

  constructor(options: EngineOptions) {
    this.setup = resolveEngineOptions(options);
    this.dataDir = this.setup.dataDir;
    this.mediaRoot = this.setup.folders.media;
    this.lifecycle = new Lifecycle(options.log);
  }

  start(): void {
    this.lifecycle.start(() => this.build());
  }

  async stop(): Promise<void> {
    await this.lifecycle.stop();
  }

  /** Every call from every shell comes through here: validated, and answered with an envelope. */
  call(method: unknown, args: unknown): Promise<Envelope<unknown>> {
    return this.surface.calls.call(method, args);
  }

  /** The file behind a media id (see media-api.ts), or null. */
  resolveMedia(request: MediaRequest): Promise<ResolvedMedia | null> {
    return this.surface.media.resolve(request);
  }

  /** A provider's webhook delivery (the headless server's webhook route; the desktop polls instead). */
  receiveWebhook(provider: string, headers: Record<string, string | string[] | undefined>, body: Uint8Array) {
    return this.surface.webhooks.receive(provider, headers, body);
  }

  /**
   * The network may be back (the desktop shell: the machine woke up, or the page saw `online`):
   * providers the queue could not reach are probed at once instead of waiting out their back-off.
   */
  probeUnreachableNow(): void {
    this.surface.probeUnreachable();
  }

  /** Resolves when ingest has taken every settled file and decoded every photo it took (tests, benchmarks). */
  ingestIdle(): Promise<void> {
    return this.surface.ingestIdle();
  }

  private build(): void {
    const { setup, lifecycle, events } = this;
    const { log, clock, folders, providers, secrets } = setup;
    const own = lifecycle.own.bind(lifecycle);
    // Stopped last: the log says so once everything else has.
    own('log', log, (logger) => logger.info('engine.stopped'));
    prepareDataDir(setup.dataDir, [folders.media, folders.temp]);
    const library = own('library', openLibrary(setup.dataDir, clock.now, log), (opened) => opened.close());
    const { db } = library;
    const imaging = own('imaging', new Imaging(folders.temp), (tools) => tools.end());
    pauseIfSetToStartPaused(db, log, clock.now());
    const staging = new StagingService(db, secrets, setup.resolveHost);
    own('staging cleanup', staging.releaseWhenJobsEnd(events, log), (stop) => stop());
    const stats = own('queue stats', new QueueStatsPublisher(db, events, () => runner.reachability()), (publisher) =>
      publisher.stop(),
    );
    const runner: QueueRunner = own(
      'queue',
      new QueueRunner({
        db,
        providers: [...providers.values()],
        clock,
        log,
        workerId: `engine-${process.pid}-${randomUUID()}`,
        inputs: createProviderInputs(db, imaging.decoder, folders.media),
        account: (provider) => boundAccount(db, secrets, provider, process.env),
        baseUrl: (provider) => resolveBaseUrl(db, provider, process.env),
        stage: (jobId) => staging.stageFunction(jobId),
        resolve: setup.resolveHost,
        outputs: new OutputStore({
          db,
          mediaRoot: folders.media,
          log,
          carryMetadata: (source, output) => imaging.carrier.carry(source, output),
        }),
        downloadsDir: folders.downloads,
        hooks: setup.hooks.queue,
        onVariantStored: (variant) => events.emit('variant.updated', variant),
        onJobUpdated: (job) => {
          events.emit('job.updated', toJobView(job));
          stats.schedule();
        },
      }),
      (queue) => queue.stop(),
    );
    // A restart may come with another key (an environment variable changed): what the old one was
    // refused is learnt again if still refused, with nothing charged (a scope is refused before any
    // charge).
    forgetAllRefusedOperations(db);
    // Keys stored before keys were bound to an address are bound once, to where they were used.
    bindStoredKeys(db, secrets, providers.values(), clock.now()).catch((error: unknown) =>
      log.warn('providers.bind_keys_failed', { error }),
    );
    const ingest = own(
      'ingest',
      new IngestPipeline({
        db,
        clock,
        log,
        events,
        decoder: imaging.decoder,
        derivatives: { root: folders.derivatives, capBytes: setup.derivativeCacheBytes },
        stabilityMs: setup.stabilityMs,
        onHashed: setup.hooks.onHashed,
        queue: { runner, providers },
      }),
      (pipeline) => pipeline.stop(),
    );
    const exports = own(
      'exports',
      new ExportService({
        db,
        dataDir: setup.dataDir,
        mediaRoot: folders.media,
        log,
        now: clock.now,
        credits: () => creditsOf(loadSettings(db, log)),
        previewOf: (assetId) => ingest.derivative(assetId, 'preview'),
        effectOf: effectLookup(providers),
        onProgress: (progress) => events.emit('export.progress', progress),
        events,
      }),
      (service) => service.stop(),
    );
    const webhookAdmin = createWebhooksApi({
      db,
      providers,
      secrets,
      runner,
      log,
      now: clock.now,
      env: process.env,
      publicUrl: setup.webhookUrl,
    });
    own('webhook registrations', webhookAdmin, (admin) => admin.close());
    const registerWebhooks = (only?: string): void => {
      void webhookAdmin.registerOwn(only).catch((error: unknown) => log.warn('webhooks.register_failed', { error }));
    };
    /**
     * A key was set: its provider's price list is read at once (estimates need it), and its
     * webhook registered where the server has a public address.
     */
    const afterKeySet = (providerId: string): void => {
      registerWebhooks(providerId);
      refreshPriceList(
        providers.get(providerId),
        () => handlers['providers.catalog']({ provider: providerId, refresh: true }),
        log,
      );
    };
    const { registerOwn: _registerOwn, close: _close, ...webhookMethods } = webhookAdmin;
    const handlers = createApiHandlers({
      db,
      events,
      log,
      now: clock.now,
      info: {
        version: setup.version,
        shell: setup.shell,
        dataDir: setup.dataDir,
        schemaVersion: library.schemaVersion,
      },
      queue: {
        db,
        runner,
        providers,
        events,
        now: clock.now,
        previewOf: (assetId) => ingest.derivative(assetId, 'preview'),
      },
      ingest: ingest.watcher,
      providers: { db, providers, secrets, runner, now: clock.now, env: process.env, afterKeySet },
      webhooks: webhookMethods,
      staging,
      exports,
      mediaRoot: folders.media,
    });
    const webhooks = new WebhookReceiver({
      db,
      providers,
      account: (provider) => boundAccount(db, secrets, provider, process.env),
      tell: (jobId, news) => runner.tell(jobId, news),
      now: clock.now,
      log,
      afterHeard: setup.hooks.afterWebhookHeard,
    });
    this.surface = own(
      'surface',
      {
        calls: new Dispatcher(handlers, log, setup.testMethods),
        media: new LibraryMedia(db, folders.media, (assetId, kind) => ingest.derivative(assetId, kind)),
        ingestIdle: () => ingest.idle(),
        webhooks,
        probeUnreachable: () => runner.probeUnreachableNow(),
      },
      () => {
        this.surface = STOPPED;
      },
    );
    runner.start();
    webhooks.retell();
    registerWebhooks();
    // A price list older than a day (or never read: a key from the environment) is read again now.
    [...providers.values()].forEach((provider) =>
      refreshPriceList(provider, () => handlers['providers.catalog']({ provider: provider.id }), log),
    );
    exports.resumeUnfinished();
    ingest.start();
    log.info('engine.started', { dataDir: setup.dataDir, schemaVersion: library.schemaVersion });
  }
}
