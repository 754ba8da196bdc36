/**
 * ProductAI sandbox: a loopback emulator of the ProductAI.photo API that follows
 * shared/api-docs/productai.txt strictly, records every departure from it, and injects faults.
 *
 * ASSUMPTIONS — where the doc is silent, this sandbox chooses (the stricter reading wherever there was one):
 *
 *  An entry that names a switch `forms.<name>` can be made to answer in other plausible forms, through the
 *  `forms` option or `setForms` (see forms.ts); without one the sandbox answers as the entry says. Forms
 *  change only how answers are written: checks, charges and recorded violations are the same in all of them.
 *
 *  Paths and hosts
 *  A1. The doc's base URL ends in `/v1`, so the sandbox's `baseUrl` is `http://127.0.0.1:<port>/v1` and the
 *      endpoints are `/v1/api/generate`, `/v1/api/upscale`, `/v1/api/job/:job_id`. Any other path is 404,
 *      a known path with the wrong method is 405 (with `Allow`); both are recorded as violations.
 *  A2. Output images are served by the sandbox at `http://127.0.0.1:<port>/files/<job id>.jpg`, outside
 *      `/v1`, standing in for the CDN the doc's `https://generated-image-url.jpg` suggests: no API key is
 *      needed, they do not count toward the rate limit, and a file is 404 until its job is COMPLETED.
 *
 *  Errors
 *  A3. The doc shows one error body, `{ name: "ApiError", message: "OUT_OF_TOKENS", details: "Not enough
 *      credits" }`. Every other error uses the same shape with `message` taken from the doc's "Common Error
 *      Codes" table ("Bad Request", "Unauthorized", "Internal Server Error") or the HTTP reason phrase
 *      where the table has none ("Not Found", "Method Not Allowed", "Too Many Requests"), and `details`
 *      saying in words what was wrong.
 *  A4. The table gives OUT_OF_TOKENS no HTTP status ("—"). The sandbox answers 400 by default (option
 *      `outOfTokensStatus`), so a client must recognise it by the body, not the status. Switch
 *      `forms.outOfTokens`: 'doc400' (this), '402' (same body), 'okError' (HTTP 200, `{ status: "ERROR",
 *      message: "OUT_OF_TOKENS", details }`), 'nested' (HTTP 403, `{ error: { code, message } }`).
 *  A5. Successful answers are HTTP 200 with `Content-Type: application/json`, in the doc's envelope
 *      `{ status: "OK", data: <job> }`. Switch `forms.envelope`: 'doc' (this) or 'bare' (the job object at
 *      the top level). Switch `forms.garbageAfterCharge` (with `garbageAfterChargeTimes`): the next
 *      generate/upscale that creates and charges a job is answered 200 with `<html>gateway</html>` as
 *      text/html, as a proxy in front of the API might; the request is marked `garbage` in `requests`.
 *
 *  Auth
 *  A6. A missing, empty or unknown `x-api-key` is 401, checked before routing and validation. A key sent
 *      as `Authorization: Bearer …` instead is not accepted (the doc names only `x-api-key`). All accepted
 *      keys belong to one account: one balance, one rate limit.
 *
 *  Rate limit
 *  A7. "15 requests per minute" is a sliding window: a request is refused when 15 API requests already
 *      arrived in the 60 s before it. Every request to `/v1` counts — polls, refused ones (400/401/404),
 *      fault-injected ones and the 429s themselves — because the doc says "requests", not "jobs". The
 *      limit is checked first, before the key, so a flood of bad-key requests is throttled too. Each request
 *      record says whether it was `counted`; `requestsCounted` is the total. Option `probesCount: false`
 *      leaves reachability probes (HEAD or GET of `/`, `/v1` or `/v1/`) out of the count; they are still
 *      answered (404) and recorded as today.
 *  A8. Over the limit: HTTP 429 (the status the doc's best practices name), message "Too Many Requests",
 *      no job, no charge. No `Retry-After` header by default (the doc promises none and says to back off
 *      exponentially); option `retryAfter: true` adds one. Switch `forms.retryAfterStyle`: 'none', 'seconds'
 *      (whole seconds until the window frees a slot, rounded up; the default with `retryAfter: true`) or
 *      'date' (that moment as an HTTP-date, with a `Date` header from the sandbox's clock). Only while a
 *      rate limit is configured.
 *  A9. The "Daily Limit" depends on the plan, so it is off unless `dailyLimit` is set; then requests over
 *      it in one UTC day are answered like A8 with details naming the daily limit.
 *  A10. The doc's "wait at least 3-5 seconds between job status checks" is advice, not a rule: polls of
 *      one job closer than 3 s (divided by `speed`) go to `advisories`, not `violations`.
 *
 *  Request bodies
 *  A11. POST bodies must be `Content-Type: application/json` (every doc example sends it) and at most 1 MiB
 *      (the API takes URLs, never image bytes); otherwise 400.
 *  A12. Fields the doc does not list are refused (400) rather than ignored, so a client cannot believe an
 *      option works that the API does not have. `model` must match one of the seven names exactly.
 *  A13. `prompt` must be a non-empty string (whitespace only counts as empty); no length limit is applied.
 *  A14. Generate's `image_url` may be a string or an array of strings (the doc allows both for every model);
 *      an array must hold 1 URL, or 1–2 for seedream, nanobanana and nanobananapro. Upscale's `image_url`
 *      is one URL string only (the doc describes a single URL there and no array).
 *  A15. Each URL must be absolute http(s); `data:` URLs and anything else are refused, since the API is
 *      URL-only. The sandbox fetches only loopback hosts unless `allowExternalFetch` is set.
 *
 *  Input images
 *  A16. The sandbox fetches every image during the POST, before creating the job. A fetch that fails (refused,
 *      timeout, non-2xx), a body of 10,000,000 bytes or more ("below 10MB", read as the stricter decimal MB),
 *      or bytes that are not PNG, JPEG or WebP by their signature (the extension and Content-Type are not
 *      trusted) are refused with 400: no job, no charge.
 *  A17. An image that passes those checks but cannot be decoded (truncated, corrupt, too many pixels for
 *      sharp's default limit) is found while the job runs: the job ends in ERROR and its tokens stay spent
 *      (the doc deducts tokens "when each operation starts" and mentions no refund).
 *
 *  Tokens
 *  A18. Balance is checked after validation and before the image fetch, and again at the moment of charging;
 *      a job is created only when balance >= cost. The starting balance is 1000 tokens (option `balance`).
 *      A successful generate/upscale answer does not say what it cost (the doc shows no such field). Switch
 *      `forms.charge`: 'none' (this), 'tokens_used' (`data.tokens_used: <n>`) or 'cost' (`data.cost:
 *      { tokens: <n>, balance: <balance after> }`).
 *
 *  Jobs and outputs
 *  A19. Job ids are integers counting up from 22292 (the doc's example), shared by generate and upscale.
 *      A `job_id` that is not all digits is 400; an unknown one is 404. Switch `forms.jobId`: 'number'
 *      (this) or 'string' (`"22292"` in every answer; the path parameter is read as before).
 *  A20. A job is RUNNING for 30 s (generate) or 60 s (upscale), divided by `speed`, then COMPLETED — or ERROR
 *      (A17, or the `job-error` fault). There is no concurrency limit. Switch `forms.statusWords`: 'doc'
 *      (RUNNING | COMPLETED | ERROR), 'lower' (the same in lower case) or 'extended' (QUEUED for the first
 *      third of the running time, then IN_PROGRESS, then COMPLETED or FAILED).
 *  A21. Every model returns ONE image: the doc's completed job has a single `image_url` string. (The doc's
 *      "up to 2 reference images" for seedream, nanobanana and nanobananapro is about inputs, not outputs.)
 *      Switch `forms.resultUrl`: 'image_url' (this), 'array' (`image_url: ["…"]`) or 'images'
 *      (`images: [{ url: "…" }]`, no `image_url`).
 *  A22. Outputs are JPEG (the doc's example URLs end in `.jpg`), upright (EXIF orientation applied), keep
 *      the first input's aspect ratio, and have a long side of 1024 px (gpt-low, gpt-medium, kontext-pro,
 *      nanobanana), 1536 px (gpt-high) or 2048 px (nanobananapro, seedream). A second reference image is
 *      inset in the lower right corner. Upscale doubles both sides, capped so the long side is at most 8192.
 *  A23. Responses carry `prompt` for generate jobs only and never for ERROR (as in the doc's examples), and
 *      an ERROR job does not say why. Switch `forms.errorDetail`: 'none' (this), 'error' (`data.error:
 *      "<why>"`) or 'message' (`data.message: "<why>"`).
 *
 *  Webhooks
 *  A24. With `webhookUrl` set, each job's completion is POSTed once as JSON, for upscale too (the doc says
 *      "when jobs complete"), `job_id` as a string as in the doc. No retry; an answer other than 200 is
 *      recorded as a violation of the doc's webhook requirement.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  fetchInputImage,
  GENERATE_LONG_SIDE,
  renderGenerate,
  renderUpscale,
  type Model,
  type RenderedImage,
} from './images';
import {
  chargeFields,
  createFormSwitch,
  envelope,
  garbageAnswer,
  jobJson,
  outOfTokensAnswer,
  retryAfterHeaders,
  type ProductaiForms,
} from './forms';

export type { ProductaiForms } from './forms';

export const DOC_BASE_PATH = '/v1';
export const DEFAULT_TEST_KEY = 'pai-sandbox-test-key';

/** The doc's token table. */
export const TOKEN_COST: Readonly<Record<Model | 'upscale', number>> = {
  'gpt-low': 2,
  'gpt-medium': 3,
  'gpt-high': 8,
  'kontext-pro': 3,
  nanobanana: 3,
  nanobananapro: 8,
  seedream: 3,
  upscale: 20,
};

export const MODELS = Object.keys(GENERATE_LONG_SIDE) as Model[];
/** The models the doc allows "up to 2 reference images". */
export const MULTI_IMAGE_MODELS: ReadonlySet<Model> = new Set<Model>(['seedream', 'nanobananapro', 'nanobanana']);

export const DEFAULT_DURATIONS_MS = { generate: 30_000, upscale: 60_000 } as const;
export const MAX_IMAGE_BYTES = 10_000_000;

export type Route = 'generate' | 'upscale' | 'job' | 'download' | 'unknown' | 'webhook';
export type FaultRoute = 'generate' | 'upscale' | 'job' | 'download';
export type JobStatus = 'RUNNING' | 'COMPLETED' | 'ERROR';
export type Operation = 'generate' | 'upscale';

export interface Violation {
  /** The request (see `requests`) that broke the rule; for webhooks, the request that created the job. */
  seq: number;
  at: number;
  route: Route;
  /** A stable code for tests, e.g. `model-enum`, `auth-missing`, `rate-limit`. */
  rule: string;
  reason: string;
}

export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  route: Route;
  /** The `x-api-key` header as received, or null. */
  apiKey: string | null;
  /** The body parsed as JSON when it was JSON, else its text (cut at 2000 characters), or null when empty. */
  body: unknown;
  /** The HTTP status answered, or null when no answer was sent (reset, hang, client gone). */
  status: number | null;
  outcome: 'pending' | 'answered' | 'reset' | 'hung';
  fault: Fault['kind'] | null;
  /** The job this request created or asked about. */
  jobId: number | null;
  /** Whether it counted toward the rate limit (A7): downloads never do, probes not with `probesCount: false`. */
  counted: boolean;
  /** Whether it was answered with the `garbageAfterCharge` body (A5). */
  garbage: boolean;
}

export interface LedgerEntry {
  /** The request that caused the charge. */
  seq: number;
  jobId: number;
  operation: Operation;
  model: Model | null;
  tokens: number;
  balanceBefore: number;
  balanceAfter: number;
  at: number;
}

export interface JobInput {
  url: string;
  format: 'png' | 'jpeg' | 'webp';
  bytes: number;
  contentType: string | null;
}

export interface JobRecord {
  id: number;
  operation: Operation;
  model: Model | null;
  prompt: string | null;
  inputs: JobInput[];
  status: JobStatus;
  /** Request that created it. */
  seq: number;
  createdAt: number;
  dueAt: number;
  outputUrl: string | null;
  output: { width: number; height: number; bytes: number } | null;
  /** Why it ended in ERROR (the API says so only with `forms.errorDetail`, A23). */
  error: string | null;
  polls: number;
}

export interface WebhookDelivery {
  jobId: number;
  payload: unknown;
  status: number | null;
  error: string | null;
  at: number;
}

interface FaultScope {
  /** How many matching requests it applies to (default 1). */
  count?: number;
  /** Which routes it applies to; default every API route (not downloads). */
  route?: FaultRoute | readonly FaultRoute[];
}

export type Fault =
  /** Answer with this 5xx (default 500) before doing anything: no job, no charge. */
  | (FaultScope & { kind: 'status'; status?: number })
  /** Drop the connection (TCP reset) before processing: no job, no charge. */
  | (FaultScope & { kind: 'reset-before' })
  /** Process fully (job created and charged), then reset instead of answering. */
  | (FaultScope & { kind: 'reset-after' })
  /** Wait `ms` (real time) before processing or, by default, after processing and before answering. */
  | (FaultScope & { kind: 'delay'; ms: number; when?: 'before' | 'after' })
  /** Answer 429 as the rate limit does, whatever the window holds (not recorded as a violation). */
  | (FaultScope & { kind: 'rate-limit' })
  /** Read the request and never answer. */
  | (FaultScope & { kind: 'hang' })
  /** The next `count` jobs created end in ERROR. */
  | { kind: 'job-error'; count?: number }
  /** Stop listening (connections refused) for `forMs`, or until `recover()`. */
  | { kind: 'unreachable'; forMs?: number };

export interface ProductaiSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keys accepted in `x-api-key`; default `[DEFAULT_TEST_KEY]`. */
  apiKeys?: readonly string[];
  /** Starting token balance; default 1000. */
  balance?: number;
  /** Job durations are divided by this; default 1. */
  speed?: number;
  /** Job durations at speed 1. */
  durationsMs?: { generate?: number; upscale?: number };
  /** Default: the doc's 15 requests per 60 s. `false` turns it off. */
  rateLimit?: { requests: number; windowMs: number } | false;
  retryAfter?: boolean;
  dailyLimit?: number;
  /** The clock for job timing, the rate limit and advisories; default Date.now. See `manualClock`. */
  now?: () => number;
  firstJobId?: number;
  outOfTokensStatus?: number;
  maxImageBytes?: number;
  fetchTimeoutMs?: number;
  allowExternalFetch?: boolean;
  webhookUrl?: string;
  maxBodyBytes?: number;
  /** The answer forms to start with (A4, A5, A8, A18–A21, A23); the rest as today. */
  forms?: Partial<ProductaiForms>;
  /** `false` keeps reachability probes (HEAD or GET of `/`, `/v1`, `/v1/`) out of the rate limit (A7). */
  probesCount?: boolean;
}

export interface ProductaiSandbox {
  /** Ends in `/v1`, like the doc's base URL. */
  baseUrl: string;
  /** `http://127.0.0.1:<port>`, where output files are served. */
  origin: string;
  port: number;
  apiKeys: readonly string[];
  violations: Violation[];
  advisories: Violation[];
  ledger: LedgerEntry[];
  requests: RequestRecord[];
  webhooks: WebhookDelivery[];
  /** Every `x-api-key` value received, accepted or not, with how often. */
  keysSeen: Map<string, number>;
  totals: {
    requests: number;
    generate: number;
    upscale: number;
    polls: number;
    downloads: number;
    rateLimited: number;
    faulted: number;
    jobsCreated: number;
  };
  readonly balance: number;
  setBalance: (tokens: number) => void;
  /** How many requests counted toward the rate limit so far (A7). */
  readonly requestsCounted: number;
  /** The answer forms in force; `garbageAfterCharge` reads false again once used up. */
  readonly forms: Readonly<ProductaiForms>;
  /** Changes the named forms from the next answer on; the others stay as they are. */
  setForms: (forms: Partial<ProductaiForms>) => void;
  job: (id: number) => JobRecord | undefined;
  jobs: () => JobRecord[];
  /** Arm a fault; resolves once it is in force (for `unreachable`, once the port is closed). */
  setFault: (fault: Fault) => Promise<void>;
  clearFaults: () => void;
  /** Listen again after an `unreachable` fault, on the same port. */
  recover: () => Promise<void>;
  /** Wait until every job already due has settled (its output rendered, its webhook sent). */
  settle: () => Promise<void>;
  close: () => Promise<void>;
}

/** A clock tests move by hand, so a minute of rate limit or a job's run passes instantly. */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = Date.UTC(2025, 0, 1, 12)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

interface Answer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

interface InternalJob extends JobRecord {
  rendering: Promise<RenderedImage | Error>;
  outputBytes: Buffer | null;
  forceError: boolean;
  settling: Promise<void> | null;
  webhook: Promise<void> | null;
  lastPollAt: number | null;
}

interface ArmedFault {
  fault: Exclude<Fault, { kind: 'job-error' } | { kind: 'unreachable' }>;
  remaining: number;
}

interface Problem {
  rule: string;
  reason: string;
}

const apiError = (message: string, details: string) => ({ name: 'ApiError', message, details });

const ALLOWED_GENERATE_FIELDS = new Set(['model', 'image_url', 'prompt']);
const ALLOWED_UPSCALE_FIELDS = new Set(['image_url']);

export async function startProductaiSandbox(options: ProductaiSandboxOptions = {}): Promise<ProductaiSandbox> {
  const now = options.now ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const durations = {
    generate: (options.durationsMs?.generate ?? DEFAULT_DURATIONS_MS.generate) / speed,
    upscale: (options.durationsMs?.upscale ?? DEFAULT_DURATIONS_MS.upscale) / speed,
  };
  const rateLimit = options.rateLimit === undefined ? { requests: 15, windowMs: 60_000 } : options.rateLimit;
  const apiKeys = options.apiKeys ?? [DEFAULT_TEST_KEY];
  const outOfTokensStatus = options.outOfTokensStatus ?? 400;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const fetchLimits = {
    maxBytes: options.maxImageBytes ?? MAX_IMAGE_BYTES,
    timeoutMs: options.fetchTimeoutMs ?? 15_000,
    allowExternal: options.allowExternalFetch ?? false,
  };
  const pollAdvisoryMs = 3_000 / speed;
  const answerForms = createFormSwitch(options.retryAfter ?? false, options.forms ?? {});
  const probesCount = options.probesCount ?? true;
  let requestsCounted = 0;

  const violations: Violation[] = [];
  const advisories: Violation[] = [];
  const ledger: LedgerEntry[] = [];
  const requests: RequestRecord[] = [];
  const webhooks: WebhookDelivery[] = [];
  const keysSeen = new Map<string, number>();
  const totals = {
    requests: 0,
    generate: 0,
    upscale: 0,
    polls: 0,
    downloads: 0,
    rateLimited: 0,
    faulted: 0,
    jobsCreated: 0,
  };
  const jobs = new Map<number, InternalJob>();
  const arrivals: number[] = [];
  const daily = { day: -1, count: 0 };
  const armed: ArmedFault[] = [];
  let jobErrors = 0;
  let balance = options.balance ?? 1000;
  let nextJobId = options.firstJobId ?? 22292;
  let seq = 0;
  let down = false;
  let closed = false;
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  const violate = (entry: { seq: number; route: Route }, problem: Problem) => {
    violations.push({ seq: entry.seq, at: now(), route: entry.route, ...problem });
  };

  /** Records each problem as its own violation and answers one 400 naming them all. */
  const badRequest = (entry: RequestRecord, problems: Problem[]): Answer => {
    for (const problem of problems) violate(entry, problem);
    return { status: 400, json: apiError('Bad Request', problems.map((p) => p.reason).join('; ')) };
  };

  const tooMany = (details: string): Answer => {
    let headers: Record<string, string> = {};
    if (rateLimit) {
      const at = now();
      const oldest = arrivals[0] ?? at;
      headers = retryAfterHeaders(answerForms.current, oldest + rateLimit.windowMs - at, at);
    }
    return { status: 429, json: apiError('Too Many Requests', details), headers };
  };

  /** Counts an API request and says whether it is over a limit (A7, A9). */
  const admit = (at: number): string | null => {
    let refusal: string | null = null;
    if (rateLimit) {
      while (arrivals.length > 0 && (arrivals[0] ?? 0) <= at - rateLimit.windowMs) arrivals.shift();
      if (arrivals.length >= rateLimit.requests) {
        refusal = `rate limit: ${arrivals.length} requests in the last ${rateLimit.windowMs} ms; the limit is ${rateLimit.requests} per minute`;
      }
      arrivals.push(at);
    }
    if (options.dailyLimit !== undefined) {
      const day = Math.floor(at / 86_400_000);
      if (day !== daily.day) Object.assign(daily, { day, count: 0 });
      daily.count += 1;
      if (refusal === null && daily.count > options.dailyLimit) {
        refusal = `daily limit: ${options.dailyLimit} requests per day reached`;
      }
    }
    return refusal;
  };

  const takeFault = (route: Route): ArmedFault['fault'] | null => {
    const index = armed.findIndex(({ fault }) => {
      const scope = fault.route === undefined ? null : typeof fault.route === 'string' ? [fault.route] : fault.route;
      return scope === null ? route !== 'download' : (scope as readonly string[]).includes(route);
    });
    const found = armed[index];
    if (!found) return null;
    found.remaining -= 1;
    if (found.remaining <= 0) armed.splice(index, 1);
    return found.fault;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const onClose = () => reject(new Error('sandbox closed'));
      const timer = setTimeout(() => {
        timers.delete(timer);
        closing.signal.removeEventListener('abort', onClose);
        resolve();
      }, ms);
      timers.add(timer);
      closing.signal.addEventListener('abort', onClose, { once: true });
    });

  let origin = '';

  const publicJob = (job: InternalJob): JobRecord => ({
    id: job.id,
    operation: job.operation,
    model: job.model,
    prompt: job.prompt,
    inputs: job.inputs.map((input) => ({ ...input })),
    status: job.status,
    seq: job.seq,
    createdAt: job.createdAt,
    dueAt: job.dueAt,
    outputUrl: job.outputUrl,
    output: job.output ? { ...job.output } : null,
    error: job.error,
    polls: job.polls,
  });

  /** A poll's answer: the job in the current forms (A5, A19–A21, A23). */
  const jobAnswer = (job: InternalJob): Answer => ({
    status: 200,
    json: envelope(jobJson(job, answerForms.current, now()), answerForms.current),
  });

  /** A generate/upscale answer for the job it created and charged, or the garbage that replaces it (A5, A18). */
  const createdAnswer = (entry: RequestRecord, job: InternalJob): Answer => {
    if (answerForms.takeGarbage()) {
      entry.garbage = true;
      return garbageAnswer();
    }
    const forms = answerForms.current;
    const charge = ledger.findLast((line) => line.jobId === job.id);
    const data = { ...jobJson(job, forms, now()), ...(charge ? chargeFields(charge, forms) : {}) };
    return { status: 200, json: envelope(data, forms) };
  };

  const sendWebhook = async (job: InternalJob) => {
    const url = options.webhookUrl;
    if (!url || closed) return;
    const payload =
      job.status === 'COMPLETED'
        ? { status: 'success', image_url: job.outputUrl, job_id: String(job.id) }
        : { status: 'error' };
    const delivery: WebhookDelivery = { jobId: job.id, payload, status: null, error: null, at: now() };
    webhooks.push(delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.any([AbortSignal.timeout(10_000), closing.signal]),
      });
      delivery.status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status !== 200) {
        violate(
          { seq: job.seq, route: 'webhook' },
          {
            rule: 'webhook-status',
            reason: `webhook for job ${job.id} answered ${response.status}; the doc requires HTTP 200`,
          },
        );
      }
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
  };

  /** Moves a due job to COMPLETED or ERROR once; polls and the ticker both call this. */
  const settleJob = (job: InternalJob): Promise<void> => {
    if (job.status !== 'RUNNING' || now() < job.dueAt) return Promise.resolve();
    job.settling ??= (async () => {
      const result = await job.rendering;
      if (job.forceError) {
        job.status = 'ERROR';
        job.error = 'job-error fault injected';
      } else if (result instanceof Error) {
        job.status = 'ERROR';
        job.error = result.message;
      } else {
        job.status = 'COMPLETED';
        job.outputBytes = result.bytes;
        job.output = { width: result.width, height: result.height, bytes: result.bytes.length };
        job.outputUrl = `${origin}/files/${job.id}.jpg`;
      }
      // Not awaited by polls: a slow webhook receiver must not slow the API's answers.
      job.webhook = sendWebhook(job);
    })();
    return job.settling;
  };

  const settleDue = async () => {
    await Promise.all([...jobs.values()].map(settleJob));
    await Promise.all([...jobs.values()].flatMap((job) => (job.webhook ? [job.webhook] : [])));
  };

  // Jobs change state with the clock even when nobody polls, so webhooks go out on time.
  const ticker = setInterval(() => void settleDue(), 10);
  ticker.unref();

  const createJob = (
    entry: RequestRecord,
    operation: Operation,
    model: Model | null,
    prompt: string | null,
    inputs: { url: string; bytes: Buffer; format: JobInput['format']; contentType: string | null }[],
  ): InternalJob => {
    const cost = TOKEN_COST[model ?? 'upscale'];
    const id = nextJobId++;
    const at = now();
    const balanceBefore = balance;
    balance -= cost;
    ledger.push({
      seq: entry.seq,
      jobId: id,
      operation,
      model,
      tokens: cost,
      balanceBefore,
      balanceAfter: balance,
      at,
    });
    const buffers = inputs.map((input) => input.bytes);
    const rendering = (model ? renderGenerate(model, buffers) : renderUpscale(buffers[0] ?? Buffer.alloc(0))).catch(
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const job: InternalJob = {
      id,
      operation,
      model,
      prompt,
      inputs: inputs.map(({ url, bytes, format, contentType }) => ({ url, format, bytes: bytes.length, contentType })),
      status: 'RUNNING',
      seq: entry.seq,
      createdAt: at,
      dueAt: at + durations[operation],
      outputUrl: null,
      output: null,
      error: null,
      polls: 0,
      rendering,
      outputBytes: null,
      forceError: jobErrors > 0,
      settling: null,
      webhook: null,
      lastPollAt: null,
    };
    if (jobErrors > 0) jobErrors -= 1;
    jobs.set(id, job);
    totals.jobsCreated += 1;
    entry.jobId = id;
    return job;
  };

  const outOfTokens = (): Answer => outOfTokensAnswer(answerForms.current, outOfTokensStatus);

  /** Parses a JSON POST body, or says why it cannot (A11). */
  const readJsonObject = (
    request: http.IncomingMessage,
    raw: { bytes: Buffer; tooLarge: boolean },
  ): { body: Record<string, unknown> } | { problems: Problem[] } => {
    const problems: Problem[] = [];
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      problems.push({
        rule: 'content-type',
        reason: `Content-Type must be application/json (got ${contentType === '' ? 'none' : contentType})`,
      });
    }
    if (raw.tooLarge) {
      problems.push({ rule: 'body-size', reason: `request body is over ${maxBodyBytes} bytes; send image URLs` });
      return { problems };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.bytes.toString('utf8'));
    } catch {
      problems.push({ rule: 'json', reason: 'request body is not valid JSON' });
      return { problems };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push({ rule: 'body-type', reason: 'request body must be a JSON object' });
      return { problems };
    }
    if (problems.length > 0) return { problems };
    return { body: parsed as Record<string, unknown> };
  };

  const unknownFields = (body: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): Problem[] =>
    Object.keys(body)
      .filter((key) => !allowed.has(key))
      .map((key) => ({
        rule: 'unknown-field',
        reason: `${where} does not take "${key}" (allowed: ${[...allowed].join(', ')})`,
      }));

  const checkUrl = (value: string, label: string): Problem | null => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return { rule: 'image-url-invalid', reason: `${label} is not an absolute URL: ${JSON.stringify(value)}` };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return {
        rule: 'image-url-scheme',
        reason: `${label} must be an http(s) URL; the API takes URLs only (got ${parsed.protocol} URL)`,
      };
    }
    return null;
  };

  /** Fetches each URL in turn and stops at the first one the doc's limits refuse (A16). */
  const fetchInputs = async (
    urls: string[],
  ): Promise<{ inputs: Parameters<typeof createJob>[4] } | { problem: Problem }> => {
    const inputs: Parameters<typeof createJob>[4] = [];
    for (const url of urls) {
      const outcome = await fetchInputImage(url, fetchLimits);
      if (!outcome.ok) return { problem: { rule: outcome.rule, reason: outcome.reason } };
      inputs.push({ url, bytes: outcome.bytes, format: outcome.format, contentType: outcome.contentType });
    }
    return { inputs };
  };

  const generate = async (
    entry: RequestRecord,
    request: http.IncomingMessage,
    raw: { bytes: Buffer; tooLarge: boolean },
  ): Promise<Answer> => {
    totals.generate += 1;
    const read = readJsonObject(request, raw);
    if ('problems' in read) return badRequest(entry, read.problems);
    const body = read.body;
    const problems = unknownFields(body, ALLOWED_GENERATE_FIELDS, '/api/generate');

    let model: Model | null = null;
    if (body.model === undefined) problems.push({ rule: 'model-required', reason: 'model is required' });
    else if (typeof body.model !== 'string') {
      problems.push({ rule: 'model-type', reason: `model must be a string (got ${typeName(body.model)})` });
    } else if (!(MODELS as string[]).includes(body.model)) {
      problems.push({
        rule: 'model-enum',
        reason: `model ${JSON.stringify(body.model)} is not one of ${MODELS.join(', ')}`,
      });
    } else model = body.model as Model;

    let prompt: string | null = null;
    if (body.prompt === undefined) problems.push({ rule: 'prompt-required', reason: 'prompt is required' });
    else if (typeof body.prompt !== 'string') {
      problems.push({ rule: 'prompt-type', reason: `prompt must be a string (got ${typeName(body.prompt)})` });
    } else if (body.prompt.trim() === '') problems.push({ rule: 'prompt-empty', reason: 'prompt must not be empty' });
    else prompt = body.prompt;

    let urls: string[] = [];
    const imageUrl = body.image_url;
    if (imageUrl === undefined) problems.push({ rule: 'image-url-required', reason: 'image_url is required' });
    else if (typeof imageUrl === 'string') urls = [imageUrl];
    else if (Array.isArray(imageUrl) && imageUrl.every((item) => typeof item === 'string')) {
      urls = imageUrl;
      if (urls.length === 0) problems.push({ rule: 'image-url-empty', reason: 'image_url must not be an empty array' });
    } else {
      problems.push({
        rule: 'image-url-type',
        reason: `image_url must be a URL string or an array of URL strings (got ${typeName(imageUrl)})`,
      });
    }
    if (model && urls.length > 0) {
      const max = MULTI_IMAGE_MODELS.has(model) ? 2 : 1;
      if (urls.length > max) {
        problems.push({
          rule: 'image-count',
          reason:
            max === 2
              ? `${model} takes up to 2 reference images (got ${urls.length})`
              : `${model} takes one image; only seedream, nanobanana and nanobananapro take 2 (got ${urls.length})`,
        });
      }
    }
    urls.forEach((url, index) => {
      const problem = checkUrl(url, urls.length > 1 ? `image_url[${index}]` : 'image_url');
      if (problem) problems.push(problem);
    });
    if (problems.length > 0 || !model || prompt === null) return badRequest(entry, problems);

    if (balance < TOKEN_COST[model]) return outOfTokens();
    const fetched = await fetchInputs(urls);
    if ('problem' in fetched) return badRequest(entry, [fetched.problem]);
    if (balance < TOKEN_COST[model]) return outOfTokens();
    const job = createJob(entry, 'generate', model, prompt, fetched.inputs);
    return createdAnswer(entry, job);
  };

  const upscale = async (
    entry: RequestRecord,
    request: http.IncomingMessage,
    raw: { bytes: Buffer; tooLarge: boolean },
  ): Promise<Answer> => {
    totals.upscale += 1;
    const read = readJsonObject(request, raw);
    if ('problems' in read) return badRequest(entry, read.problems);
    const body = read.body;
    const problems = unknownFields(body, ALLOWED_UPSCALE_FIELDS, '/api/upscale');
    const imageUrl = body.image_url;
    if (imageUrl === undefined) problems.push({ rule: 'image-url-required', reason: 'image_url is required' });
    else if (typeof imageUrl !== 'string') {
      problems.push({
        rule: 'image-url-type',
        reason: `upscale's image_url must be one URL string (got ${typeName(imageUrl)})`,
      });
    } else {
      const problem = checkUrl(imageUrl, 'image_url');
      if (problem) problems.push(problem);
    }
    if (problems.length > 0 || typeof imageUrl !== 'string') return badRequest(entry, problems);

    if (balance < TOKEN_COST.upscale) return outOfTokens();
    const fetched = await fetchInputs([imageUrl]);
    if ('problem' in fetched) return badRequest(entry, [fetched.problem]);
    if (balance < TOKEN_COST.upscale) return outOfTokens();
    const job = createJob(entry, 'upscale', null, null, fetched.inputs);
    return createdAnswer(entry, job);
  };

  const poll = async (entry: RequestRecord, rawId: string): Promise<Answer> => {
    totals.polls += 1;
    if (!/^\d+$/.test(rawId)) {
      return badRequest(entry, [{ rule: 'job-id', reason: `job_id must be a number (got ${JSON.stringify(rawId)})` }]);
    }
    const job = jobs.get(Number(rawId));
    if (!job) {
      violate(entry, { rule: 'job-unknown', reason: `no job ${rawId} was created` });
      return { status: 404, json: apiError('Not Found', `Job ${rawId} not found`) };
    }
    entry.jobId = job.id;
    job.polls += 1;
    const at = now();
    if (job.lastPollAt !== null && at - job.lastPollAt < pollAdvisoryMs) {
      advisories.push({
        seq: entry.seq,
        at,
        route: 'job',
        rule: 'poll-interval',
        reason: `job ${job.id} polled ${at - job.lastPollAt} ms after the previous poll; the doc advises 3-5 s`,
      });
    }
    job.lastPollAt = at;
    await settleJob(job);
    return jobAnswer(job);
  };

  const download = (entry: RequestRecord, name: string): Answer => {
    totals.downloads += 1;
    const match = /^(\d+)\.jpg$/.exec(name);
    const job = match ? jobs.get(Number(match[1])) : undefined;
    if (!job || job.status !== 'COMPLETED' || !job.outputBytes) {
      violate(entry, { rule: 'download-unknown', reason: `no completed output at /files/${name}` });
      return { status: 404, json: apiError('Not Found', `No file ${name}`) };
    }
    entry.jobId = job.id;
    return { status: 200, bytes: job.outputBytes, contentType: 'image/jpeg' };
  };

  const classify = (method: string, pathname: string): { route: Route; param: string; allow: string | null } => {
    if (pathname.startsWith('/files/')) {
      return { route: method === 'GET' ? 'download' : 'unknown', param: pathname.slice(7), allow: 'GET' };
    }
    const api = pathname.startsWith(`${DOC_BASE_PATH}/`) ? pathname.slice(DOC_BASE_PATH.length) : null;
    if (api === '/api/generate') return { route: method === 'POST' ? 'generate' : 'unknown', param: '', allow: 'POST' };
    if (api === '/api/upscale') return { route: method === 'POST' ? 'upscale' : 'unknown', param: '', allow: 'POST' };
    const job = api === null ? null : /^\/api\/job\/([^/]+)$/.exec(api);
    if (job) return { route: method === 'GET' ? 'job' : 'unknown', param: job[1] ?? '', allow: 'GET' };
    return { route: 'unknown', param: '', allow: null };
  };

  const handleApi = async (
    entry: RequestRecord,
    request: http.IncomingMessage,
    routed: ReturnType<typeof classify>,
    raw: { bytes: Buffer; tooLarge: boolean },
    refusal: string | null,
  ): Promise<Answer> => {
    if (refusal !== null) {
      totals.rateLimited += 1;
      violate(entry, { rule: 'rate-limit', reason: refusal });
      return tooMany(refusal);
    }
    const key = entry.apiKey;
    if (key === null || key === '') {
      const bearer = request.headers.authorization !== undefined;
      violate(entry, {
        rule: 'auth-missing',
        reason: bearer
          ? 'no x-api-key header; the key was sent in Authorization, but the doc requires x-api-key'
          : 'no x-api-key header',
      });
      return { status: 401, json: apiError('Unauthorized', 'Missing API key: send it in the x-api-key header') };
    }
    if (!apiKeys.includes(key)) {
      violate(entry, { rule: 'auth-invalid', reason: `x-api-key ${JSON.stringify(mask(key))} is not a valid key` });
      return { status: 401, json: apiError('Unauthorized', 'Invalid API key') };
    }
    switch (routed.route) {
      case 'generate':
        return generate(entry, request, raw);
      case 'upscale':
        return upscale(entry, request, raw);
      case 'job':
        return poll(entry, routed.param);
      case 'download':
      case 'webhook':
      case 'unknown':
        break;
    }
    if (routed.allow) {
      violate(entry, {
        rule: 'method',
        reason: `${entry.method} ${entry.path} is not an endpoint; use ${routed.allow}`,
      });
      return {
        status: 405,
        json: apiError('Method Not Allowed', `Use ${routed.allow} for ${entry.path}`),
        headers: { Allow: routed.allow },
      };
    }
    violate(entry, { rule: 'route', reason: `${entry.method} ${entry.path} is not a documented endpoint` });
    return { status: 404, json: apiError('Not Found', `No endpoint ${entry.method} ${entry.path}`) };
  };

  const write = (entry: RequestRecord, response: http.ServerResponse, answer: Answer) => {
    if (response.destroyed || response.headersSent) return;
    entry.status = answer.status;
    entry.outcome = 'answered';
    const body = answer.bytes ?? Buffer.from(JSON.stringify(answer.json ?? null));
    response
      .writeHead(answer.status, {
        'Content-Type': answer.contentType ?? 'application/json',
        'Content-Length': String(body.length),
        ...answer.headers,
      })
      .end(body);
  };

  const reset = (entry: RequestRecord, request: http.IncomingMessage) => {
    entry.outcome = 'reset';
    request.socket.resetAndDestroy();
  };

  /** Whether a request counts toward the rate limit (A7). */
  const counts = (method: string, pathname: string, route: Route): boolean => {
    // Downloads stand in for a CDN (A2): no rate limit there.
    if (route === 'download') return false;
    return probesCount || !isProbe(method, pathname);
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const at = now();
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    const routed = classify(method, url.pathname);
    const keyHeader = request.headers['x-api-key'];
    const apiKey = typeof keyHeader === 'string' ? keyHeader : null;
    if (apiKey !== null) keysSeen.set(apiKey, (keysSeen.get(apiKey) ?? 0) + 1);
    const entry: RequestRecord = {
      seq: ++seq,
      at,
      method,
      path: url.pathname,
      route: routed.route,
      apiKey,
      body: null,
      status: null,
      outcome: 'pending',
      fault: null,
      jobId: null,
      counted: counts(method, url.pathname, routed.route),
      garbage: false,
    };
    requests.push(entry);
    totals.requests += 1;
    if (entry.counted) requestsCounted += 1;
    const refusal = entry.counted ? admit(at) : null;
    const raw = await readBody(request, maxBodyBytes);
    entry.body = bodyForLog(raw.bytes);

    const fault = takeFault(routed.route);
    entry.fault = fault?.kind ?? null;
    if (fault) totals.faulted += 1;
    switch (fault?.kind) {
      case 'reset-before':
        reset(entry, request);
        return;
      case 'hang':
        entry.outcome = 'hung';
        return;
      case 'status': {
        const status = fault.status ?? 500;
        const message = status === 500 ? 'Internal Server Error' : (http.STATUS_CODES[status] ?? 'Server Error');
        write(entry, response, { status, json: apiError(message, 'Injected server error') });
        return;
      }
      case 'rate-limit':
        write(entry, response, tooMany('Injected rate limit'));
        return;
      case 'delay':
        if (fault.when === 'before') await sleep(fault.ms);
        break;
      case 'reset-after':
      case undefined:
        break;
    }

    const answer =
      routed.route === 'download'
        ? download(entry, routed.param)
        : await handleApi(entry, request, routed, raw, refusal);

    if (fault?.kind === 'reset-after') {
      reset(entry, request);
      return;
    }
    if (fault?.kind === 'delay' && fault.when !== 'before') await sleep(fault.ms);
    write(entry, response, answer);
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (closed) return;
      const entry = requests.at(-1);
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(apiError('Internal Server Error', `sandbox error: ${String(error)}`)));
      }
      if (entry && entry.outcome === 'pending') entry.status = 500;
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  const recover = async () => {
    if (!down || closed) return;
    await listen(port);
    down = false;
  };

  const setFault = async (fault: Fault): Promise<void> => {
    switch (fault.kind) {
      case 'job-error':
        jobErrors += fault.count ?? 1;
        return;
      case 'unreachable': {
        if (!down) {
          down = true;
          await stopListening();
        }
        if (fault.forMs !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            void recover();
          }, fault.forMs);
          timers.add(timer);
        }
        return;
      }
      case 'status':
      case 'reset-before':
      case 'reset-after':
      case 'delay':
      case 'rate-limit':
      case 'hang':
        armed.push({ fault, remaining: fault.count ?? 1 });
        return;
    }
  };

  return {
    baseUrl: `${origin}${DOC_BASE_PATH}`,
    origin,
    port,
    apiKeys,
    violations,
    advisories,
    ledger,
    requests,
    webhooks,
    keysSeen,
    totals,
    get balance() {
      return balance;
    },
    setBalance: (tokens) => {
      balance = tokens;
    },
    get requestsCounted() {
      return requestsCounted;
    },
    get forms() {
      return { ...answerForms.current };
    },
    setForms: (forms) => answerForms.set(forms),
    job: (id) => {
      const job = jobs.get(id);
      return job ? publicJob(job) : undefined;
    },
    jobs: () => [...jobs.values()].map(publicJob),
    setFault,
    clearFaults: () => {
      armed.splice(0);
      jobErrors = 0;
    },
    recover,
    settle: settleDue,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      for (const timer of timers) clearTimeout(timer);
      closing.abort();
      if (!down) await stopListening();
      // Let sharp finish what it started so no work outlives the sandbox.
      await Promise.allSettled([...jobs.values()].map((job) => job.rendering));
    },
  };
}

/** Reads the whole body, keeping at most `max` bytes, so the socket is drained before any answer. */
function readBody(request: http.IncomingMessage, max: number): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve({ bytes: Buffer.concat(chunks), tooLarge }));
    // A client that gives up mid-body still leaves a record of what arrived.
    request.on('error', () => resolve({ bytes: Buffer.concat(chunks), tooLarge }));
    request.on('close', () => resolve({ bytes: Buffer.concat(chunks), tooLarge }));
  });
}

/** A reachability check: HEAD or GET of the server's root or the bare base URL, not an endpoint. */
function isProbe(method: string, pathname: string): boolean {
  return (method === 'HEAD' || method === 'GET') && ['/', DOC_BASE_PATH, `${DOC_BASE_PATH}/`].includes(pathname);
}

function bodyForLog(bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return text.slice(0, 2000);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Keys in violation text are cut, so logs of a test run never hold a whole secret. */
function mask(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 4)}…${key.slice(-2)}`;
}

/** A random key for the CLI, shaped like a secret so leaks are easy to grep for. */
export function randomTestKey(): string {
  return `pai_test_${randomBytes(12).toString('hex')}`;
}
