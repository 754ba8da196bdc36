import type { ApiHandlers } from '../../shared/api';
import type { Db } from './db/connection';
import type { EventHub } from './events';
import type { Logger } from './log';
import { createAssetsApi } from './ingest/assets-api';
import { createHotFolderApi, type HotFolderApiContext } from './ingest/hot-folder-api';
import { createQueueApi, type QueueApiContext } from './queue/queue-api';
import { createProvidersApi, type ProvidersApiContext } from './providers/providers-api';
import type { StagingService } from './staging/staging-service';
import { createExportApi } from './export/export-api';
import type { ExportService } from './export/export-service';
import { loadSettings, saveSettings } from './db/settings-service';
import { createShootsApi } from './shoots-api';
import { createDescriptionsApi } from './queue/descriptions-api';
import { createVideoInfoApi } from './queue/video-info-api';

export interface ApiContext {
  db: Db;
  events: EventHub;
  log: Logger;
  now: () => number;
  info: { version: string; shell: 'electron' | 'headless'; dataDir: string; schemaVersion: number };
  queue: QueueApiContext;
  ingest: HotFolderApiContext['watcher'];
  providers: ProvidersApiContext;
  staging: StagingService;
  exports: ExportService;
  /** Where variants' files are. */
  mediaRoot: string;
  /** Providers' webhooks, managed through their APIs (built by the engine, which registers its own at start). */
  webhooks: Pick<ApiHandlers, 'webhooks.list' | 'webhooks.register' | 'webhooks.update' | 'webhooks.remove'>;
}

/** The engine's implementation of every method in `shared/api.ts`. Arguments arrive validated. */
export function createApiHandlers(context: ApiContext): ApiHandlers {
  const { db, events, log, now } = context;
  const queueApi = createQueueApi(context.queue);
  return {
    ...queueApi,
    ...createShootsApi({
      db,
      events,
      log,
      now,
      providers: context.queue.providers,
      mediaRoot: context.mediaRoot,
      cancelJob: (id) => void queueApi['jobs.cancel']({ id }),
      rescan: (folder, subfolder) => context.ingest.rescanRestored(folder, subfolder),
    }),
    ...createAssetsApi(db, context.queue.previewOf),
    ...createDescriptionsApi({ db, events, log, now, mediaRoot: context.mediaRoot }),
    ...createVideoInfoApi(db, context.mediaRoot),
    ...createProvidersApi(context.providers),
    ...context.webhooks,
    ...createExportApi({ db, exports: context.exports, now }),
    'staging.get': () => context.staging.view(),
    'staging.configure': (settings) => context.staging.configure(settings, now()),
    'staging.clear': () => context.staging.clear(),
    'staging.test': () => context.staging.test(),
    ...createHotFolderApi({ db, dataDir: context.info.dataDir, now, watcher: context.ingest }),
    'engine.info': () => ({ ...context.info }),

    'settings.get': () => loadSettings(db, log),

    'settings.set': ({ patch }) => {
      saveSettings(db, patch, now);
      const settings = loadSettings(db, log);
      events.emit('settings.changed', settings);
      return settings;
    },
  };
}
