import type { Sharp } from 'sharp';
import type { z } from 'zod';
import type { PhotoMetadata } from '../imaging/metadata';
import type { InputRef, JobInputs, MaskRef } from '../../../shared/job-inputs';
import type { MaskPurpose } from '../../../shared/mask';
import type { OperationEffect } from '../../../shared/operation-effects';
import type { AccountField, CostUnit } from '../../../shared/providers';
import type { HttpRequest, HttpResponse } from '../net/http';
import type { RemoteJob } from '../remote-job';
import type { ReconcileContext, ReconcileOutcome, WebhookAdmin, WebhookSpec } from './contract-remote-work';

export type { RemoteJob, RemoteJobData } from '../remote-job';
export type {
  ReconcileContext,
  ReconcileOutcome,
  RegisteredWebhook,
  WebhookAdmin,
  WebhookSpec,
} from './contract-remote-work';

/**
 * What every provider module implements, the local one included. The queue drives these; the UI
 * is built from `operations` (schemas and hints). A provider never touches the database: the queue
 * records every step, remote id and output, so a crash at any point resumes without paying twice.
 */
/**
 * What a submit started, and what it cost where the provider's answer says: the queue records the
 * stated charge (else the estimate) and the stated balance (else it reads the balance again).
 */
export interface SubmitResult {
  remote: RemoteJob;
  /** Credits the provider's answer says this job was charged. */
  charged?: number;
  /** The account's balance after the charge, as the answer gave it. */
  balance?: number;
  /**
   * The answer says nothing of a charge and the doc does not say whether there is one (an iacrea
   * variation): the estimate is recorded as a possible charge, not a charge.
   */
  chargeUnknown?: boolean;
}

/**
 * A paid request was answered 2xx but the answer could not be read, and the work it started could
 * not be found by looking it up (listing, fetching by id) either. The provider may have charged:
 * the job goes to review with the provider's own words, never resent by itself.
 */
export class UnreadablePaidAnswer extends Error {
  /** What the provider sent, as words a person can read (an excerpt of the body). */
  readonly providerWords: string;

  constructor(message: string, providerWords: string) {
    super(message);
    this.name = 'UnreadablePaidAnswer';
    this.providerWords = providerWords;
  }
}

/**
 * The operation a module offers under `name`, looked up among its own keys only: a name sent by a
 * user ("__proto__", "constructor") must never reach Object.prototype.
 */
export function operationOf(module: Pick<ProviderModule, 'operations'>, name: string): OperationSpec | undefined {
  return Object.hasOwn(module.operations, name) ? module.operations[name] : undefined;
}

export interface ProviderModule {
  id: string;
  name: string;
  /**
   * What the user enters for this provider and how each value travels: secrets (in the
   * SecretStore, bound to the provider's origin) as a header or a bearer token, plain values (a
   * user id) as a header or in every JSON body. Empty for a provider that needs nothing (local).
   */
  accountFields: readonly AccountField[];
  /** What its prices count: credits, tokens, quarter credits, photos… */
  unit: CostUnit;
  /** Its results come from a trained model (every cloud provider here), which export discloses. */
  generative: boolean;
  /** Probed to judge reachability; null for the local provider, which is never offline. */
  baseUrl: string | null;
  capabilities: ProviderCapabilities;
  operations: Record<string, OperationSpec>;
  /** Requests the provider allows per window (status polls count too), if its doc says: 60 per 60 s… */
  rateLimit?: { requests: number; windowMs: number };
  /** Jobs in flight at once for this provider (default 4). */
  concurrency?: number;
  /** How often to poll a remote job, in ms (ProductAI asks for 3–5 s). */
  pollIntervalMs: number;
  /** `catalog`: the provider's catalog as last read (with its fallback), for prices it lists. */
  estimateCost: (
    operation: string,
    params: Record<string, unknown>,
    inputs: JobInputs,
    catalog: readonly CatalogEntry[],
  ) => CostEstimate;
  /** Sends the job; each paid request goes through `context.step`, which makes it at most once. */
  submit: (context: SubmitContext) => Promise<SubmitResult>;
  poll: (context: ProviderContext, remote: RemoteJob) => Promise<PollResult>;
  /**
   * For providers that stream a job's status (AuraX's Server-Sent Events): opens the stream and
   * reports each status as it comes, until the stream ends (resolves) or breaks (rejects). The queue
   * stops it (through `context.signal`) once the job is done or failed, and falls back to `poll`
   * when it drops or stays silent longer than `streamIdleMs`.
   */
  watch?: (context: ProviderContext, remote: RemoteJob, report: (status: PollResult) => void) => Promise<void>;
  /** How long a status stream may stay silent before the queue gives up on it (default 30 s). */
  streamIdleMs?: number;
  fetchOutputs: (
    context: ProviderContext,
    remote: RemoteJob,
    outputs: readonly OutputRef[],
  ) => Promise<FetchedOutput[]>;
  /** For providers that call a webhook when a job changes (see WebhookSpec). */
  webhook?: WebhookSpec;
  /**
   * For providers that can list their work: a submit whose answer was lost (the app died, the
   * connection broke) is looked for among the provider's own work before anything is resent.
   */
  reconcile?: (context: ReconcileContext) => Promise<ReconcileOutcome>;
  account?: {
    /**
     * A cheap authenticated call that proves the key works; answers a sentence for the user
     * ("Key works: 1,240 credits left"). Without it, a balance read serves as the test.
     */
    test?: (context: ProviderContext) => Promise<string>;
    /** Credits left, where the API says (checked before paid jobs). */
    balance?: (context: ProviderContext) => Promise<number>;
    /** The provider's own record of charges, where it keeps one. */
    ledger?: (context: ProviderContext) => Promise<{ at: number; amount: number; remoteId?: string; note?: string }[]>;
    /**
     * What the provider offers beyond the fixed operations (models, actions, quick actions…).
     * Cached by the engine; an operation's hint names the `kind` that fills its choices.
     */
    catalog?: (context: ProviderContext) => Promise<CatalogEntry[]>;
    /** Offered for the kinds the catalog has not given yet (offline, or before a key is set). */
    fallbackCatalog?: readonly CatalogEntry[];
    /** The provider's webhooks, managed through its API (AI Visual Studio's `/webhooks`). */
    webhooks?: WebhookAdmin;
    /** A provider-side assistant that learns the user's taste (AIXpose's agent). */
    agent?: {
      get: (context: ProviderContext) => Promise<AgentSettings>;
      update: (
        context: ProviderContext,
        patch: Partial<Pick<AgentSettings, 'enabled' | 'autoApply'>>,
      ) => Promise<AgentSettings>;
    };
  };
}

export interface CatalogEntry {
  /** What the entry is: 'model', 'action', 'quick_action', 'aspect_ratio', 'scene_location'… */
  kind: string;
  id: string;
  label: string;
  description?: string;
  /** A group the UI lists it under (an action group, a scene type). */
  group?: string;
  /** Where it applies, e.g. the scene types an action is for. */
  appliesTo?: string[];
  /** What one use costs in the provider's unit, when the provider lists prices (a model's credits). */
  credits?: number;
}

export interface AgentSettings {
  enabled: boolean;
  autoApply: boolean;
  learnedPreferences: string[];
  updatedAt: string | null;
}

export interface ProviderCapabilities {
  /** Resending with the same idempotency key never creates (or charges) a second job. */
  idempotentSubmit: boolean;
  /** The provider can be asked whether it already has a job (see `reconcile`). */
  reconcile: boolean;
  webhooks: boolean;
  stream: boolean;
}

/** What an operation takes, by role (see shared/job-inputs.ts). */
export interface OperationInputs {
  /**
   * What the job works on: 'photo' a photo; 'image' a photo or an earlier result; 'variant' an
   * earlier result only; 'none' nothing (a prompt makes images).
   */
  source: 'photo' | 'image' | 'variant' | 'none';
  /** The picture a video starts from (a photo or a result), given the way a source is. */
  firstFrame?: boolean;
  /** The job works on its shoot's approved variants (AIXpose videos), not on one photo. */
  shootVariants?: 'approved';
  /** The job works on its shoot as a whole (AIXpose publish). */
  shoot?: boolean;
  /** A painted mask of this purpose: a required one makes the job wait for it; an optional one is sent when there is one. */
  mask?: { purpose: MaskPurpose; required: boolean };
  /** A garment photo (try-on): the job waits until one is given. */
  garment?: boolean;
  /**
   * A picture that guides what is made (a product's shape), optional: the results are new
   * pictures of the shoot, not variants of that photo.
   */
  reference?: boolean;
}

export interface OperationSpec {
  label: string;
  description: string;
  params: z.ZodType<Record<string, unknown>>;
  /**
   * Labels and help per parameter, for the UI; enums and defaults come from the schema, and
   * `catalog` names the catalog kind whose entries are the choices (actions, models…).
   */
  hints: Record<string, { label: string; help?: string; catalog?: string }>;
  inputs: OperationInputs;
  /** True when a submit costs money (drives budgets and the never-twice rule). */
  paid: boolean;
  /** What its results are (default pictures): the UI finds "make a video" by it, not by a name. */
  makes?: 'image' | 'video' | 'text';
  /** What it does to the photo (shared/operation-effects.ts): export discloses by it. */
  effect: OperationEffect;
  /** The label export draws on its results instead of the preset's wording ("Concept render"). */
  disclosure?: string;
  /**
   * Why a run on a picture of this size would be refused, when that is known before sending (a 4×
   * upscale over the pixel cap): the estimate says so, and the run leaves the picture out.
   */
  refuses?: (params: Record<string, unknown>, picture: { width: number; height: number }) => string | null;
}

export interface CostEstimate {
  credits: number;
  /**
   * The price is not known (a model the provider's price list, as last read, does not name): the
   * job waits for the user's approval unless its run was approved with the cost in view.
   */
  uncertain?: boolean;
  /** Expected duration, when known (the local provider learns it from its own runs). */
  durationMs?: number;
}

/**
 * A picture a job reads (its source, garment or first frame), decoded upright: a photo from its
 * original (which is never touched), or an earlier result from its saved file.
 */
export interface InputPhoto {
  ref: InputRef;
  width: number;
  height: number;
  format: string;
  metadata: PhotoMetadata;
  /** A fresh pipeline over the upright, full-resolution photo. */
  pipeline: () => Sharp;
  /**
   * Lets go of the photo's file bytes at once (see releaseBuffer), for a caller whose every
   * pipeline has finished: a 24 MP photo's 10 MB otherwise wait for, and bring forward, a full
   * collection. No pipeline may be made or running afterwards.
   */
  release?: () => void;
}

/** How a provider reads what a job works on; the queue resolves ids, the provider never sees paths. */
export interface ProviderInputs {
  /** A photo (checked to be the version the job was planned on) or an earlier result, decoded. */
  image: (ref: InputRef) => Promise<InputPhoto>;
  /** The pinned mask version rendered at the given size: 8-bit, 0 untouched … 255 fully selected. */
  mask: (ref: MaskRef, width: number, height: number) => Promise<Uint8Array>;
  /** A variant's file as saved, with who made it and the maker's own id for it. */
  variant: (variantId: string) => Promise<InputVariant>;
}

export interface InputVariant {
  id: string;
  /** The provider whose job made it. */
  provider: string;
  assetId: string | null;
  mimeType: string;
  width: number | null;
  height: number | null;
  bytes: Buffer;
  remote: RemoteIdentity | null;
  /** What the job that made it kept of its remote work (an iacrea generation's first image link, mask…). */
  remoteData: RemoteJob['data'] | null;
  /**
   * The photo it was made from, as that job pinned it, through earlier results back to the photo
   * (a variation of a variation is still of that photo); null when it came from no photo.
   */
  madeFrom: InputRef | null;
}

/** A request a provider makes: the job's signal is added by the queue; `until` ends this one request earlier (a stream no longer needed). */
export type ProviderRequest = Omit<HttpRequest, 'signal'> & { until?: AbortSignal };

export interface ProviderContext {
  /** Aborted when the job is canceled or the engine stops. */
  signal: AbortSignal;
  now: () => number;
  /** Waits on the queue's clock; rejects when the job is canceled or the engine stops. */
  sleep: (ms: number) => Promise<void>;
  inputs: ProviderInputs;
  /**
   * Where the provider is reached now: `SHOOTLINE_<PROVIDER>_BASE_URL`, else the user's setting,
   * else the module's default. Requests to this origin carry the API key; requests elsewhere
   * (a presigned upload, an output on a CDN) never do.
   */
  baseUrl: string;
  /**
   * Puts bytes in the user's staging storage and returns a URL the provider can fetch (presigned,
   * expiring). Null when no staging is set up: URL-only providers then stop with a message saying so.
   */
  stage: ((bytes: Uint8Array, contentType: string) => Promise<string>) | null;
  /**
   * Every request to the provider goes through here: it waits for a rate-limit token (polls count
   * too), carries the job's abort signal, and lets the queue learn from rate-limit headers.
   */
  request: (request: ProviderRequest) => Promise<HttpResponse>;
  /** A new path in the engine's temporary folder, for a download the queue then moves or removes. */
  tempFile: (extension: string) => string;
}

export interface SubmitContext extends ProviderContext {
  job: {
    id: string;
    /** The shoot the job belongs to (providers that group work per listing make one project per shoot). */
    shootId: string | null;
    operation: string;
    params: Record<string, unknown>;
    inputs: JobInputs;
    idempotencyKey: string;
  };
  /**
   * Runs one paid request at most once. A step already done (before a crash or a retry) returns
   * its recorded result without sending anything. `send` receives the step's own idempotency key,
   * derived from the job's key and the step name.
   */
  step: <T>(
    name: string,
    send: (key: string) => Promise<{ remoteId: string | null; result: T }>,
  ) => Promise<{
    remoteId: string | null;
    result: T;
  }>;
}

export type PollResult =
  | { status: 'pending'; progress?: number; retryAfterMs?: number }
  | { status: 'done'; outputs: OutputRef[] }
  | {
      status: 'failed';
      message: string;
      providerCode?: string;
      /**
       * The provider gave back what the job was charged: an amount in its unit, or `true` for all of
       * it (iacrea refunds a failed generation's photo). The ledger records it against the charge.
       */
      refunded?: number | true;
    };

export interface OutputRef {
  index: number;
  url?: string;
  kind: 'image' | 'video' | 'text';
  /** What the provider calls this output, when it has its own identity (AIXpose pictures). */
  remote?: RemoteIdentity;
}

/** A provider's own id for an output and, where it numbers them, its version and subversion. */
export interface RemoteIdentity {
  id: string;
  version?: number;
  subversion?: number;
}

/**
 * One output, fetched: its bytes in memory (small ones: a description, a local result), or a file
 * it was streamed into (downloads), which the queue moves into the media store.
 */
export type FetchedOutput = {
  index: number;
  kind: 'image' | 'video' | 'text';
  mimeType: string;
  width?: number;
  height?: number;
  remote?: RemoteIdentity;
} & ({ bytes: Uint8Array; file?: never } | { file: string; bytes?: never });
