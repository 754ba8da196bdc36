/**
 * AIXpose sandbox: a loopback emulator of the AIXpose REST API as described by
 * `shared/api-docs/aixpose.txt`, the only source of truth. It answers every endpoint the doc lists,
 * refuses (and records in `violations`) every request that breaks a rule, charges credits into a
 * ledger tied to the request and Idempotency-Key that caused each charge, produces real images
 * derived from the upload, and can inject network faults. Adapter tests assert `violations` is empty.
 *
 * WHAT THE DOC DEFINES (enforced as written)
 * - Base URL `https://api.aixpose.art`, paths under `/v1`; these endpoints and no others:
 *   POST /v1/projects, GET /v1/projects/{project_id}, POST /v1/projects/{project_id}/publish,
 *   POST|GET /v1/projects/{project_id}/pictures, POST /v1/pictures/{picture_id}/enhancements,
 *   POST /v1/videos, GET /v1/videos/{video_id}, GET /v1/videos?project_id=…,
 *   GET /v1/catalog/models|actions|aspect-ratios, GET|PATCH /v1/agent, GET /v1/quick-actions,
 *   GET /v1/credits/balance, GET /v1/credits/ledger. Anything else is refused as undocumented
 *   (the doc has no `GET /v1/projects` list and no `GET /v1/pictures/{id}`: picture status is polled
 *   through `GET /v1/projects/{project_id}/pictures`, or pushed by webhook).
 * - Auth: `Authorization: Bearer <key>` on every call.
 * - JSON bodies with `Content-Type: application/json`; picture uploads also as multipart with the
 *   parts `file`, `scene_type`, `scene_location`, `webhook_url`.
 * - Project fields `name`, `output` ('picture'), `picture_aspect_ratio` ('16:9'), `picture_resolution` ('2K').
 * - Picture JSON sources `{type:'url', url}` and `{type:'base64', media_type, data}`; `scene_type`,
 *   `scene_location`, optional `webhook_url`.
 * - Enhancement body `instruction {source:'preset', actions:[…]}`, `variants`, `aspect_ratio`,
 *   `resolution`, `webhook_url`; answered with the generated pictures ("one or more new variants").
 * - Instruction kinds: preset actions, custom prompts, quick actions, consistency goals.
 * - Asynchronous work: immediate acknowledgement, status transitions, final status `completed`.
 * - Webhook event `{id:'evt_…', type:'picture.completed', created_at, data:{id, project_id, status,
 *   public_url, version, subversion, scene_type, scene_location, source_instruction}}`, signed.
 * - Public CDN URLs `https://cdn…/projects/{project_id}/{picture_id}.jpg` for outputs.
 * - `Idempotency-Key` on writes "for safe retries".
 *
 * ASSUMPTIONS (the doc is silent; each is the most common behaviour, easy to change here)
 * Where an assumption is about how an answer looks, a switch (forms.ts: the `forms` option and
 * `setForms()`) makes the sandbox answer in another plausible form instead; the default, listed first
 * in forms.ts, is the form described here. Switches change how answers look; only `promptSource`
 * (which word is accepted) and `uploadReadiness` (when an upload is usable) change what is accepted.
 * Strictness, charges, the `violations`, `requests` and `ledger` records and webhook events are the
 * same in every form.
 * A1  Errors: `{ "error": { "code", "message", "details"?, "field"? } }`, JSON, `field` naming the one
 *     field a refusal is about (switch `errorShape`: 'flat' `{ code, message, field? }`, 'problem'
 *     RFC 7807 `application/problem+json` with `type`, `title`, `status`, `detail`, `code`,
 *     `errors: [{ field, message }]`). Codes and statuses: 400 invalid_request, 400
 *     idempotency_key_missing, 401 unauthorized (+ `WWW-Authenticate: Bearer`), 402
 *     insufficient_credits, 404 not_found, 405 method_not_allowed (+ `Allow`), 409 picture_not_ready
 *     (switch `notReadyCode`), 409 idempotency_key_in_use (switch `inProgressCode`), 413
 *     payload_too_large, 415 unsupported_media_type, 422 idempotency_key_reused, 422
 *     invalid_instruction (a prompt under the wrong source word, see A5), 429 rate_limited
 *     (+ `Retry-After`), 5xx from injected faults only (+ `Retry-After` when the fault gives one).
 * A2  Which failures are violations (client bugs): every 4xx except 401 for a well-formed but unknown
 *     key (a revoked key is the user's problem, not the adapter's), 402, 409 idempotency_key_in_use
 *     whatever its code (a legitimate retry racing its own first attempt) and 429. Also: an
 *     Authorization header sent to the public CDN (the key leaked to another origin) is recorded,
 *     though the file is served.
 * A3  Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header semantics, Stripe-like scope):
 *     required on every POST (all doc examples send it; Shootline relies on it) → 400 when missing;
 *     optional on PATCH; ignored on GET. 1–255 visible ASCII characters. Scoped per API key.
 *     Same key + same method/path + same body (JSON compared key-order-insensitively; multipart by
 *     field values and file bytes, boundary and file name ignored) → the stored answer is replayed
 *     with `Idempotent-Replayed: true`, nothing is charged again. Same key + different request →
 *     422 idempotency_key_reused. Same key while the first request is still being processed →
 *     409 idempotency_key_in_use with `Retry-After: 1` (switch `inProgressCode`:
 *     'request_in_progress', 'conflict'). A replay repeats the stored answer in the form it was first
 *     given (even an `enhancementAnswer: 'garbage'` page), whatever the forms are now. Only 2xx
 *     answers are stored: a refused request (validation, 402, fault) can be retried with the same
 *     key once fixed. Keys are kept for the sandbox's lifetime (the real retention window is
 *     unknown).
 * A4  Required fields: a field shown in every doc example of a request is required; so project
 *     `name`, `output`, `picture_aspect_ratio`, `picture_resolution`; picture `source` (or `file`),
 *     `scene_type`, `scene_location`. `webhook_url` is optional everywhere (polling is the
 *     alternative). Enhancement: `instruction` required; `variants` 1–4, default 1; `aspect_ratio`
 *     and `resolution` default to the project's `picture_*` ("shared output defaults"); optional
 *     `model` from the models catalog. Unknown fields and unknown query parameters are refused.
 * A5  Enums beyond the doc's examples: see catalog.ts (aspect ratios, more with the option
 *     `extraAspectRatios`, listed and accepted everywhere; resolutions 1K/2K/4K = long edge
 *     1024/2048/4096 px, outputs picture|video, scene types interior|exterior with their locations,
 *     preset action ids `<group>-<option>` with at most one option per group and only for the
 *     picture's scene type, instruction sources preset|custom|quick_action|consistency with fields
 *     `actions` | `prompt` | `quick_action_id` | `reference_picture_id`, models, quick actions).
 *     The doc says "custom prompts" beside "preset actions" (`source: 'preset'`), so a prompt's
 *     source is `custom` (switch `promptSource`: 'prompt', 'custom_prompt'); a prompt under any other
 *     source word → 422 invalid_instruction, `details.field` = `instruction.source`, naming the
 *     accepted sources. The fast model does not offer 4K.
 * A6  Uploads: JPEG, PNG or WebP by their bytes (else 415); at most 20 MB decoded (413); at most
 *     sharp's default pixel limit (400); undecodable headers → 400. A base64 `media_type` must match
 *     the bytes. URL sources and webhook URLs must be https (http allowed for loopback hosts in the
 *     sandbox). A URL source is fetched asynchronously: the picture is `processing`, then
 *     `completed` or `failed`. A file or base64 upload is `completed` at once (switch
 *     `uploadReadiness: 'delayed'`: `processing` for `durations.pictureUploadMs`, 3 s ÷ speed).
 * A7  Statuses: `queued` → `processing` → `completed` | `failed` (the doc names only `completed`;
 *     switch `statusWords`: 'upper' QUEUED…, 'synonyms' pending | in_progress | succeeded | error).
 *     Uploaded originals are `completed` at once (URL sources: `processing` first; switch
 *     `uploadReadiness`). Timing at speed 1: enhancements queued 2 s, processing 20 s; videos 5 s
 *     and 60 s; divided by `speed`. Enhancing a picture that is not `completed` → 409
 *     picture_not_ready (switch `notReadyCode`: 'not_ready', 'resource_not_ready').
 * A8  Answers: 201 with the object for project and picture creation, 202 with an array of pictures
 *     for enhancements, the doc's variable being `enhancedPictures` (switch `enhancementAnswer`:
 *     'data' `{ data }`, 'pictures' `{ pictures, credits_charged, balance }`, 'enhancement'
 *     `{ enhancement: { id, status, variants }, credits: { charged, remaining } }`, 'garbage' an HTML
 *     page with the work done), 202 with the video for videos, 200 otherwise. Lists are
 *     `{ "data": [...] }`, oldest first, unpaginated (switch `listShape`: 'array' bare, except the
 *     actions catalog which stays an object, and refused with `sceneLocationsIn` other than
 *     'actions', which would leave the scene types nowhere; 'items' `{ items, has_more: false,
 *     next_cursor: null }`; other top-level keys are kept).
 *     The actions catalog is flat `{ data: [{ id, group, name, scene_types }], groups, scene_types }`
 *     (switch `catalogActions`: 'nested' groups holding their actions, 'objects' each action with
 *     its `group: { id, name }`); scene types and their locations are in it (switch
 *     `sceneLocationsIn`: 'models', 'aspect-ratios'); aspect ratios are `{ id, width, height }`
 *     (switch `aspectRatios`: 'strings', 'values' `{ value, name }`). Balance is
 *     `{ "balance": n }`. Every answer carries `X-Request-Id`.
 * A9  Pictures: originals are version 0 subversion 0. Each enhancement of an original makes a new
 *     version (1, 2, …) whose variants are subversions 0..n-1 (matches the doc's `version: 1,
 *     subversion: 0`); enhancing a generated picture adds subversions to its version. Extra fields:
 *     `source_picture_id`, `aspect_ratio`, `resolution`, `model`, `created_at`, `error`.
 *     `public_url` is null until `completed` (switch `objectFields: 'named'`: `picture_id` / `video_id`
 *     and `url` instead of `id` and `public_url`; projects keep `id`). CDN files need no auth.
 *     (Switch `sourceField`: a generated picture names its source as `source_picture_id`, as
 *     `parent_id`, or not at all.)
 * A10 Credits: 1 credit per generated picture, 10 per video; uploads, projects and publishing are
 *     free. All-or-nothing: a request whose cost exceeds the balance → 402 and nothing is charged.
 *     A generation that ends `failed` is refunded (a `refund` ledger entry). The starting balance is
 *     a `grant` entry, so the ledger sums to the balance. Ledger entries are `{ id, created_at,
 *     amount (signed), balance_after, reason, resource_ids, idempotency_key }` (switch
 *     `ledgerEntries`: 'kind' `{ id, kind, amount, operation, resource_id, created_at }`, 'type'
 *     `{ id, type: debit|credit, credits, description, resource, timestamp }`, amounts positive).
 * A11 Webhooks: sent to the `webhook_url` of the picture/enhancement/video (an enhancement without
 *     one inherits its source picture's) when it reaches `completed` or `failed`, including
 *     uploaded originals. Types `picture.completed|failed`, `video.completed|failed`. Signature:
 *     `X-AIXpose-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` with a
 *     per-organization secret (given out of band). Non-2xx or unreachable receivers are retried
 *     after 1, 5 and 25 s (÷ speed), four attempts in all. Events keep the doc's shape in every form
 *     (`id`, `public_url`, lower-case statuses): the doc shows that shape.
 * A12 Videos: body `project_id`, `picture_ids` (1–20 completed pictures of that project),
 *     optional `scene_context`, `voice_direction`, `background_direction`, `aspect_ratio`
 *     (default the project's), `webhook_url`. Output: an H.264 MP4 (../video). A picture not completed →
 *     400, except a delayed upload (switch `uploadReadiness`) → 409 as in A7 (switch `notReadyCode`).
 *     A video is answered like a picture (switches `statusWords`, `objectFields`).
 * A13 Agent: `{ enabled, auto_apply, learned_preferences, updated_at }`; PATCH takes `enabled`
 *     and/or `auto_apply` (booleans). The sandbox stores them but does not auto-apply anything.
 * A14 Publish: empty body or `{}`; marks the project `published` (idempotent); free.
 * A15 No rate limit unless the `rateLimit` option sets one. A HEAD/GET of `/` or `/v1` (a
 *     reachability probe) is answered 404 without auth and is not a violation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
  ACTIONS,
  ASPECT_RATIOS,
  type AspectRatio,
  isAspectRatio,
  type MediaType,
  MODELS,
  type PromptSource,
  QUICK_ACTIONS,
  type Resolution,
  type SceneType,
} from './catalog';
import {
  actionsCatalogAnswer,
  type AixposeForms,
  aspectRatiosCatalogAnswer,
  DEFAULT_FORMS,
  enhancementAnswer,
  errorBody,
  type ErrorFacts,
  ledgerAnswer,
  listAnswer,
  mergeForms,
  modelsCatalogAnswer,
  pictureAnswer,
  videoAnswer,
  wrongPromptSource,
} from './forms';
import { orientedSize, renderPicture, renderVideo } from './render';
import { describeIssues, type EnhancementBody, type Instruction, requestSchemas, type RequestSchemas } from './schemas';
import { canonicalJson, EXTENSION, isoSeconds, newId, sha256, sniffImage } from './util';
import { deliverOnce, type WebhookDelivery } from './webhooks';

export const ROUTES = [
  { name: 'POST /v1/projects', method: 'POST', pattern: /^\/v1\/projects$/ },
  { name: 'GET /v1/projects/{project_id}', method: 'GET', pattern: /^\/v1\/projects\/([^/]+)$/ },
  { name: 'POST /v1/projects/{project_id}/publish', method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/publish$/ },
  { name: 'POST /v1/projects/{project_id}/pictures', method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/pictures$/ },
  { name: 'GET /v1/projects/{project_id}/pictures', method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/pictures$/ },
  {
    name: 'POST /v1/pictures/{picture_id}/enhancements',
    method: 'POST',
    pattern: /^\/v1\/pictures\/([^/]+)\/enhancements$/,
  },
  { name: 'POST /v1/videos', method: 'POST', pattern: /^\/v1\/videos$/ },
  { name: 'GET /v1/videos', method: 'GET', pattern: /^\/v1\/videos$/, query: ['project_id'] },
  { name: 'GET /v1/videos/{video_id}', method: 'GET', pattern: /^\/v1\/videos\/([^/]+)$/ },
  { name: 'GET /v1/catalog/models', method: 'GET', pattern: /^\/v1\/catalog\/models$/ },
  { name: 'GET /v1/catalog/actions', method: 'GET', pattern: /^\/v1\/catalog\/actions$/ },
  { name: 'GET /v1/catalog/aspect-ratios', method: 'GET', pattern: /^\/v1\/catalog\/aspect-ratios$/ },
  { name: 'GET /v1/agent', method: 'GET', pattern: /^\/v1\/agent$/ },
  { name: 'PATCH /v1/agent', method: 'PATCH', pattern: /^\/v1\/agent$/ },
  { name: 'GET /v1/quick-actions', method: 'GET', pattern: /^\/v1\/quick-actions$/ },
  { name: 'GET /v1/credits/balance', method: 'GET', pattern: /^\/v1\/credits\/balance$/ },
  { name: 'GET /v1/credits/ledger', method: 'GET', pattern: /^\/v1\/credits\/ledger$/ },
] as const;

type RouteDef = (typeof ROUTES)[number];
export type ApiRouteName = RouteDef['name'];
export const CDN_ROUTE = 'GET /projects/{project_id}/{file}';
export type RouteName = ApiRouteName | typeof CDN_ROUTE;
export type { AixposeForms } from './forms';

export interface AixposeSandboxOptions {
  /** API port; 0 (default) picks a free one. */
  port?: number;
  /** Port of the separate public CDN origin; 0 (default) picks a free one. */
  cdnPort?: number;
  /** The accepted API key (default `aix_test_sandbox_key`). */
  apiKey?: string;
  /** More accepted keys, all of one organization. */
  apiKeys?: string[];
  /** Starting balance (default 100). */
  credits?: number;
  /** Divides every processing time and webhook retry delay (default 1, real-API pace). */
  speed?: number;
  /** Webhook signing secret (default `whsec_aixpose_sandbox`). */
  webhookSecret?: string;
  prices?: Partial<Prices>;
  /** Processing times at speed 1, in ms. */
  durations?: Partial<Durations>;
  /** Refuse a POST without Idempotency-Key (default true, see A3). */
  requireIdempotencyKey?: boolean;
  /** Largest accepted image, decoded (default 20 MB). */
  maxImageBytes?: number;
  /** Largest accepted image in pixels (default sharp's limit, 0x3FFF²). */
  maxPixels?: number;
  /** Accept http:// URLs on loopback hosts for sources and webhooks (default true). */
  allowHttpLoopback?: boolean;
  /** An API rate limit, every request counted (default none: the doc names none). */
  rateLimit?: { requests: number; windowMs: number; retryAfterSeconds: number };
  /** How the answers look where the doc is silent (see forms.ts); default today's forms. */
  forms?: Partial<AixposeForms>;
  /** Aspect ratios offered beyond the catalog's (e.g. `['5:4']`): listed and accepted everywhere. */
  extraAspectRatios?: string[];
}

export interface Prices {
  picture: number;
  video: number;
}

export interface Durations {
  pictureQueuedMs: number;
  pictureProcessingMs: number;
  videoQueuedMs: number;
  videoProcessingMs: number;
  /** How long a file or base64 upload stays `processing` under `uploadReadiness: 'delayed'`. */
  pictureUploadMs: number;
}

export type Fault =
  /** Answer this status (5xx) without processing the request. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Answer 429 with Retry-After without processing the request. */
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  /** Drop the connection as soon as the request line and headers arrive: nothing is processed. */
  | { kind: 'reset_before' }
  /** Process the request fully (charged, stored under its key), then drop the connection unanswered. */
  | { kind: 'reset_after' }
  /**
   * Processing takes this much longer: inside the Idempotency-Key reservation (a retry meanwhile
   * sees 409), or before the answer when the request is refused earlier. The work is done even if
   * the client has given up waiting.
   */
  | { kind: 'delay'; ms: number }
  /** Accept (and charge) the next generation normally, but let it end `failed` (refunded). */
  | { kind: 'fail_job'; code?: string; message?: string };

export interface FaultScope {
  /** How many matching requests the fault applies to (default 1). */
  times?: number;
  /** Only requests to this route (e.g. 'POST /v1/projects/{project_id}/pictures'); default any. */
  route?: RouteName;
  /** 'api' (default) or the public 'cdn'. */
  target?: 'api' | 'cdn';
}

export interface Violation {
  requestId: string;
  target: 'api' | 'cdn';
  method: string;
  path: string;
  route: string | null;
  status: number;
  code: string;
  reason: string;
}

export interface RequestRecord {
  id: string;
  at: number;
  target: 'api' | 'cdn';
  method: string;
  path: string;
  route: string | null;
  apiKey: string | null;
  idempotencyKey: string | null;
  /** The status answered (or that would have been, for reset_after); null when nothing was decided. */
  status: number | null;
  outcome: 'pending' | 'answered' | 'replayed' | 'reset_before' | 'reset_after' | 'client_gone';
  fault: Fault['kind'] | null;
}

export interface LedgerEntry {
  id: string;
  at: number;
  /** Negative for a charge, positive for a grant, refund or adjustment. */
  amount: number;
  balanceAfter: number;
  reason: 'grant' | 'enhancement' | 'video' | 'refund' | 'adjustment';
  resourceIds: string[];
  idempotencyKey: string | null;
  requestId: string | null;
  route: string | null;
}

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface ProjectJson {
  id: string;
  name: string;
  output: string;
  picture_aspect_ratio: string;
  picture_resolution: string;
  status: 'draft' | 'published';
  created_at: string;
  published_at: string | null;
}

export interface PictureJson {
  id: string;
  project_id: string;
  status: JobStatus;
  public_url: string | null;
  version: number;
  subversion: number;
  scene_type: string;
  scene_location: string;
  source_instruction: Instruction | null;
  source_picture_id: string | null;
  aspect_ratio: string | null;
  resolution: string | null;
  model: string | null;
  created_at: string;
  error: { code: string; message: string } | null;
}

export interface VideoJson {
  id: string;
  project_id: string;
  status: JobStatus;
  public_url: string | null;
  picture_ids: string[];
  scene_context: string | null;
  voice_direction: string | null;
  background_direction: string | null;
  aspect_ratio: string;
  duration_seconds: number | null;
  created_at: string;
  error: { code: string; message: string } | null;
}

export interface AgentJson {
  enabled: boolean;
  auto_apply: boolean;
  learned_preferences: string[];
  updated_at: string;
}

export interface AixposeSandbox {
  /** `http://127.0.0.1:<port>`, the stand-in for `https://api.aixpose.art`. */
  baseUrl: string;
  port: number;
  /** The public CDN origin serving outputs. */
  cdnUrl: string;
  cdnPort: number;
  apiKey: string;
  webhookSecret: string;
  violations: Violation[];
  requests: RequestRecord[];
  ledger: LedgerEntry[];
  webhookDeliveries: WebhookDelivery[];
  /** Every credential value seen in Authorization (Bearer token or raw) or x-api-key, in order, once each. */
  seenApiKeys: string[];
  /** Unexpected exceptions inside the sandbox (should stay empty). */
  internalErrors: string[];
  readonly balance: number;
  /** The answer forms in force. */
  readonly forms: Readonly<AixposeForms>;
  /** Idempotency-Keys whose first request is being handled now (reserved, not yet answered). */
  keysInProgress: () => string[];
  /** Switches some answer forms from now on (the others stay); throws on an unknown value. */
  setForms: (forms: Partial<AixposeForms>) => void;
  setCredits: (credits: number) => void;
  setFault: (fault: Fault, scope?: FaultScope) => void;
  clearFaults: () => void;
  /** true: both listeners close and connections are refused; false: they listen again on the same ports. */
  setUnreachable: (unreachable: boolean) => Promise<void>;
  projects: () => ProjectJson[];
  pictures: () => PictureJson[];
  videos: () => VideoJson[];
  agent: () => AgentJson;
  /** Resolves when no generation, fetch or webhook delivery is pending. */
  waitForIdle: () => Promise<void>;
  close: () => Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      details?: unknown;
      /** The one field the refusal is about, when there is one (shown in every error form). */
      field?: string;
      violation?: boolean;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }
}

/** A refused request that is a client bug (A2). */
const violation = (status: number, code: string, message: string, details?: unknown) =>
  new ApiError(status, code, message, { details, violation: true });

interface Answer {
  status: number;
  /** Serialized as JSON, unless `contentType` is not a JSON type: then sent as the string it is. */
  body: unknown;
  /** Default `application/json`. */
  contentType?: string;
  headers?: Record<string, string>;
}

interface Call {
  record: RequestRecord;
  route: RouteDef;
  params: string[];
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  apiKey: string;
  idempotencyKey: string | null;
  parsed?: ParsedBody;
}

type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; form: FormData }
  | { kind: 'invalid'; reason: string }
  | { kind: 'other'; contentType: string };

interface ProjectRecord {
  id: string;
  name: string;
  output: string;
  pictureAspectRatio: AspectRatio;
  pictureResolution: Resolution;
  status: 'draft' | 'published';
  createdAt: number;
  publishedAt: number | null;
}

interface JobFields {
  createdAt: number;
  processingAt: number;
  dueAt: number;
  finished: boolean;
  failure: { code: string; message: string } | null;
  webhookUrl: string | null;
  price: number;
  idempotencyKey: string | null;
  requestId: string;
}

interface PictureRecord extends JobFields {
  id: string;
  projectId: string;
  kind: 'original' | 'generated';
  rootId: string;
  version: number;
  subversion: number;
  sceneType: SceneType;
  sceneLocation: string;
  instruction: Instruction | null;
  sourcePictureId: string | null;
  aspectRatio: AspectRatio | null;
  resolution: Resolution | null;
  model: string | null;
  bytes: Buffer | null;
  mediaType: MediaType | null;
  /** A file or base64 upload waiting out `durations.pictureUploadMs` (`uploadReadiness: 'delayed'`). */
  delayedUpload: boolean;
}

interface VideoRecord extends JobFields {
  id: string;
  projectId: string;
  pictureIds: string[];
  sceneContext: string | null;
  voiceDirection: string | null;
  backgroundDirection: string | null;
  aspectRatio: AspectRatio;
  durationSeconds: number | null;
  bytes: Buffer | null;
}

interface FaultRule {
  fault: Fault;
  remaining: number;
  route: RouteName | undefined;
  target: 'api' | 'cdn';
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const MB = 1024 * 1024;

export async function startAixposeSandbox(options: AixposeSandboxOptions = {}): Promise<AixposeSandbox> {
  const apiKey = options.apiKey ?? 'aix_test_sandbox_key';
  const apiKeys = new Set([apiKey, ...(options.apiKeys ?? [])]);
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be > 0');
  const webhookSecret = options.webhookSecret ?? 'whsec_aixpose_sandbox';
  const prices: Prices = { picture: 1, video: 10, ...options.prices };
  const durations: Durations = {
    pictureQueuedMs: 2_000,
    pictureProcessingMs: 20_000,
    videoQueuedMs: 5_000,
    videoProcessingMs: 60_000,
    pictureUploadMs: 3_000,
    ...options.durations,
  };
  const requireIdempotencyKey = options.requireIdempotencyKey ?? true;
  const maxImageBytes = options.maxImageBytes ?? 20 * MB;
  const maxPixels = options.maxPixels ?? 0x3fff * 0x3fff;
  const allowHttpLoopback = options.allowHttpLoopback ?? true;
  // Room for base64 (4/3) plus JSON or multipart framing; anything larger is refused unread.
  const maxBodyBytes = Math.ceil((maxImageBytes * 4) / 3) + MB;
  const extraAspectRatios = options.extraAspectRatios ?? [];
  const badRatio = extraAspectRatios.find((ratio) => !isAspectRatio(ratio));
  if (badRatio !== undefined) throw new Error(`extraAspectRatios: "${badRatio}" is not <width>:<height>`);
  const aspectRatios: [AspectRatio, ...AspectRatio[]] = [
    ...ASPECT_RATIOS,
    ...extraAspectRatios.filter((ratio) => !(ASPECT_RATIOS as readonly string[]).includes(ratio)),
  ];
  let forms = mergeForms(DEFAULT_FORMS, options.forms);
  // One schema set per prompt source word, built when a test first switches to it.
  const schemaSets = new Map<PromptSource, RequestSchemas>();
  const schemas = (): RequestSchemas => {
    let set = schemaSets.get(forms.promptSource);
    if (!set) {
      set = requestSchemas({ allowHttpLoopback, aspectRatios, promptSource: forms.promptSource });
      schemaSets.set(forms.promptSource, set);
    }
    return set;
  };

  const violations: Violation[] = [];
  const requests: RequestRecord[] = [];
  const ledger: LedgerEntry[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const seenApiKeys: string[] = [];
  const internalErrors: string[] = [];
  const projects = new Map<string, ProjectRecord>();
  const pictures = new Map<string, PictureRecord>();
  const videos = new Map<string, VideoRecord>();
  const idempotency = new Map<string, { fingerprint: string; route: string; answer: Answer | null }>();
  const faultRules: FaultRule[] = [];
  const arrivals: number[] = [];
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<() => void>();
  let agent = { enabled: false, autoApply: false, updatedAt: Date.now() };
  let balance = 0;
  let closed = false;
  // Aborts webhook deliveries in flight when the sandbox closes, so close() never waits on a receiver.
  const closing = new AbortController();

  const scaled = (ms: number) => ms / speed;
  const noteError = (error: unknown) => {
    internalErrors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.then(
      () => pending.delete(promise),
      () => pending.delete(promise),
    );
    return promise;
  };
  /** Runs `task` after `ms`; close() cancels it. Tracked so waitForIdle() waits for it. */
  const later = (ms: number, task: () => Promise<void> | void) => {
    void track(
      new Promise<void>((resolve) => {
        const cancel = () => {
          clearTimeout(timer);
          timers.delete(cancel);
          resolve();
        };
        const timer = setTimeout(() => {
          timers.delete(cancel);
          Promise.resolve()
            .then(task)
            .catch(noteError)
            .finally(() => resolve());
        }, ms);
        timers.add(cancel);
      }),
    );
  };

  const addLedger = (entry: Omit<LedgerEntry, 'id' | 'at' | 'balanceAfter'>) => {
    balance += entry.amount;
    ledger.push({ id: newId('led'), at: Date.now(), balanceAfter: balance, ...entry });
  };
  addLedger({
    amount: options.credits ?? 100,
    reason: 'grant',
    resourceIds: [],
    idempotencyKey: null,
    requestId: null,
    route: null,
  });

  const rememberKey = (value: string) => {
    if (value && !seenApiKeys.includes(value)) seenApiKeys.push(value);
  };

  // ---------------------------------------------------------------- object views

  let cdnUrl = '';
  /** `at` lets a creation answer describe the job as accepted, however long the answer took to build. */
  const pictureStatus = (picture: PictureRecord | VideoRecord, at = Date.now()): JobStatus =>
    picture.finished
      ? picture.failure
        ? 'failed'
        : 'completed'
      : at >= picture.processingAt
        ? 'processing'
        : 'queued';

  const projectJson = (project: ProjectRecord): ProjectJson => ({
    id: project.id,
    name: project.name,
    output: project.output,
    picture_aspect_ratio: project.pictureAspectRatio,
    picture_resolution: project.pictureResolution,
    status: project.status,
    created_at: isoSeconds(project.createdAt),
    published_at: project.publishedAt === null ? null : isoSeconds(project.publishedAt),
  });

  const pictureFile = (picture: PictureRecord) => `${picture.id}.${EXTENSION[picture.mediaType ?? 'image/jpeg']}`;

  const pictureJson = (picture: PictureRecord, at?: number): PictureJson => {
    const status = pictureStatus(picture, at);
    return {
      id: picture.id,
      project_id: picture.projectId,
      status,
      public_url: status === 'completed' ? `${cdnUrl}/projects/${picture.projectId}/${pictureFile(picture)}` : null,
      version: picture.version,
      subversion: picture.subversion,
      scene_type: picture.sceneType,
      scene_location: picture.sceneLocation,
      source_instruction: picture.instruction,
      source_picture_id: picture.sourcePictureId,
      aspect_ratio: picture.aspectRatio,
      resolution: picture.resolution,
      model: picture.model,
      created_at: isoSeconds(picture.createdAt),
      error: status === 'failed' ? picture.failure : null,
    };
  };

  const videoJson = (video: VideoRecord, at?: number): VideoJson => {
    const status = pictureStatus(video, at);
    return {
      id: video.id,
      project_id: video.projectId,
      status,
      public_url: status === 'completed' ? `${cdnUrl}/projects/${video.projectId}/${video.id}.mp4` : null,
      picture_ids: video.pictureIds,
      scene_context: video.sceneContext,
      voice_direction: video.voiceDirection,
      background_direction: video.backgroundDirection,
      aspect_ratio: video.aspectRatio,
      duration_seconds: status === 'completed' ? video.durationSeconds : null,
      created_at: isoSeconds(video.createdAt),
      error: status === 'failed' ? video.failure : null,
    };
  };

  /** What the API answers: the canonical JSON above in the current forms (webhooks keep the doc's shape). */
  const pictureOut = (picture: PictureRecord, at?: number) => pictureAnswer(pictureJson(picture, at), forms);
  const videoOut = (video: VideoRecord, at?: number) => videoAnswer(videoJson(video, at), forms);

  const agentJson = (): AgentJson => ({
    enabled: agent.enabled,
    auto_apply: agent.autoApply,
    learned_preferences: [],
    updated_at: isoSeconds(agent.updatedAt),
  });

  // ---------------------------------------------------------------- webhooks

  const sendWebhook = (url: string | null, type: string, data: unknown) => {
    if (!url || closed) return;
    const createdAt = Date.now();
    const event = { id: newId('evt', createdAt), type, created_at: isoSeconds(createdAt), data };
    // One body for every attempt: a receiver may dedupe by event id.
    const rawBody = JSON.stringify(event);
    const retryDelays = [1_000, 5_000, 25_000];
    const attempt = async (n: number): Promise<void> => {
      if (closed) return;
      const delivery = await deliverOnce(url, webhookSecret, event, rawBody, n, closing.signal);
      webhookDeliveries.push(delivery);
      const ok = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
      const delay = retryDelays[n - 1];
      if (!ok && delay !== undefined) later(scaled(delay), () => attempt(n + 1));
    };
    void track(attempt(1).catch(noteError));
  };

  // ---------------------------------------------------------------- generation

  const finishJob = (job: PictureRecord | VideoRecord, render: Promise<void>, kind: 'picture' | 'video') => {
    later(Math.max(0, job.dueAt - Date.now()), async () => {
      await render;
      if (closed) return;
      job.finished = true;
      if (job.failure && job.price > 0) {
        addLedger({
          amount: job.price,
          reason: 'refund',
          resourceIds: [job.id],
          idempotencyKey: job.idempotencyKey,
          requestId: job.requestId,
          route: null,
        });
      }
      const data = kind === 'picture' ? pictureJson(job as PictureRecord) : videoJson(job as VideoRecord);
      sendWebhook(job.webhookUrl, `${kind}.${job.failure ? 'failed' : 'completed'}`, data);
    });
  };

  const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

  // ---------------------------------------------------------------- request helpers

  const parseBody = async (call: Call): Promise<ParsedBody> => {
    if (call.parsed) return call.parsed;
    const rawContentType = String(call.headers['content-type'] ?? '');
    const contentType = rawContentType.toLowerCase();
    let parsed: ParsedBody;
    if (call.body.length === 0) parsed = { kind: 'empty' };
    else if (/^application\/json\s*(;|$)/.test(contentType)) {
      try {
        parsed = { kind: 'json', value: JSON.parse(call.body.toString('utf8')) as unknown };
      } catch (error) {
        parsed = { kind: 'invalid', reason: `body is not valid JSON (${describeError(error)})` };
      }
    } else if (/^multipart\/form-data\s*;/.test(contentType)) {
      try {
        const form = await new Response(call.body, { headers: { 'content-type': rawContentType } }).formData();
        parsed = { kind: 'form', form };
      } catch (error) {
        parsed = { kind: 'invalid', reason: `multipart body cannot be parsed (${describeError(error)})` };
      }
    } else parsed = { kind: 'other', contentType: rawContentType };
    call.parsed = parsed;
    return parsed;
  };

  /** What makes two requests "the same" for Idempotency-Key (A3). */
  const fingerprint = async (call: Call): Promise<string> => {
    const parsed = await parseBody(call);
    let body: string;
    if (parsed.kind === 'json') body = canonicalJson(parsed.value);
    else if (parsed.kind === 'form') {
      const entries: string[] = [];
      for (const [name, value] of parsed.form.entries()) {
        entries.push(
          typeof value === 'string'
            ? `${name}=${value}`
            : `${name}=file:${value.type}:${sha256(Buffer.from(await value.arrayBuffer()))}`,
        );
      }
      body = entries.sort().join('\n');
    } else body = sha256(call.body);
    return sha256(`${call.route.method} ${call.url.pathname}\n${body}`);
  };

  const jsonBody = async (call: Call, allowEmpty = false): Promise<unknown> => {
    const parsed = await parseBody(call);
    switch (parsed.kind) {
      case 'json':
        return parsed.value;
      case 'empty':
        if (allowEmpty) return {};
        throw violation(400, 'invalid_request', 'The body is empty; a JSON object is expected.');
      case 'invalid':
        throw violation(400, 'invalid_request', `The ${parsed.reason}.`);
      case 'form':
      case 'other':
        throw violation(
          415,
          'unsupported_media_type',
          `Content-Type must be application/json (got "${String(call.headers['content-type'] ?? '')}").`,
        );
    }
  };

  const validate = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const details = describeIssues(result.error, value);
    // One problem with one named field: say which, in every error form (A1).
    const only = details.length === 1 && details[0]?.field !== '(body)' ? details[0]?.field : undefined;
    throw new ApiError(
      400,
      'invalid_request',
      details.map((detail) => `${detail.field}: ${detail.message}`).join('; '),
      { details, field: only, violation: true },
    );
  };

  const findProject = (id: string): ProjectRecord => {
    const project = projects.get(id);
    if (!project) throw violation(404, 'not_found', `No project ${id}.`);
    return project;
  };

  /** Checks an image's bytes the way an upload is checked (A6). */
  const checkImage = async (bytes: Buffer, declared?: MediaType): Promise<MediaType> => {
    if (bytes.length > maxImageBytes) {
      throw violation(413, 'payload_too_large', `The image is ${bytes.length} bytes; the limit is ${maxImageBytes}.`);
    }
    const sniffed = sniffImage(bytes);
    if (!sniffed) throw violation(415, 'unsupported_media_type', 'The image must be a JPEG, PNG or WebP file.');
    if (declared && declared !== sniffed) {
      throw new ApiError(400, 'invalid_request', `media_type is ${declared} but the data is ${sniffed}.`, {
        details: [{ field: 'source.media_type', message: `does not match the data (${sniffed})` }],
        field: 'source.media_type',
        violation: true,
      });
    }
    let size: { width: number; height: number };
    try {
      size = await orientedSize(bytes, Number.MAX_SAFE_INTEGER);
    } catch (error) {
      throw violation(400, 'invalid_request', `The image cannot be read (${describeError(error)}).`);
    }
    if (size.width * size.height > maxPixels) {
      throw violation(
        400,
        'invalid_request',
        `The image is ${size.width}×${size.height} pixels; the limit is ${maxPixels} pixels.`,
      );
    }
    return sniffed;
  };

  const newOriginal = (
    call: Call,
    project: ProjectRecord,
    fields: { scene_type: SceneType; scene_location: string; webhook_url?: string | undefined },
  ): PictureRecord => {
    const now = Date.now();
    const picture: PictureRecord = {
      id: newId('pic', now),
      projectId: project.id,
      kind: 'original',
      rootId: '',
      version: 0,
      subversion: 0,
      sceneType: fields.scene_type,
      sceneLocation: fields.scene_location,
      instruction: null,
      sourcePictureId: null,
      aspectRatio: null,
      resolution: null,
      model: null,
      bytes: null,
      mediaType: null,
      delayedUpload: false,
      createdAt: now,
      processingAt: now,
      dueAt: now,
      finished: false,
      failure: null,
      webhookUrl: fields.webhook_url ?? null,
      price: 0,
      idempotencyKey: call.idempotencyKey,
      requestId: call.record.id,
    };
    picture.rootId = picture.id;
    return picture;
  };

  const completeOriginal = (picture: PictureRecord, bytes: Buffer, mediaType: MediaType) => {
    picture.bytes = bytes;
    picture.mediaType = mediaType;
    picture.finished = true;
    pictures.set(picture.id, picture);
    sendWebhook(picture.webhookUrl, 'picture.completed', pictureJson(picture));
  };

  /** A file or base64 upload: completed at once, or after `pictureUploadMs` under `uploadReadiness: 'delayed'`. */
  const acceptUpload = (picture: PictureRecord, bytes: Buffer, mediaType: MediaType) => {
    if (forms.uploadReadiness === 'immediate') {
      completeOriginal(picture, bytes, mediaType);
      return;
    }
    picture.bytes = bytes;
    picture.mediaType = mediaType;
    picture.delayedUpload = true;
    picture.dueAt = picture.createdAt + scaled(durations.pictureUploadMs);
    pictures.set(picture.id, picture);
    later(Math.max(0, picture.dueAt - Date.now()), () => {
      if (!closed) completeOriginal(picture, bytes, mediaType);
    });
  };

  /** A URL source is fetched after the answer, as the real service would (A6). */
  const fetchSource = async (picture: PictureRecord, url: string) => {
    try {
      const response = await fetch(url, {
        redirect: 'follow',
        signal: AbortSignal.any([AbortSignal.timeout(30_000), closing.signal]),
      });
      if (!response.ok) throw new Error(`the source URL answered ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const mediaType = await checkImage(bytes);
      if (closed) return;
      completeOriginal(picture, bytes, mediaType);
    } catch (error) {
      if (closed) return;
      picture.failure = { code: 'source_unavailable', message: describeError(error) };
      picture.finished = true;
      sendWebhook(picture.webhookUrl, 'picture.failed', pictureJson(picture));
    }
  };

  const takeFault = (target: 'api' | 'cdn', route: string | null, jobFault: boolean): Fault | undefined => {
    const index = faultRules.findIndex(
      (rule) =>
        rule.target === target &&
        (rule.route === undefined || rule.route === route) &&
        (rule.fault.kind === 'fail_job') === jobFault,
    );
    const rule = faultRules[index];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) faultRules.splice(index, 1);
    return rule.fault;
  };

  const charge = (call: Call, amount: number, reason: 'enhancement' | 'video', resourceIds: string[]) => {
    addLedger({
      amount: -amount,
      reason,
      resourceIds,
      idempotencyKey: call.idempotencyKey,
      requestId: call.record.id,
      route: call.route.name,
    });
  };

  const requireCredits = (cost: number) => {
    if (balance < cost) {
      throw new ApiError(
        402,
        'insufficient_credits',
        `This request costs ${cost} credits; the balance is ${balance}.`,
        {
          details: { required: cost, balance },
        },
      );
    }
  };

  // ---------------------------------------------------------------- handlers

  const checkInstruction = (instruction: Instruction, picture: PictureRecord): string[] => {
    switch (instruction.source) {
      case 'preset': {
        const groups = new Map<string, string>();
        for (const id of instruction.actions) {
          const action = ACTIONS.find((candidate) => candidate.id === id);
          if (!action) throw invalidField('instruction.actions', `unknown action "${id}"`);
          if (!action.scene_types.includes(picture.sceneType)) {
            throw invalidField('instruction.actions', `"${id}" does not apply to a ${picture.sceneType} picture`);
          }
          const other = groups.get(action.group);
          if (other)
            throw invalidField('instruction.actions', `"${id}" and "${other}" are both in group ${action.group}`);
          groups.set(action.group, id);
        }
        return instruction.actions;
      }
      case 'quick_action': {
        const quick = QUICK_ACTIONS.find((candidate) => candidate.id === instruction.quick_action_id);
        if (!quick)
          throw invalidField('instruction.quick_action_id', `unknown quick action "${instruction.quick_action_id}"`);
        if (!quick.scene_types.includes(picture.sceneType)) {
          throw invalidField(
            'instruction.quick_action_id',
            `"${quick.id}" does not apply to a ${picture.sceneType} picture`,
          );
        }
        return quick.instruction.actions;
      }
      case 'consistency': {
        const reference = pictures.get(instruction.reference_picture_id);
        if (!reference || reference.projectId !== picture.projectId) {
          throw invalidField('instruction.reference_picture_id', 'must be a picture of the same project');
        }
        if (pictureStatus(reference) !== 'completed') {
          throw invalidField('instruction.reference_picture_id', 'must be a completed picture');
        }
        return [];
      }
      case 'custom':
      case 'prompt':
      case 'custom_prompt':
        return [];
    }
  };

  const invalidField = (field: string, message: string) =>
    new ApiError(400, 'invalid_request', `${field}: ${message}`, {
      details: [{ field, message }],
      field,
      violation: true,
    });

  /** 409 for a picture that is not completed yet (A7; code from the `notReadyCode` form). */
  const notReady = (picture: PictureRecord, field?: string) =>
    new ApiError(409, forms.notReadyCode, `Picture ${picture.id} is ${pictureStatus(picture)}, not completed.`, {
      violation: true,
      field,
    });

  /** A prompt under the wrong source word is its own refusal, 422 invalid_instruction (A5, `promptSource`). */
  const checkPromptSource = (body: unknown) => {
    const wrong = wrongPromptSource(body, forms.promptSource);
    if (!wrong) return;
    const field = 'instruction.source';
    throw new ApiError(422, 'invalid_instruction', wrong.message, {
      details: { field, accepted: wrong.accepted },
      field,
      violation: true,
    });
  };

  const createEnhancement = async (call: Call): Promise<Answer> => {
    const pictureId = call.params[0] ?? '';
    const source = pictures.get(pictureId);
    if (!source) throw violation(404, 'not_found', `No picture ${pictureId}.`);
    const raw = await jsonBody(call);
    checkPromptSource(raw);
    const body: EnhancementBody = validate(schemas().enhancement, raw);
    const project = findProject(source.projectId);
    if (pictureStatus(source) !== 'completed' || !source.bytes) throw notReady(source);
    const actions = checkInstruction(body.instruction, source);
    const resolution = body.resolution ?? project.pictureResolution;
    const aspectRatio = body.aspect_ratio ?? project.pictureAspectRatio;
    const model = MODELS.find((candidate) => candidate.id === (body.model ?? 'aix-vision-2'));
    if (model && !model.resolutions.includes(resolution)) {
      throw invalidField(body.resolution ? 'resolution' : 'model', `model ${model.id} does not offer ${resolution}`);
    }
    const variants = body.variants ?? 1;
    const cost = variants * prices.picture;
    requireCredits(cost);

    const lineage = [...pictures.values()].filter((picture) => picture.rootId === source.rootId);
    const version =
      source.kind === 'original' ? Math.max(0, ...lineage.map((picture) => picture.version)) + 1 : source.version;
    const firstSubversion =
      source.kind === 'original'
        ? 0
        : Math.max(...lineage.filter((picture) => picture.version === version).map((picture) => picture.subversion)) +
          1;
    const jobFault = takeFault('api', call.route.name, true);
    const now = Date.now();
    const created: PictureRecord[] = [];
    const input = source.bytes;
    for (let index = 0; index < variants; index += 1) {
      const picture: PictureRecord = {
        id: newId('pic', now),
        projectId: project.id,
        kind: 'generated',
        rootId: source.rootId,
        version,
        subversion: firstSubversion + index,
        sceneType: source.sceneType,
        sceneLocation: source.sceneLocation,
        instruction: body.instruction,
        sourcePictureId: source.id,
        aspectRatio,
        resolution,
        model: body.model ?? null,
        bytes: null,
        mediaType: 'image/jpeg',
        delayedUpload: false,
        createdAt: now,
        processingAt: now + scaled(durations.pictureQueuedMs),
        dueAt: now + scaled(durations.pictureQueuedMs + durations.pictureProcessingMs),
        finished: false,
        failure: null,
        webhookUrl: body.webhook_url ?? source.webhookUrl,
        price: prices.picture,
        idempotencyKey: call.idempotencyKey,
        requestId: call.record.id,
      };
      pictures.set(picture.id, picture);
      created.push(picture);
      const seed =
        'prompt' in body.instruction
          ? body.instruction.prompt
          : body.instruction.source === 'consistency'
            ? body.instruction.reference_picture_id
            : '';
      const render = track(
        renderPicture(input, {
          aspectRatio,
          resolution,
          subversion: picture.subversion,
          actions,
          seed,
          maxPixels,
        }).then(
          (bytes) => {
            if (jobFault?.kind === 'fail_job') {
              picture.failure = {
                code: jobFault.code ?? 'generation_failed',
                message: jobFault.message ?? 'The generation failed.',
              };
            } else picture.bytes = bytes;
          },
          (error: unknown) => {
            picture.failure = { code: 'generation_failed', message: describeError(error) };
          },
        ),
      );
      finishJob(picture, render, 'picture');
    }
    charge(
      call,
      cost,
      'enhancement',
      created.map((picture) => picture.id),
    );
    const pictureViews = created.map((picture) => pictureJson(picture, now));
    return { status: 202, ...enhancementAnswer(pictureViews, forms, { charged: cost, balance }) };
  };

  const createPicture = async (call: Call): Promise<Answer> => {
    const project = findProject(call.params[0] ?? '');
    const parsed = await parseBody(call);
    if (parsed.kind === 'form') {
      const allowed = new Set(['file', 'scene_type', 'scene_location', 'webhook_url']);
      const names = [...new Set([...parsed.form.keys()])];
      const unknown = names.filter((name) => !allowed.has(name));
      if (unknown.length > 0) {
        throw invalidField(
          unknown[0] ?? '',
          `unknown multipart part (expected file, scene_type, scene_location, webhook_url)`,
        );
      }
      const repeated = names.find((name) => parsed.form.getAll(name).length > 1);
      if (repeated) throw invalidField(repeated, 'is sent more than once');
      const file = parsed.form.get('file');
      if (file === null) throw invalidField('file', 'is required');
      if (typeof file === 'string') throw invalidField('file', 'must be a file part, not a text field');
      const text: Record<string, string> = {};
      for (const [name, value] of parsed.form.entries()) {
        if (name === 'file') continue;
        if (typeof value !== 'string') throw invalidField(name, 'must be a text field, not a file');
        text[name] = value;
      }
      const fields = validate(schemas().pictureForm, text);
      const bytes = Buffer.from(await file.arrayBuffer());
      const mediaType = await checkImage(bytes);
      const picture = newOriginal(call, project, fields);
      acceptUpload(picture, bytes, mediaType);
      return { status: 201, body: pictureOut(picture) };
    }
    if (parsed.kind === 'other') {
      throw violation(
        415,
        'unsupported_media_type',
        `Content-Type must be application/json or multipart/form-data (got "${parsed.contentType}").`,
      );
    }
    const body = validate(schemas().pictureJson, await jsonBody(call));
    const picture = newOriginal(call, project, body);
    if (body.source.type === 'base64') {
      const bytes = Buffer.from(body.source.data, 'base64');
      const mediaType = await checkImage(bytes, body.source.media_type);
      acceptUpload(picture, bytes, mediaType);
      return { status: 201, body: pictureOut(picture) };
    }
    pictures.set(picture.id, picture);
    void track(fetchSource(picture, body.source.url));
    return { status: 201, body: pictureOut(picture) };
  };

  const createVideo = async (call: Call): Promise<Answer> => {
    const body = validate(schemas().video, await jsonBody(call));
    const project = projects.get(body.project_id);
    if (!project) throw invalidField('project_id', `no project ${body.project_id}`);
    const chosen: PictureRecord[] = [];
    for (const id of body.picture_ids) {
      const picture = pictures.get(id);
      if (!picture || picture.projectId !== project.id) {
        throw invalidField('picture_ids', `${id} is not a picture of project ${project.id}`);
      }
      if (pictureStatus(picture) !== 'completed' || !picture.bytes) {
        // A delayed upload is "not ready" (409, as for an enhancement); a generation still running stays 400.
        if (picture.delayedUpload) throw notReady(picture, 'picture_ids');
        throw invalidField('picture_ids', `${id} is not completed`);
      }
      chosen.push(picture);
    }
    requireCredits(prices.video);
    const jobFault = takeFault('api', call.route.name, true);
    const now = Date.now();
    const video: VideoRecord = {
      id: newId('vid', now),
      projectId: project.id,
      pictureIds: body.picture_ids,
      sceneContext: body.scene_context ?? null,
      voiceDirection: body.voice_direction ?? null,
      backgroundDirection: body.background_direction ?? null,
      aspectRatio: body.aspect_ratio ?? project.pictureAspectRatio,
      durationSeconds: null,
      bytes: null,
      createdAt: now,
      processingAt: now + scaled(durations.videoQueuedMs),
      dueAt: now + scaled(durations.videoQueuedMs + durations.videoProcessingMs),
      finished: false,
      failure: null,
      webhookUrl: body.webhook_url ?? null,
      price: prices.video,
      idempotencyKey: call.idempotencyKey,
      requestId: call.record.id,
    };
    videos.set(video.id, video);
    const inputs = chosen.map((picture) => picture.bytes).filter((bytes): bytes is Buffer => bytes !== null);
    const render = track(
      renderVideo(inputs, video.aspectRatio, maxPixels).then(
        (result) => {
          if (jobFault?.kind === 'fail_job') {
            video.failure = {
              code: jobFault.code ?? 'generation_failed',
              message: jobFault.message ?? 'The video failed.',
            };
          } else {
            video.bytes = result.bytes;
            video.durationSeconds = result.durationSeconds;
          }
        },
        (error: unknown) => {
          video.failure = { code: 'generation_failed', message: describeError(error) };
        },
      ),
    );
    finishJob(video, render, 'video');
    charge(call, prices.video, 'video', [video.id]);
    return { status: 202, body: videoOut(video, now) };
  };

  const handlers: Record<ApiRouteName, (call: Call) => Promise<Answer> | Answer> = {
    'POST /v1/projects': async (call) => {
      const body = validate(schemas().project, await jsonBody(call));
      const project: ProjectRecord = {
        id: newId('prj'),
        name: body.name,
        output: body.output,
        pictureAspectRatio: body.picture_aspect_ratio,
        pictureResolution: body.picture_resolution,
        status: 'draft',
        createdAt: Date.now(),
        publishedAt: null,
      };
      projects.set(project.id, project);
      return { status: 201, body: projectJson(project) };
    },
    'GET /v1/projects/{project_id}': (call) => ({ status: 200, body: projectJson(findProject(call.params[0] ?? '')) }),
    'POST /v1/projects/{project_id}/publish': async (call) => {
      const project = findProject(call.params[0] ?? '');
      validate(schemas().publish, await jsonBody(call, true));
      if (project.status !== 'published') {
        project.status = 'published';
        project.publishedAt = Date.now();
      }
      return { status: 200, body: projectJson(project) };
    },
    'POST /v1/projects/{project_id}/pictures': createPicture,
    'GET /v1/projects/{project_id}/pictures': (call) => {
      const project = findProject(call.params[0] ?? '');
      const data = [...pictures.values()]
        .filter((picture) => picture.projectId === project.id)
        .map((picture) => pictureOut(picture));
      return { status: 200, body: listAnswer(data, forms) };
    },
    'POST /v1/pictures/{picture_id}/enhancements': createEnhancement,
    'POST /v1/videos': createVideo,
    'GET /v1/videos': (call) => {
      const projectId = call.url.searchParams.get('project_id');
      if (!projectId) throw invalidField('project_id', 'query parameter is required');
      const project = findProject(projectId);
      const data = [...videos.values()]
        .filter((video) => video.projectId === project.id)
        .map((video) => videoOut(video));
      return { status: 200, body: listAnswer(data, forms) };
    },
    'GET /v1/videos/{video_id}': (call) => {
      const id = call.params[0] ?? '';
      const video = videos.get(id);
      if (!video) throw violation(404, 'not_found', `No video ${id}.`);
      return { status: 200, body: videoOut(video) };
    },
    'GET /v1/catalog/models': () => ({ status: 200, body: modelsCatalogAnswer(forms) }),
    'GET /v1/catalog/actions': () => ({ status: 200, body: actionsCatalogAnswer(forms) }),
    'GET /v1/catalog/aspect-ratios': () => ({ status: 200, body: aspectRatiosCatalogAnswer(aspectRatios, forms) }),
    'GET /v1/agent': () => ({ status: 200, body: agentJson() }),
    'PATCH /v1/agent': async (call) => {
      const body = validate(schemas().agentPatch, await jsonBody(call));
      agent = {
        enabled: body.enabled ?? agent.enabled,
        autoApply: body.auto_apply ?? agent.autoApply,
        updatedAt: Date.now(),
      };
      return { status: 200, body: agentJson() };
    },
    'GET /v1/quick-actions': () => ({ status: 200, body: listAnswer(QUICK_ACTIONS, forms) }),
    'GET /v1/credits/balance': () => ({ status: 200, body: { balance } }),
    'GET /v1/credits/ledger': () => ({ status: 200, body: ledgerAnswer(ledger, forms) }),
  };

  // ---------------------------------------------------------------- dispatch

  const authenticate = (headers: http.IncomingHttpHeaders): string => {
    const header = headers.authorization;
    const alternative = headers['x-api-key'];
    if (typeof alternative === 'string') rememberKey(alternative);
    if (header === undefined) {
      throw new ApiError(
        401,
        'unauthorized',
        alternative === undefined
          ? 'Missing Authorization header; send "Authorization: Bearer <key>".'
          : 'The key belongs in "Authorization: Bearer <key>", not in x-api-key.',
        { violation: true, headers: { 'WWW-Authenticate': 'Bearer' } },
      );
    }
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
    if (!match?.[1]) {
      rememberKey(header);
      throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <key>".', {
        violation: true,
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    rememberKey(match[1]);
    if (!apiKeys.has(match[1])) {
      throw new ApiError(401, 'unauthorized', 'The API key is not valid.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    return match[1];
  };

  const dispatch = async (
    record: RequestRecord,
    request: http.IncomingMessage,
    url: URL,
    body: Buffer,
    tooLarge: boolean,
    slow: { ms: number; done: boolean },
  ): Promise<Answer> => {
    const method = request.method ?? 'GET';
    if ((method === 'HEAD' || method === 'GET') && /^\/(v1\/?)?$/.test(url.pathname)) {
      return errorReply({ status: 404, code: 'not_found', message: 'Nothing here; see /v1/….' });
    }
    const key = authenticate(request.headers);
    record.apiKey = key;
    const candidates = ROUTES.filter((route) => route.pattern.test(url.pathname));
    if (candidates.length === 0) {
      throw violation(404, 'not_found', `${method} ${url.pathname} is not an AIXpose endpoint.`);
    }
    const route = candidates.find((candidate) => candidate.method === method);
    if (!route) {
      const allow = candidates.map((candidate) => candidate.method).join(', ');
      throw new ApiError(
        405,
        'method_not_allowed',
        `${method} is not allowed on ${url.pathname} (allowed: ${allow}).`,
        {
          violation: true,
          headers: { Allow: allow },
        },
      );
    }
    let params: string[];
    try {
      params = (route.pattern.exec(url.pathname) ?? []).slice(1).map((param) => decodeURIComponent(param));
    } catch {
      throw violation(400, 'invalid_request', `The path ${url.pathname} is not validly percent-encoded.`);
    }
    const allowedQuery: readonly string[] = 'query' in route ? route.query : [];
    for (const name of new Set(url.searchParams.keys())) {
      if (!allowedQuery.includes(name)) throw invalidField(name, 'unknown query parameter');
      if (url.searchParams.getAll(name).length > 1) throw invalidField(name, 'query parameter given more than once');
    }
    if (tooLarge) throw violation(413, 'payload_too_large', `The body is larger than ${maxBodyBytes} bytes.`);

    const idempotencyKey = record.idempotencyKey;
    const call: Call = { record, route, params, url, headers: request.headers, body, apiKey: key, idempotencyKey };
    const run = async () => {
      if (slow.ms > 0) {
        slow.done = true;
        await new Promise((resolve) => setTimeout(resolve, slow.ms));
      }
      return handlers[route.name](call);
    };
    if (method === 'GET') return run();
    if (idempotencyKey === null) {
      if (method === 'POST' && requireIdempotencyKey) {
        throw violation(400, 'idempotency_key_missing', `${route.name} requires an Idempotency-Key header.`);
      }
      return run();
    }
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw violation(400, 'invalid_request', 'Idempotency-Key must be 1–255 visible ASCII characters.');
    }
    const storeKey = `${key}\u0000${idempotencyKey}`;
    const print = await fingerprint(call);
    const stored = idempotency.get(storeKey);
    if (stored) {
      if (stored.fingerprint !== print) {
        throw violation(
          422,
          'idempotency_key_reused',
          `Idempotency-Key "${idempotencyKey}" was first used for ${stored.route} with a different request.`,
        );
      }
      if (!stored.answer) {
        throw new ApiError(409, forms.inProgressCode, 'A request with this Idempotency-Key is still in progress.', {
          headers: { 'Retry-After': '1' },
        });
      }
      record.outcome = 'replayed';
      return { ...stored.answer, headers: { ...stored.answer.headers, 'Idempotent-Replayed': 'true' } };
    }
    idempotency.set(storeKey, { fingerprint: print, route: `${method} ${url.pathname}`, answer: null });
    try {
      const answer = await run();
      if (answer.status >= 200 && answer.status < 300) {
        idempotency.set(storeKey, { fingerprint: print, route: `${method} ${url.pathname}`, answer });
      } else idempotency.delete(storeKey);
      return answer;
    } catch (error) {
      idempotency.delete(storeKey);
      throw error;
    }
  };

  /** An error answer in the current `errorShape` form (A1). */
  const errorReply = (facts: ErrorFacts, headers?: Record<string, string>): Answer => ({
    status: facts.status,
    ...errorBody(facts, forms),
    headers,
  });

  const errorAnswer = (error: unknown, record: RequestRecord): Answer => {
    if (!(error instanceof ApiError)) {
      noteError(error);
      return errorReply({ status: 500, code: 'internal_error', message: 'Internal error.' });
    }
    if (error.extra.violation) {
      violations.push({
        requestId: record.id,
        target: record.target,
        method: record.method,
        path: record.path,
        route: record.route,
        status: error.status,
        code: error.code,
        reason: error.message,
      });
    }
    const facts: ErrorFacts = { status: error.status, code: error.code, message: error.message };
    if (error.extra.details !== undefined) facts.details = error.extra.details;
    if (error.extra.field !== undefined) facts.field = error.extra.field;
    return errorReply(facts, error.extra.headers);
  };

  const send = (response: http.ServerResponse, record: RequestRecord, answer: Answer) => {
    record.status = answer.status;
    if (record.outcome === 'pending') record.outcome = 'answered';
    if (response.destroyed || response.socket?.destroyed) {
      record.outcome = 'client_gone';
      return;
    }
    const contentType = answer.contentType ?? 'application/json';
    const verbatim = typeof answer.body === 'string' && !/json/.test(contentType);
    const payload = Buffer.from(verbatim ? String(answer.body) : JSON.stringify(answer.body));
    response
      .writeHead(answer.status, {
        'Content-Type': contentType,
        'Content-Length': String(payload.length),
        'X-Request-Id': record.id,
        ...answer.headers,
      })
      .end(record.method === 'HEAD' ? undefined : payload);
  };

  const readBody = (request: http.IncomingMessage, limit: number) =>
    new Promise<{ body: Buffer; tooLarge: boolean }>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) tooLarge = true;
        else chunks.push(chunk);
      });
      request.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
      request.on('error', reject);
    });

  const faultAnswer = (fault: Fault): Answer | null => {
    if (fault.kind === 'status') {
      const code = fault.status === 503 ? 'service_unavailable' : 'internal_error';
      return errorReply(
        { status: fault.status, code, message: 'Injected fault.' },
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
      );
    }
    if (fault.kind === 'rate_limit') {
      return errorReply(
        { status: 429, code: 'rate_limited', message: 'Too many requests.' },
        { 'Retry-After': String(fault.retryAfterSeconds) },
      );
    }
    return null;
  };

  const handleApi = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const method = request.method ?? 'GET';
    const idempotencyHeader = request.headers['idempotency-key'];
    const record: RequestRecord = {
      id: newId('req'),
      at: Date.now(),
      target: 'api',
      method,
      path: url.pathname + url.search,
      route: ROUTES.find((route) => route.method === method && route.pattern.test(url.pathname))?.name ?? null,
      apiKey: null,
      idempotencyKey: typeof idempotencyHeader === 'string' ? idempotencyHeader : null,
      status: null,
      outcome: 'pending',
      fault: null,
    };
    requests.push(record);
    const fault = takeFault('api', record.route, false);
    record.fault = fault?.kind ?? null;
    if (fault?.kind === 'reset_before') {
      record.outcome = 'reset_before';
      request.socket.destroy();
      return;
    }
    const injected = fault ? faultAnswer(fault) : null;
    if (injected) {
      request.resume();
      send(response, record, injected);
      return;
    }
    const limit = options.rateLimit;
    if (limit) {
      const now = Date.now();
      const recent = arrivals.filter((at) => at > now - limit.windowMs).length;
      arrivals.push(now);
      if (recent >= limit.requests) {
        request.resume();
        send(
          response,
          record,
          faultAnswer({ kind: 'rate_limit', retryAfterSeconds: limit.retryAfterSeconds }) as Answer,
        );
        return;
      }
    }
    const { body, tooLarge } = await readBody(request, maxBodyBytes);
    const slow = { ms: fault?.kind === 'delay' ? fault.ms : 0, done: false };
    let answer: Answer;
    try {
      answer = await dispatch(record, request, url, body, tooLarge, slow);
    } catch (error) {
      answer = errorAnswer(error, record);
    }
    if (slow.ms > 0 && !slow.done) await new Promise((resolve) => setTimeout(resolve, slow.ms));
    if (fault?.kind === 'reset_after') {
      record.status = answer.status;
      record.outcome = 'reset_after';
      request.socket.destroy();
      return;
    }
    send(response, record, answer);
  };

  // ---------------------------------------------------------------- CDN

  const handleCdn = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://cdn');
    const method = request.method ?? 'GET';
    const record: RequestRecord = {
      id: newId('req'),
      at: Date.now(),
      target: 'cdn',
      method,
      path: url.pathname + url.search,
      route: CDN_ROUTE,
      apiKey: null,
      idempotencyKey: null,
      status: null,
      outcome: 'pending',
      fault: null,
    };
    requests.push(record);
    request.resume();
    const fault = takeFault('cdn', CDN_ROUTE, false);
    record.fault = fault?.kind ?? null;
    if (fault?.kind === 'reset_before') {
      record.outcome = 'reset_before';
      request.socket.destroy();
      return;
    }
    const injected = fault ? faultAnswer(fault) : null;
    if (injected) {
      send(response, record, injected);
      return;
    }
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      rememberKey(authorization.replace(/^Bearer /i, ''));
      violations.push({
        requestId: record.id,
        target: 'cdn',
        method,
        path: record.path,
        route: CDN_ROUTE,
        status: 200,
        code: 'credential_leak',
        reason: 'An Authorization header was sent to the public CDN, another origin: the API key leaked.',
      });
    }
    const serve = () => {
      const match = /^\/projects\/([^/]+)\/([^/.]+)\.(\w+)$/.exec(url.pathname);
      if (!match || (method !== 'GET' && method !== 'HEAD')) return null;
      const [, projectId, id, extension] = match;
      const picture = id ? pictures.get(id) : undefined;
      if (picture && picture.projectId === projectId && pictureStatus(picture) === 'completed' && picture.bytes) {
        const mediaType = picture.mediaType ?? 'image/jpeg';
        return EXTENSION[mediaType] === extension ? { bytes: picture.bytes, type: mediaType } : null;
      }
      const video = id ? videos.get(id) : undefined;
      if (video && video.projectId === projectId && pictureStatus(video) === 'completed' && video.bytes) {
        return extension === 'mp4' ? { bytes: video.bytes, type: 'video/mp4' } : null;
      }
      return null;
    };
    const file = serve();
    const finish = () => {
      if (fault?.kind === 'reset_after') {
        record.status = file ? 200 : 404;
        record.outcome = 'reset_after';
        request.socket.destroy();
        return;
      }
      if (!file) {
        send(response, record, errorReply({ status: 404, code: 'not_found', message: 'No such file.' }));
        return;
      }
      record.status = 200;
      record.outcome = 'answered';
      response
        .writeHead(200, {
          'Content-Type': file.type,
          'Content-Length': String(file.bytes.length),
          'Cache-Control': 'public, max-age=31536000, immutable',
        })
        .end(method === 'HEAD' ? undefined : file.bytes);
    };
    if (fault?.kind === 'delay') setTimeout(finish, fault.ms);
    else finish();
  };

  // ---------------------------------------------------------------- listeners

  const api = http.createServer((request, response) => {
    handleApi(request, response).catch((error: unknown) => {
      noteError(error);
      if (!response.headersSent && !response.destroyed) response.writeHead(500).end();
    });
  });
  const cdn = http.createServer(handleCdn);
  const listen = (server: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = (server: http.Server) =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const port = await listen(api, options.port ?? 0);
  const cdnPort = await listen(cdn, options.cdnPort ?? 0);
  cdnUrl = `http://127.0.0.1:${cdnPort}`;
  let reachable = true;

  const waitForIdle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    cdnUrl,
    cdnPort,
    apiKey,
    webhookSecret,
    violations,
    requests,
    keysInProgress: () =>
      [...idempotency]
        .filter(([, entry]) => entry.answer === null)
        .map(([storeKey]) => storeKey.slice(storeKey.indexOf('\u0000') + 1)),
    ledger,
    webhookDeliveries,
    seenApiKeys,
    internalErrors,
    get balance() {
      return balance;
    },
    get forms() {
      return forms;
    },
    setForms: (changes) => {
      forms = mergeForms(forms, changes);
    },
    setCredits: (credits) => {
      addLedger({
        amount: credits - balance,
        reason: 'adjustment',
        resourceIds: [],
        idempotencyKey: null,
        requestId: null,
        route: null,
      });
    },
    setFault: (fault, scope = {}) => {
      faultRules.push({ fault, remaining: scope.times ?? 1, route: scope.route, target: scope.target ?? 'api' });
    },
    clearFaults: () => {
      faultRules.splice(0);
    },
    setUnreachable: async (unreachable) => {
      if (unreachable === !reachable) return;
      reachable = !unreachable;
      if (unreachable) await Promise.all([stop(api), stop(cdn)]);
      else {
        await listen(api, port);
        await listen(cdn, cdnPort);
      }
    },
    projects: () => [...projects.values()].map(projectJson),
    pictures: () => [...pictures.values()].map((picture) => pictureJson(picture)),
    videos: () => [...videos.values()].map((video) => videoJson(video)),
    agent: agentJson,
    waitForIdle,
    close: async () => {
      if (closed) return;
      closed = true;
      closing.abort();
      for (const cancel of [...timers]) cancel();
      await Promise.all([stop(api), stop(cdn)]);
      await waitForIdle();
    },
  };
}
