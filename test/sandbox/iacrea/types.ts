/**
 * The public shapes of the iacrea Exterior Creation sandbox: its options, what it records, and the
 * object `startIacreaSandbox` returns. server.ts re-exports all of it; see its ASSUMPTIONS block for
 * what each rule and switch means.
 */
import type { IacreaForms } from './forms';

/** The doc's only key; any string works, this one is easy to grep for in logs. */
export const DEFAULT_API_KEY = 'iacrea-sandbox-api-key';
/** The user the default key belongs to: a UUID v4, as the doc's Developer Space would show. */
export const DEFAULT_USER_ID = '3f6c2a1e-8b4d-4c7a-9e21-5d0b7f3a9c64';

export const ROOM_TYPES = ['TERRACE', 'POOL', 'PETANQUE'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

export const STATUSES = ['STARTING', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const;
export type GenerationStatus = (typeof STATUSES)[number];

/** Durations at speed 1 (I10): STARTING for `starting`, then PROCESSING until `total` after creation. */
export const DEFAULT_DURATIONS_MS = { starting: 1_000, total: 15_000 } as const;
/** The sandbox's own bound on width and height (I6): the outputs are JPEGs it really makes. */
export const MAX_SIDE = 16_384;

export type Route = 'generate' | 'generate-variation' | 'get' | 'files' | 'unknown';
export type FaultRoute = Exclude<Route, 'unknown'>;

export interface Violation {
  /** The request (see `requests`) that broke the rule. */
  seq: number;
  at: number;
  route: Route;
  /** A stable code for tests, e.g. `room-type`, `mask-fetch`. */
  rule: string;
  reason: string;
  /** The body field the rule is about, or null. */
  field: string | null;
  /** The injected fault that caused it (`fetch-expired`), or null. */
  fault: Fault['kind'] | null;
}

export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  route: Route;
  /** The `x-api-key` header as received, or null. */
  apiKey: string | null;
  /** The JSON body (long strings shortened), else up to 500 characters of text; null when empty. */
  body: unknown;
  /** The HTTP status answered, or null when none was sent. */
  status: number | null;
  outcome: 'pending' | 'answered' | 'dropped';
  fault: Fault['kind'] | null;
  /** The generation this request created or asked about. */
  generationId: string | null;
}

export interface LedgerEntry {
  /** The ledger's own running number, from 1. */
  seq: number;
  /** The request that charged; null for a refund (it happens when the generation fails). */
  requestSeq: number | null;
  userId: string;
  generationId: string;
  kind: 'generate' | 'variation';
  /** +1 for a charge, -1 for a refund. */
  photos: 1 | -1;
  balanceAfter: number;
  at: number;
}

export interface ReceivedImage {
  /** The URL as sent. */
  url: string;
  format: 'jpeg' | 'png';
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  /** SHA-256 of the fetched bytes, hex. */
  sha256: string;
  bytes: number;
}

export interface ReceivedMask {
  /** The `mask_url` as sent, or null when a variation reused its parent's mask. */
  url: string | null;
  /** The generation whose mask was reused, or null. */
  reusedFrom: string | null;
  /** The mask file as fetched (for a reused mask, the original one's). */
  format: 'jpeg' | 'png';
  width: number;
  height: number;
  sha256: string;
  hasAlpha: boolean;
  /**
   * The channel the area was read from, decoded: 8 bits, one channel, at the mask's upright size —
   * grey (over black) for the white and black readings, the alpha channel for the alpha reading.
   */
  pixels: Buffer;
  /** The reading the area was taken with (`forms.maskPolarity` when the mask arrived). */
  polarity: IacreaForms['maskPolarity'];
  /** The area to build in at the photo's upright size: 255 = area, 0 = keep. */
  area: { width: number; height: number; pixels: Buffer; count: number };
  /** True when the mask was another size than the photo and was resized (I8). */
  resized: boolean;
}

export interface OutputRecord {
  id: string;
  /** `/files/<id>.jpg` on the sandbox. */
  path: string;
  width: number;
  height: number;
  bytes: number;
}

export interface GenerationRecord {
  id: string;
  projectId: string;
  userId: string;
  kind: 'generate' | 'variation';
  /** For a variation, the generation named in its body. */
  parentId: string | null;
  status: GenerationStatus;
  /** The request that created it. */
  seq: number;
  roomType: RoomType;
  /** The output size: the generate's width×height, inherited by variations. */
  width: number;
  height: number;
  /** 0 for the project's generate, n for the project's nth variation. */
  variationIndex: number;
  /** `image_url` (generate) or `original_url` (variation) as received. */
  image: ReceivedImage;
  mask: ReceivedMask;
  webhook: string | null;
  createdAt: number;
  processingAt: number;
  dueAt: number;
  settledAt: number | null;
  /** Filled once SUCCEEDED. */
  outputs: OutputRecord[];
  /** Photos charged at creation (0 or 1) and whether they were given back. */
  photosCharged: number;
  refunded: boolean;
  failure: string | null;
  polls: number;
}

export interface ProjectRecord {
  id: string;
  userId: string;
  createdAt: number;
  /** The `image_url` of its generate, as sent. */
  imageUrl: string;
  image: ReceivedImage;
  width: number;
  height: number;
  /** Its generate first, then its variations in order. */
  generationIds: string[];
  variations: number;
}

export interface WebhookAttempt {
  generationId: string;
  url: string;
  /** 1 for the first try. */
  attempt: number;
  /** The receiver's status, or null when it could not be reached. */
  status: number | null;
  error: string | null;
  ok: boolean;
  /** The JSON sent. */
  body: unknown;
  at: number;
}

interface FaultScope {
  /** How many matching requests (or generations, fetches) it applies to; default 1. */
  count?: number;
  /** Which routes it applies to; default every route. */
  route?: FaultRoute | readonly FaultRoute[];
}

export type Fault =
  /** Destroy the socket before doing anything: nothing created, nothing charged. */
  | (FaultScope & { kind: 'drop-before' })
  /** Do everything (create, charge), then destroy the socket instead of answering. */
  | (FaultScope & { kind: 'drop-after' })
  /** Answer 500, 503 or 429 (with `Retry-After`) before doing anything, in the errors form. */
  | (FaultScope & { kind: 'status-500' })
  | (FaultScope & { kind: 'status-503' })
  | (FaultScope & { kind: 'status-429'; retryAfterSeconds?: number })
  /** Wait `ms` (real time) before processing, or by default after processing and before answering. */
  | (FaultScope & { kind: 'slow'; ms: number; when?: 'before' | 'after' })
  /** Do everything, then answer 200 with a body that is not JSON (`body`, default an HTML page). */
  | (FaultScope & { kind: 'invalid-json'; body?: string })
  /** The next `count` generations created (on `route`, if set) end FAILED and are refunded. */
  | (FaultScope & { kind: 'fail'; reason?: string })
  /**
   * The next `count` fetches of `field` (default: `image_url` on generate, `original_url` on a
   * variation) behave as if the link had expired: 400 `<image|mask|original>-fetch`, no fetch made.
   */
  | (FaultScope & { kind: 'fetch-expired'; field?: 'image_url' | 'mask_url' | 'original_url' });

export interface IacreaKey {
  apiKey: string;
  /** The user (a UUID) this key acts for. */
  userId: string;
}

export interface IacreaSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Accepted keys and their users; default one, DEFAULT_API_KEY for DEFAULT_USER_ID. */
  keys?: readonly IacreaKey[];
  /** Each user's starting number of photos; default 100. */
  photos?: number;
  /** Output images per generation; default 2. */
  outputs?: number;
  /** Durations are divided by this; default 1. */
  speed?: number;
  durationsMs?: { starting?: number; total?: number };
  /** The clock for statuses, file links and records; default Date.now. A 10 ms ticker moves generations. */
  now?: () => number;
  /** Default 64 KiB (bodies hold URLs, not images). */
  maxBodyBytes?: number;
  /** A fetched image, mask or original above this is refused; default 30 MB. */
  maxImageBytes?: number;
  /** Per fetch of an image; default 5000 ms. */
  fetchTimeoutMs?: number;
  /** Webhook attempts in all (default 3), the wait between them (default 2000 ms, divided by `speed`), per-attempt timeout (5000 ms). */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
  webhookTimeoutMs?: number;
  /** Lifetime of a file link in the `expiring` files form; default 1 hour (not divided by `speed`). */
  fileUrlTtlMs?: number;
  /** The answer forms to start with; the rest as their first reading. */
  forms?: Partial<IacreaForms>;
  /** Faults armed from the start. */
  faults?: readonly Fault[];
}

export interface IacreaCounters {
  requests: number;
  generates: number;
  variations: number;
  gets: number;
  fileGets: number;
  generationsCreated: number;
  projectsCreated: number;
  /** Requests refused for want of photos (not violations). */
  noPhotos: number;
  refunds: number;
  faulted: number;
  webhookAttempts: number;
  webhooksDelivered: number;
  /** Generations whose webhook was never answered 2xx after every attempt. */
  webhooksAbandoned: number;
}

export interface IacreaSandbox {
  /** `http://127.0.0.1:<port>`; the doc's paths go right after it. */
  baseUrl: string;
  port: number;
  keys: readonly IacreaKey[];
  violations: Violation[];
  /** Accepted but doubtful requests (a resized mask, an empty mask). */
  advisories: Violation[];
  requests: RequestRecord[];
  ledger: LedgerEntry[];
  /** Every webhook attempt, in order. */
  webhooks: WebhookAttempt[];
  counters: IacreaCounters;
  /** The forms in force (a copy). */
  readonly forms: IacreaForms;
  /** Switches the named forms; the others stay. Throws on an unknown name or value. */
  setForms: (changes: Partial<IacreaForms>) => void;
  addFault: (...faults: Fault[]) => void;
  clearFaults: () => void;
  /** Faults still armed and the uses they have left. */
  armedFaults: () => { fault: Fault; remaining: number }[];
  /** A user's remaining photos (default: the first key's user). */
  remainingPhotos: (userId?: string) => number;
  setRemainingPhotos: (photos: number, userId?: string) => void;
  generation: (id: string) => GenerationRecord | undefined;
  generations: () => GenerationRecord[];
  project: (id: string) => ProjectRecord | undefined;
  projects: () => ProjectRecord[];
  /** An output's JPEG bytes by output id, once its generation SUCCEEDED. */
  file: (outputId: string) => Buffer | undefined;
  /** Moves every generation along by the clock and waits for due completions and their webhooks. */
  settle: () => Promise<void>;
  close: () => Promise<void>;
}
