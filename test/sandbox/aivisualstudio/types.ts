/**
 * The public shapes of the AI Visual Studio sandbox: its options, what it records, and the object
 * `startAivsSandbox` returns. server.ts re-exports all of it; its ASSUMPTIONS block says what each
 * rule and switch means.
 */
import type { AivsForms } from './forms';

/** The doc's keys look like `avs_live_…`; this one is easy to grep for in logs. */
export const DEFAULT_API_KEY = 'avs_live_sandbox_key';

export const SCOPES = ['read', 'generate:image', 'generate:video', 'webhooks'] as const;
export type Scope = (typeof SCOPES)[number];

export const WEBHOOK_EVENTS = ['generation.completed', 'generation.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type GenerationType = 'image' | 'video';
/** The doc's three words; `pending`, `queued` and `canceled` are only ever written by a forms reading. */
export type GenerationState = 'processing' | 'completed' | 'failed';

/** Durations at speed 1 (A13): image and video generations end this long after creation. */
export const DEFAULT_DURATIONS_MS = { image: 3_000, video: 8_000 } as const;
export const DEFAULT_RATE_LIMIT = { requests: 60, windowMs: 60_000 } as const;
export const DEFAULT_CREDITS = 1_000;
/** The sandbox's own bounds (the doc states none): prompt length, webhooks per account. */
export const MAX_PROMPT_CHARS = 4_000;
export const MAX_WEBHOOKS = 10;

export type Route =
  | 'generate/image'
  | 'generate/video'
  | 'generations'
  | 'generation'
  | 'models'
  | 'webhooks'
  | 'keys'
  | 'files'
  | 'unknown';
export type FaultRoute = Exclude<Route, 'keys' | 'unknown'> | 'any';

export interface KeySpec {
  key: string;
  scopes: Scope[];
  /** Milliseconds since the epoch, in server time; the key is expired from that instant on. */
  expiresAt?: number | null;
  /** Addresses allowed to use the key; empty or absent allows every address. */
  ipAllowlist?: string[];
  revoked?: boolean;
}

export interface ModelSpec {
  id: string;
  name: string;
  type: GenerationType;
  credits_per_generation: number;
  description: string;
  category: 'image-generation' | 'video-generation';
}

export type FaultKind =
  | 'drop-before'
  | 'drop-after-charge'
  | 'unreadable-after-charge'
  | 'error-500'
  | 'error-500-after-charge'
  | 'delay'
  | 'fail'
  | 'cancel';

export interface Fault {
  kind: FaultKind;
  /** Default 'any'. */
  route?: FaultRoute;
  /** How many uses; default 1. */
  times?: number;
  /** For `delay`: how long to wait before handling the request (real time, not divided by speed). */
  delayMs?: number;
}

export interface AivsSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Generation durations and the webhook retry delay are divided by this; default 1. */
  speed?: number;
  /** The account's balance to start with; default 1000. */
  credits?: number;
  /** Default: DEFAULT_API_KEY with every scope. All keys share one account. */
  keys?: KeySpec[];
  /** Default 60 requests per 60 000 ms window, per key. */
  rateLimit?: { requests: number; windowMs: number };
  /** The server's clock is Date.now() + this; default 0. */
  clockSkewMs?: number;
  /** Default { image: 3000, video: 8000 }, divided by `speed`. */
  durationsMs?: Partial<Record<GenerationType, number>>;
  forms?: Partial<AivsForms>;
  faults?: Fault[];
  /** Replaces the built-in catalog (see MODELS in catalog.ts). */
  models?: ModelSpec[];
  /** Default 2000 ms, divided by `speed`. */
  webhookRetryDelayMs?: number;
  /** Attempts in all per delivery; default 3. */
  webhookAttempts?: number;
  /** Per delivery attempt; default 10 000 ms. */
  webhookTimeoutMs?: number;
  /** For fetching first_frame_image; default 5000 ms. */
  fetchTimeoutMs?: number;
  /** A first_frame_image over this is refused; default 30 MB (30 000 000 bytes). */
  maxFirstFrameBytes?: number;
}

export interface Violation {
  /** The request (see `requests`) that broke the rule. */
  seq: number;
  at: number;
  route: Route;
  /** A stable code for tests, e.g. `prompt-empty`, `aspect-ratio`. */
  rule: string;
  reason: string;
  /** The body field or query parameter the rule is about, or null. */
  field: string | null;
}

export interface RequestRecord {
  seq: number;
  /** Server time (Date.now() + clockSkewMs). */
  at: number;
  method: string;
  path: string;
  route: Route;
  /** The last 4 characters of the Bearer key (empty for keys under 8 characters), or null when no Bearer key was sent. */
  apiKey: string | null;
  /** The JSON body (long strings shortened), else up to 500 characters of text; null when empty. */
  body: unknown;
  status: number | null;
  outcome: 'answered' | 'dropped' | 'pending';
  fault: FaultKind | null;
  /** The generation this request created or asked about. */
  generationId: string | null;
}

export interface LedgerEntry {
  seq: number;
  requestSeq: number;
  generationId: string;
  model: string;
  type: GenerationType;
  credits: number;
  balanceAfter: number;
  at: number;
}

/** What the sandbox read from a fetched first_frame_image. */
export interface FirstFrameFacts {
  url: string;
  format: 'jpeg' | 'png' | 'webp';
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

export interface OutputRecord {
  id: string;
  /** `/files/<id>.<ext>` on the sandbox. */
  path: string;
  url: string;
  contentType: string;
  bytes: number;
}

export interface GenerationRecord {
  id: string;
  type: GenerationType;
  model: string;
  prompt: string;
  /** The word the API writes now, under the forms in force (pending/queued/canceled included). */
  status: string;
  /** The doc's three words: where the generation really is. */
  state: GenerationState;
  aspectRatio: string;
  /** webp, png or jpg for images; mp4 for videos. */
  outputFormat: string;
  /** Seconds, videos only. */
  duration: number | null;
  firstFrame: FirstFrameFacts | null;
  webhookUrl: string | null;
  createdAt: number;
  completedAt: number | null;
  outputs: OutputRecord[];
  creditsCharged: number;
  requestSeq: number;
  /** Why it ended badly: 'failed' or 'canceled' (the `cancel` fault), else null. */
  failure: 'failed' | 'canceled' | null;
}

export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  /** The secret it was given (`whsec_…`), whatever the forms say about showing it. */
  secret: string;
  createdAt: number;
}

export interface DeliveryRecord {
  /** The registered webhook, or null for a generation's own webhook_url matching none. */
  webhookId: string | null;
  url: string;
  event: WebhookEvent;
  generationId: string;
  /** 1 for the first try. */
  attempt: number;
  /** `t=…,v1=…` as sent, or null when unsigned. */
  signatureHeader: string | null;
  /** The body exactly as sent. */
  body: string;
  /** The receiver's status, or null when it could not be reached. */
  status: number | null;
  error: string | null;
  at: number;
}

export interface AivsCounters {
  requests: number;
  generationsCreated: number;
  /** 429 rate_limited answers. */
  rateLimited: number;
  /** 403 insufficient_credits answers. */
  noCredits: number;
  /** 401s and the scope and IP 403s. */
  authRefused: number;
  /** Fault uses. */
  faulted: number;
  deliveryAttempts: number;
  delivered: number;
  /** Deliveries never answered 2xx after every attempt. */
  abandoned: number;
}

export interface AivsSandbox {
  /** `http://127.0.0.1:<port>`; the doc's paths (`/api/v1/…`) go right after it. */
  baseUrl: string;
  port: number;
  /** The default key (or the first of `keys`). */
  apiKey: string;
  close: () => Promise<void>;
  /** The forms in force (a copy). */
  readonly forms: AivsForms;
  /** Switches the named forms; the others stay. Throws on an unknown name or value. */
  setForms: (changes: Partial<AivsForms>) => void;
  addFault: (fault: Fault) => void;
  clearFaults: () => void;
  setCredits: (credits: number) => void;
  /** Changes a model's price from now on (a price list read before is then out of date). */
  setPrice: (modelId: string, credits: number) => void;
  credits: () => number;
  revokeKey: (key: string) => void;
  /** Sets the key's expiry to the server's now: it is refused from the next request on. */
  expireKey: (key: string) => void;
  addKey: (spec: KeySpec) => void;
  requests: RequestRecord[];
  violations: Violation[];
  counters: AivsCounters;
  ledger: LedgerEntry[];
  generations: () => GenerationRecord[];
  generation: (id: string) => GenerationRecord | undefined;
  webhooks: () => WebhookRecord[];
  /** What signs this webhook's deliveries now: its secret, or its creator's key in the 'api-key' reading. */
  webhookSecretOf: (id: string) => string | undefined;
  deliveries: DeliveryRecord[];
}
