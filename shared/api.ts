import { z } from 'zod';
import {
  AssetSchema,
  EngineInfoSchema,
  HotFolderOptionsSchema,
  HotFolderSchema,
  SettingsPatchSchema,
  SettingsSchema,
  ShootSchema,
  IngestProgressSchema,
} from './domain';
import {
  JobDetailSchema,
  JobSchema,
  JobStateSchema,
  PauseScopeSchema,
  PickSchema,
  QueueStatsSchema,
  RatingSchema,
  RecipeSchema,
  VariantSchema,
} from './jobs';
import { MASK_METHODS } from './api-masks';
import { AssetsCulledSchema, REVIEW_METHODS } from './api-review';
import { SHOOT_EVENTS, SHOOT_METHODS } from './api-shoots';
import { InputTargetSchema, ProvidedInputSchema } from './job-inputs';
import { BudgetViewSchema } from './budgets';
import { EXPORT_METHODS } from './api-exports';
import { RECIPE_RUN_METHODS } from './api-recipes';
import type { DesktopSettings, DesktopSettingsPatch, DesktopView, MenuCommand, UpdateCheck } from './desktop';
import { GARMENT_METHODS } from './api-garments';
import { WEBHOOK_METHODS } from './api-webhooks';
import { MEDIA_METHODS } from './api-media';
import { ParamsSchema } from './api-params';
import { ExportProgressSchema } from './exports';
import {
  AgentSettingsSchema,
  LedgerEntrySchema,
  ProviderCatalogSchema,
  ProviderTestResultSchema,
  ProviderViewSchema,
  StagingConfigureSchema,
  StagingViewSchema,
} from './providers';

const id = z.string().min(1).max(200);
const AccountFieldIdSchema = z
  .string()
  .max(30)
  .regex(/^[a-z][a-z0-9-]{0,29}$/, 'Not an account field of this provider.');
/** Most jobs one prompt makes in a shoot at once. */
export const MAX_IMAGES_PER_RUN = 20;

const RecipeFieldsSchema = z.object({
  name: z.string().trim().min(1, 'A recipe needs a name.').max(200),
  provider: id,
  operation: id,
  params: ParamsSchema,
});

const PauseTargetSchema = z
  .object({ scope: PauseScopeSchema, id: id.optional() })
  .strict()
  .refine((target) => (target.scope === 'global') === (target.id === undefined), {
    message: 'A provider or shoot pause names its id; a global pause names none.',
  });
import type { Envelope } from './errors';

/**
 * The one contract between the UI and the engine. Each method has a zod schema for its arguments
 * (validated in main, always) and one for its result (the source of the result's type). Each event
 * has a schema for its payload. The preload bridge, the IPC handlers, the WebSocket server and
 * client and the renderer's typed client are all derived from this table: adding a method is one
 * entry here plus its implementation in `main/engine/api.ts`.
 */

export const apiMethods = {
  'engine.info': {
    args: z.object({}).strict(),
    result: EngineInfoSchema,
  },
  'settings.get': {
    args: z.object({}).strict(),
    result: SettingsSchema,
  },
  'settings.set': {
    args: z.object({ patch: SettingsPatchSchema }).strict(),
    result: SettingsSchema,
  },

  'assets.list': {
    args: z
      .object({
        shootId: id,
        sort: z.enum(['name', 'captured', 'added']).default('name'),
        limit: z.number().int().min(1).max(1000).default(200),
        cursor: z.string().max(2000).optional(),
      })
      .strict(),
    result: z.object({ assets: z.array(AssetSchema), nextCursor: z.string().nullable() }),
  },
  'assets.get': { args: z.object({ id }).strict(), result: AssetSchema },
  'hotFolders.list': { args: z.object({}).strict(), result: z.array(HotFolderSchema) },
  /** What each folder holds: photos, still decoding, with problems, and the latest problem in words. */
  'hotFolders.status': {
    args: z.object({}).strict(),
    result: z.array(
      z.object({
        id: z.string(),
        photos: z.number().int(),
        pending: z.number().int(),
        problems: z.number().int(),
        lastProblem: z.string().nullable(),
        /** Files passed over because they are not regular files (a named pipe, a device, a socket). */
        skipped: z.number().int(),
        skippedFiles: z.array(z.object({ path: z.string(), reason: z.string() })),
        /** Subfolders whose shoots were deleted: ignored until restored. */
        ignoredFolders: z.array(z.object({ folder: z.string(), shootName: z.string() })),
      }),
    ),
  },
  'hotFolders.add': {
    args: HotFolderOptionsSchema.extend({ path: z.string().min(1).max(4096) }).strict(),
    result: HotFolderSchema,
  },
  'hotFolders.update': { args: HotFolderOptionsSchema.extend({ id }).strict(), result: HotFolderSchema },
  'hotFolders.remove': { args: z.object({ id }).strict(), result: z.object({ id: z.string() }) },
  /** "Rescan now": walks the folder off the engine's thread; the files seen, the photos newly missing. */
  'hotFolders.rescan': {
    args: z.object({ id }).strict(),
    result: z.object({ seen: z.number().int(), missing: z.number().int() }),
  },

  'jobs.list': {
    args: z
      .object({
        shootId: id.optional(),
        states: z.array(JobStateSchema).max(JobStateSchema.options.length).optional(),
        provider: id.optional(),
        limit: z.number().int().min(1).max(500).default(100),
        cursor: z.string().max(300).optional(),
      })
      .strict(),
    result: z.object({ jobs: z.array(JobSchema), nextCursor: z.string().nullable() }),
  },
  'jobs.get': { args: z.object({ id }).strict(), result: JobDetailSchema },
  'jobs.cancel': { args: z.object({ id }).strict(), result: JobSchema },
  'jobs.retry': { args: z.object({ id }).strict(), result: JobSchema },
  'jobs.resolveReview': {
    args: z.object({ id, action: z.enum(['resend', 'discard']) }).strict(),
    result: JobSchema,
  },
  'jobs.moveToTop': { args: z.object({ id }).strict(), result: JobSchema },
  /** A waiting job is given what it waits for: a garment, a mask, or the approval of its own spend. */
  'jobs.provideInput': {
    args: z.object({ id, input: ProvidedInputSchema }).strict(),
    result: JobSchema,
  },
  /**
   * Approves more spend for a shoot at a provider (or at every provider it waits at): `amount` in that
   * provider's unit, or by default what its waiting jobs need; those that now fit move on.
   */
  'jobs.approveBudget': {
    args: z
      .object({ shootId: id, provider: id.optional(), amount: z.number().positive().max(1e9).optional() })
      .strict()
      .refine((request) => request.amount === undefined || request.provider !== undefined, {
        message: 'An amount is in one provider’s unit: name the provider.',
        path: ['provider'],
      }),
    result: z.object({ released: z.number().int(), budgets: z.array(BudgetViewSchema) }),
  },
  /** A shoot's budgets, one per provider it has work or a budget at, each in that provider's unit. */
  'budgets.list': { args: z.object({ shootId: id }).strict(), result: z.array(BudgetViewSchema) },
  'budgets.set': {
    args: z
      .object({
        shootId: id,
        provider: id,
        cap: z.number().nonnegative().max(1e9).nullable().optional(),
        autoApprove: z.boolean().optional(),
      })
      .strict(),
    result: BudgetViewSchema,
  },
  'queue.pause': { args: PauseTargetSchema, result: QueueStatsSchema },
  'queue.resume': { args: PauseTargetSchema, result: QueueStatsSchema },
  'queue.stats': { args: z.object({}).strict(), result: QueueStatsSchema },

  'recipes.list': { args: z.object({}).strict(), result: z.array(RecipeSchema) },
  'recipes.create': { args: RecipeFieldsSchema.strict(), result: RecipeSchema },
  'recipes.update': { args: RecipeFieldsSchema.partial().extend({ id }).strict(), result: RecipeSchema },
  'recipes.delete': { args: z.object({ id }).strict(), result: z.object({ id: z.string() }) },
  ...RECIPE_RUN_METHODS,
  ...GARMENT_METHODS,
  ...WEBHOOK_METHODS,
  ...MEDIA_METHODS,

  /**
   * An operation on a whole shoot (an AIXpose listing video or publish from its approved variants),
   * or one that starts from nothing (a prompt makes images in the shoot).
   */
  'shoots.runOperation': {
    args: z
      .object({
        shootId: id,
        provider: id,
        operation: id,
        params: ParamsSchema.default({}),
        garment: InputTargetSchema.optional(),
        /** A picture that guides what is made (a product's shape), for an operation that takes one. */
        reference: InputTargetSchema.optional(),
        /** How many jobs to make (four product images are four requests); 1 by default. */
        count: z.number().int().min(1).max(MAX_IMAGES_PER_RUN).default(1),
        /** Approve the spend of these jobs beyond the shoot's budget now (the user read the cost). */
        approve: z.boolean().default(false),
      })
      .strict(),
    result: z.object({
      jobIds: z.array(z.string()),
      totalEstimate: z.number(),
      awaitingApproval: z.number().int(),
      awaitingInput: z.number().int(),
    }),
  },

  'variants.list': {
    args: z.object({ assetId: id.optional(), jobId: id.optional(), shootId: id.optional() }).strict(),
    result: z.array(VariantSchema),
  },
  'variants.update': {
    args: z
      .object({ id, pick: PickSchema.optional(), rating: RatingSchema.optional(), approved: z.boolean().optional() })
      .strict(),
    result: VariantSchema,
  },
  ...REVIEW_METHODS,
  ...SHOOT_METHODS,
  ...MASK_METHODS,

  'providers.list': { args: z.object({}).strict(), result: z.array(ProviderViewSchema) },
  'providers.setKey': {
    // The key goes to the engine only; answers carry its last 4 characters at most.
    // `field` names one of the provider's secret account fields ('key', its main API key, by default).
    args: z
      .object({ provider: id, field: AccountFieldIdSchema.default('key'), key: z.string().trim().min(4).max(4096) })
      .strict(),
    result: ProviderViewSchema,
  },
  'providers.removeKey': {
    args: z.object({ provider: id, field: AccountFieldIdSchema.default('key') }).strict(),
    result: ProviderViewSchema,
  },
  'providers.configure': {
    args: z
      .object({
        provider: id,
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .nullable()
          .optional(),
        concurrency: z.number().int().min(1).max(16).optional(),
        /** The provider's plain (not secret) account fields, by field id; null clears one. */
        fields: z.record(AccountFieldIdSchema, z.string().trim().max(500).nullable()).optional(),
      })
      .strict(),
    result: ProviderViewSchema,
  },
  'providers.test': { args: z.object({ provider: id }).strict(), result: ProviderTestResultSchema },
  /** The provider's catalog (models, actions, quick actions…); cached, fetched again with `refresh`. */
  'providers.catalog': {
    args: z.object({ provider: id, refresh: z.boolean().optional() }).strict(),
    result: ProviderCatalogSchema,
  },
  'providers.agent': { args: z.object({ provider: id }).strict(), result: AgentSettingsSchema },
  'providers.updateAgent': {
    args: z.object({ provider: id, enabled: z.boolean().optional(), autoApply: z.boolean().optional() }).strict(),
    result: AgentSettingsSchema,
  },
  /** What one photo would cost with these settings (checked against the operation's schema). */
  'providers.estimate': {
    args: z.object({ provider: id, operation: id, params: ParamsSchema.default({}) }).strict(),
    result: z.object({
      credits: z.number(),
      durationMs: z.number().nullable(),
      /** The price is not in the provider's price list: `credits` is the dearest known, an upper guess. */
      uncertain: z.boolean(),
    }),
  },
  'providers.ledger': { args: z.object({ provider: id }).strict(), result: z.array(LedgerEntrySchema) },
  ...EXPORT_METHODS,
  'staging.get': { args: z.object({}).strict(), result: StagingViewSchema },
  'staging.configure': { args: StagingConfigureSchema, result: StagingViewSchema },
  'staging.clear': { args: z.object({}).strict(), result: StagingViewSchema },
  'staging.test': { args: z.object({}).strict(), result: ProviderTestResultSchema },
} as const;

export const apiEvents = {
  'shoots.created': ShootSchema,
  ...SHOOT_EVENTS,
  'settings.changed': SettingsSchema,
  'job.updated': JobSchema,
  'queue.stats': QueueStatsSchema,
  'variant.updated': VariantSchema,
  'asset.added': AssetSchema,
  'asset.updated': AssetSchema,
  'assets.culled': AssetsCulledSchema,
  'ingest.progress': IngestProgressSchema,
  'export.progress': ExportProgressSchema,
} as const;

export type MethodName = keyof typeof apiMethods;
export type EventName = keyof typeof apiEvents;
/** What a caller passes (before defaults and trimming are applied). */
export type MethodArgs<M extends MethodName> = z.input<(typeof apiMethods)[M]['args']>;
/** What the implementation receives (after validation). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof apiMethods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof apiMethods)[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof apiEvents)[E]>;

export const methodNames = Object.keys(apiMethods) as MethodName[];
export const eventNames = Object.keys(apiEvents) as EventName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(apiMethods, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(apiEvents, value);
}

/**
 * What the UI sees of the engine, whatever the shell: `window.shootline` in Electron, a WebSocket
 * client in a browser. Calls never throw for expected failures; they resolve to an envelope.
 */
export interface ShootlineBridge {
  invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** What only the desktop shell can do (absent in a browser). */
  desktop?: DesktopShell;
}

export interface DesktopShell {
  /** The native folder picker; null when the user cancels. */
  pickFolder: () => Promise<string | null>;
  /** Opens the system file manager with this file (or folder) selected: "Show in folder". */
  showItemInFolder: (file: string) => Promise<void>;
  /** The path on disk of a file or folder dropped onto the window ('' when it has none). */
  pathForFile: (file: DroppedFile) => string;
  /** Tells the shell where the page is, so the app reopens there. */
  rememberView: (view: DesktopView) => void;
  /** Tells the shell the network came back (providers are probed at once) or went (the tray says offline). */
  reportNetwork: (online: boolean) => void;
  /** A menu item was chosen: run its command as if its key were pressed. Returns the unsubscribe. */
  onMenuCommand: (listener: (command: MenuCommand) => void) => () => void;
  /** The shell asks the page to go somewhere (a notification or the tray). Returns the unsubscribe. */
  onNavigate: (listener: (view: DesktopView) => void) => () => void;
  /** The desktop app's own preferences (tray, notifications, start at login, updates, crash reports). */
  desktopSettings: () => Promise<DesktopSettings>;
  /** Changes some of them; refused with a message when a value is not acceptable. */
  updateDesktopSettings: (patch: DesktopSettingsPatch) => Promise<Envelope<DesktopSettings>>;
  /** Checks for an update now (it is offered in a dialog); says what it found. */
  checkForUpdates: () => Promise<UpdateCheck>;
}

/** A dropped File as the shared layer sees it (no DOM types here). */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

/** The engine side: one implementation per method. */
export type ApiHandlers = {
  [M in MethodName]: (args: ParsedArgs<M>) => Promise<MethodResult<M>> | MethodResult<M>;
};

/** How the engine announces events to whichever shell is listening. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** IPC channel names, derived from the table; no other file spells a channel. */
export const ipcChannel = {
  method: (method: MethodName): string => `shootline:call:${method}`,
  event: (event: EventName): string => `shootline:event:${event}`,
  pickFolder: 'shootline:desktop:pickFolder',
  showItemInFolder: 'shootline:desktop:showItemInFolder',
  desktopSettings: 'shootline:desktop:settings',
  updateDesktopSettings: 'shootline:desktop:updateSettings',
  checkForUpdates: 'shootline:desktop:checkForUpdates',
  /** Page → main: where the page is now (kept as the view to reopen). */
  rememberView: 'shootline:desktop:rememberView',
  /** Page → main: the browser says the network came or went (the main process has no such event). */
  network: 'shootline:desktop:network',
  /** Main → page: a menu item was clicked; the page runs the command as if its key were pressed. */
  menuCommand: 'shootline:desktop:menuCommand',
  /** Main → page: go to this view (a notification or the tray was clicked). */
  navigate: 'shootline:desktop:navigate',
};
