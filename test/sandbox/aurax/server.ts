/**
 * AuraX sandbox: a loopback emulator of the AuraX API that follows shared/api-docs/aurax.txt strictly,
 * records every departure from it, and injects faults. The doc lists endpoints, fields and prices and
 * shows no answer at all; docs/providers/aurax.md names the silent points the adapter relies on.
 *
 * ASSUMPTIONS — where the doc is silent, this sandbox chooses (the stricter reading wherever there was one):
 *
 *  An entry that names a switch `forms.<name>` can be made to answer in the other readings listed in
 *  docs/providers/aurax.md, through the `forms` option or `setForms` (see forms.ts); without one the
 *  sandbox answers in the first reading. Forms change only how answers are written: checks, charges,
 *  task timing and recorded violations are the same in all of them.
 *
 *  Paths and auth
 *  A1. The doc gives no base URL; `baseUrl` is `http://127.0.0.1:<port>` and the paths are the doc's:
 *      POST /api/ai/vto, POST /api/ai/image-generation, POST /api/ai/product-description,
 *      GET /api/ai/task/:id, GET /api/ai/task/:id/stream, GET /images/:imageId. A query string is ignored.
 *      Any other path is 404 (rule `route`), a known path with another method is 405 with `Allow`
 *      (rule `method`); both are recorded as violations.
 *  A2. "Include the following headers in every request": every request, /images and streams included,
 *      needs `x-api-key` and `x-key-id`, checked before routing. A missing or empty key is 401
 *      `auth-missing-key`, a missing or empty key id 401 `auth-missing-key-id`, an unknown key 401
 *      `auth-invalid-key`, and a key id that is not that key's 401 `auth-key-id-mismatch`. The accepted
 *      pairs are the `keys` option; all of them share one account (one balance).
 *  A3. Error bodies are one shape for every error (switch `forms.errors`: `{error}` by default), the
 *      words saying what was wrong; refusals list every problem found, each also recorded on its own.
 *
 *  Request bodies
 *  A4. The VTO and image-generation bodies must be `Content-Type: application/json` holding a JSON
 *      object (rules `content-type`, `json`, `body-type`), at most `maxBodyBytes` (default 32 MiB, else
 *      413 `body-size`). A field set to null counts as present with the wrong type.
 *  A5. Fields the doc does not list are refused (400 `unknown-field`), so a client cannot believe an
 *      option works that the API does not have.
 *  A6. `productType` must be one of the doc's nine words exactly (upper case; `product-type`).
 *  A7. `garmentStrength` must be the JSON number 1, 2 or 3 (a string "2" is refused: `garment-strength`).
 *  A8. VTO `prompt` must be a string and `runWithPrompt` a boolean when present. `runWithPrompt: true`
 *      without a non-empty prompt, and a prompt without `runWithPrompt: true` (the doc: the VTO then does
 *      not consider it), are accepted and recorded in `advisories` (`run-with-prompt-without-prompt`,
 *      `prompt-ignored`).
 *  A9. Every "Base64 encoded" field is read strictly: a non-empty string of the standard alphabet,
 *      padded to a multiple of 4, no whitespace, no `data:` prefix (`base64-type`, `base64-empty`,
 *      `base64-data-url`, `base64-invalid`), decoding to PNG, JPEG or WebP by signature (`image-format`)
 *      that sharp can decode (`image-decode`). Sizes are read upright (EXIF orientation applied).
 *  A10. The VTO `maskBase64` is a mask of the person image: an upright aspect ratio more than 1% away
 *      from the person image's is refused (400 `mask-aspect`); the same aspect at another size is
 *      accepted (the mask is resized) and recorded as the violation `mask-size`. Which area is the
 *      garment's is switch `forms.maskPolarity` ('white' by default); it changes only the output.
 *  A11. Image generation: `prompt` a non-empty string (whitespace only is empty), `width` and `height`
 *      optional whole JSON numbers 1..2048, default 1024 (`width-range`, `width-type`…); its
 *      `maskBase64` ("image of product for shape accuracy") has no size rule.
 *  A12. Product description is `multipart/form-data` (the doc's "file"): exactly one `image` part sent
 *      as a file (a filename in its Content-Disposition; `image-not-file`) holding an image (A9's format
 *      and decode rules), one `productType` text part, nothing else (`unknown-field`, `duplicate-field`).
 *
 *  Credits
 *  A13. The balance is kept in whole quarter credits (integers, so 0.25 never drifts): VTO 12 quarters
 *      (3 credits), generation 4 (1), description 1 (0.25). The starting balance is the `credits` option
 *      (default 100, a multiple of 0.25). It is checked after validation (images decoded) and before the
 *      task is created; short of the price the answer is switch `forms.noCredits` (402 `{error:
 *      "Insufficient credits"}` by default), recorded in `counters.noCredits`, not as a violation.
 *      Refused and fault-dropped-before requests cost nothing; a failed task is not refunded (the doc
 *      mentions no refunds). Every charge is a `ledger` line.
 *  A14. What a successful answer says was charged is switch `forms.charge` (nothing by default); when
 *      chosen it is on the created answer, on every status answer and event of the task, and on the
 *      JSON forms of the description answer (the plain text form cannot carry it).
 *
 *  Tasks and images
 *  A15. Task ids are random UUIDs; image ids are `img_` + 24 hex digits. The task POST answer is switch
 *      `forms.created` (`{taskId}` by default). An unknown task id is 404 (`task-unknown`).
 *  A16. A task is pending for `durationsMs.pending` (default 1000 ms), then processing until
 *      `durationsMs.vto` (20 s) or `durationsMs.generation` (10 s) after its creation, all divided by
 *      `speed`, then completed with ONE image, or failed (the `task-fail` fault, or an output that could
 *      not be rendered). Tasks move with the clock whether or not anyone asks. The status answer is
 *      switch `forms.task`, its words `forms.statusWords`, its image references `forms.images`, a
 *      failure's reason `forms.failure`.
 *  A17. Outputs are PNG. Try-on: the upright person image at its own size with the garment area painted
 *      opaque in the garment image's mean colour — the mask's area, or without a mask the central
 *      rectangle (a quarter of each side in from each edge). Generation: exactly width×height, a flat
 *      colour from the prompt, with the shape reference fitted in its centre.
 *  A18. GET /images/:imageId needs both headers (A2) and is 404 (`image-unknown`) until its task has
 *      completed. The answer is switch `forms.imageBody` (the bytes as image/png by default).
 *  A19. GET /api/ai/task/:id/stream answers 200 `text/event-stream`, sends the current status at once
 *      and then each change, and ends after completed or failed (switch `forms.events`). An unknown task
 *      is a plain 404, not a stream. Comments `: keep-alive` every `keepAliveMs` when set (default off).
 *      Any number of streams per task; `counters.streamsOpened` / `streamsOpen` count them.
 *  A20. The doc states no rate limit and no polling interval: none is applied.
 *
 *  Faults (option `faults` or `setFaults`): see `Fault` below.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createdAnswer,
  defaultForms,
  descriptionAnswer,
  errorAnswer,
  eventFrames,
  imageAnswer,
  mergeForms,
  noCreditsAnswer,
  taskAnswer,
  taskObject,
  type AuraxForms,
  type ChargeFacts,
  type FormedAnswer,
  type TaskStatus,
} from './forms';
import {
  describeProduct,
  isImageProblem,
  readBase64Image,
  readImage,
  renderGeneration,
  renderTryOn,
  type DecodedImage,
  type ImageProblem,
  type RenderedImage,
} from './images';

export type { AuraxForms, TaskStatus } from './forms';

export const DEFAULT_API_KEY = 'aurax-sandbox-api-key';
export const DEFAULT_KEY_ID = 'aurax-sandbox-key-id';

export const PRODUCT_TYPES = [
  'GARMENT',
  'DRESS',
  'OUTFIT',
  'FOOTWEAR',
  'BAG',
  'JEWELLERY',
  'EYEWEAR',
  'BEAUTY',
  'OTHER',
] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

export type Endpoint = 'vto' | 'image-generation' | 'product-description';

/** The doc's prices in quarter credits (A13). */
export const PRICE_QUARTERS: Readonly<Record<Endpoint, number>> = {
  vto: 12,
  'image-generation': 4,
  'product-description': 1,
};

export const DEFAULT_DURATIONS_MS = { pending: 1_000, vto: 20_000, generation: 10_000 } as const;
export const MAX_SIDE = 2048;
export const DEFAULT_SIDE = 1024;

export type Route = Endpoint | 'task' | 'stream' | 'image' | 'unknown';
export type FaultRoute = Exclude<Route, 'unknown'>;

export interface Violation {
  /** The request (see `requests`) that broke the rule. */
  seq: number;
  at: number;
  route: Route;
  /** A stable code for tests, e.g. `product-type`, `auth-missing-key`. */
  rule: string;
  reason: string;
}

export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  route: Route;
  /** The headers as received, or null. */
  apiKey: string | null;
  keyId: string | null;
  /** JSON bodies with long strings shortened to `<N chars>`; multipart as its parts; else text; null when empty. */
  body: unknown;
  /** The HTTP status answered, or null when none was sent (reset, hang). */
  status: number | null;
  outcome: 'pending' | 'answered' | 'reset' | 'hung' | 'streaming' | 'streamed' | 'dropped' | 'stalled' | 'closed';
  fault: Fault['kind'] | null;
  /** The task this request created or asked about. */
  taskId: string | null;
}

export interface LedgerEntry {
  /** The request that caused the charge. */
  seq: number;
  /** The task created, or null for a (synchronous) description. */
  taskId: string | null;
  endpoint: Endpoint;
  /** Exact: quarters / 4. */
  credits: number;
  quarters: number;
  balanceBefore: number;
  balanceAfter: number;
  at: number;
}

export interface TaskInput {
  productType: ProductType;
  person?: { format: string; width: number; height: number };
  garment?: { format: string; width: number; height: number };
  /** A generation's shape reference (its `maskBase64`), when one was sent. */
  reference?: { format: string; width: number; height: number };
  /** The mask as received (its decoded file's bytes), so a test can check it is the pinned version. */
  mask?: { format: string; width: number; height: number; bytes: Buffer };
  garmentStrength?: number;
  prompt?: string;
  runWithPrompt?: boolean;
  width?: number;
  height?: number;
}

export interface TaskRecord {
  id: string;
  kind: 'vto' | 'image-generation';
  status: TaskStatus;
  /** The request that created it. */
  seq: number;
  input: TaskInput;
  createdAt: number;
  processingAt: number;
  dueAt: number;
  /** Its output image ids, fixed at creation; served (and shown in answers) only once completed. */
  imageIds: string[];
  output: { width: number; height: number; bytes: number } | null;
  error: string | null;
  /** Credits charged for it and the balance left right after. */
  credits: number;
  polls: number;
  streams: number;
}

interface FaultScope {
  /** How many matching requests it applies to (default 1). */
  count?: number;
  /** Which routes it applies to; default every route. */
  route?: FaultRoute | readonly FaultRoute[];
}

export type Fault =
  /** Answer this 5xx (default 500, in the errors form) before doing anything: no task, no charge. */
  | (FaultScope & { kind: 'status'; status?: number })
  /** Reset the connection before processing: no task, no charge. */
  | (FaultScope & { kind: 'reset-before' })
  /** Process fully (task created and charged), then reset instead of answering. */
  | (FaultScope & { kind: 'reset-after' })
  /** Wait `ms` (real time) before processing, or by default after processing and before answering. */
  | (FaultScope & { kind: 'delay'; ms: number; when?: 'before' | 'after' })
  /** Read the request and never answer. */
  | (FaultScope & { kind: 'hang' })
  /** The next `count` streams opened send the current status, then the connection is dropped. */
  | { kind: 'stream-drop'; count?: number }
  /** The next `count` streams opened send the current status, then nothing more; they stay open. */
  | { kind: 'stream-stall'; count?: number }
  /** The next `count` tasks created end failed (with `reason` as why). */
  | { kind: 'task-fail'; count?: number; reason?: string };

export interface AuraxKeyPair {
  apiKey: string;
  keyId: string;
}

export interface AuraxSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Accepted `x-api-key` / `x-key-id` pairs; default one pair, DEFAULT_API_KEY / DEFAULT_KEY_ID. */
  keys?: readonly AuraxKeyPair[];
  /** Starting balance in credits, a multiple of 0.25; default 100. */
  credits?: number;
  /** Durations are divided by this; default 1. */
  speed?: number;
  /** Durations at speed 1 (A16). */
  durationsMs?: { pending?: number; vto?: number; generation?: number };
  /** The clock for task timing; default Date.now. Tasks still move on a 10 ms real-time ticker. */
  now?: () => number;
  /** Send `: keep-alive` comments on open streams this often; default 0 (none). */
  keepAliveMs?: number;
  maxBodyBytes?: number;
  /** The answer forms to start with; the rest as their first reading. */
  forms?: Partial<AuraxForms>;
  /** Faults armed from the start. */
  faults?: readonly Fault[];
}

export interface AuraxCounters {
  requests: number;
  vto: number;
  generations: number;
  descriptions: number;
  polls: number;
  imageGets: number;
  streamsOpened: number;
  /** Streams open right now. */
  streamsOpen: number;
  tasksCreated: number;
  noCredits: number;
  faulted: number;
}

export interface AuraxSandbox {
  /** `http://127.0.0.1:<port>`; the doc's paths go right after it. */
  baseUrl: string;
  port: number;
  keys: readonly AuraxKeyPair[];
  violations: Violation[];
  /** Accepted but doubtful requests (A8). */
  advisories: Violation[];
  requests: RequestRecord[];
  ledger: LedgerEntry[];
  counters: AuraxCounters;
  /** Every `x-api-key` value received, accepted or not, with how often. */
  keysSeen: Map<string, number>;
  /** The balance in credits (exact quarters). */
  readonly balance: number;
  /** The balance in quarter credits. */
  readonly balanceQuarters: number;
  setBalance: (credits: number) => void;
  readonly forms: Readonly<AuraxForms>;
  /** Changes the named forms from the next answer on; the others stay as they are. */
  setForms: (forms: Partial<AuraxForms>) => void;
  /** Arms faults (added to those already armed). */
  setFaults: (...faults: Fault[]) => void;
  clearFaults: () => void;
  task: (id: string) => TaskRecord | undefined;
  tasks: () => TaskRecord[];
  /** An output image's PNG bytes once its task completed. */
  image: (id: string) => Buffer | undefined;
  /** Waits until every task already due has settled. */
  settle: () => Promise<void>;
  close: () => Promise<void>;
}

type Answer = FormedAnswer;

interface Problem {
  rule: string;
  reason: string;
}

interface RawBody {
  bytes: Buffer;
  tooLarge: boolean;
}

interface InternalTask extends TaskRecord {
  rendering: Promise<RenderedImage | Error>;
  outputBytes: Buffer | null;
  failWith: string | null;
  settling: Promise<void> | null;
  charge: ChargeFacts;
  listeners: Set<() => void>;
}

interface ArmedFault {
  fault: Fault;
  remaining: number;
}

const VTO_FIELDS = new Set([
  'personImage',
  'garmentImage',
  'productType',
  'garmentStrength',
  'maskBase64',
  'prompt',
  'runWithPrompt',
]);
const GENERATION_FIELDS = new Set(['prompt', 'productType', 'maskBase64', 'width', 'height']);
const DESCRIPTION_FIELDS = new Set(['image', 'productType']);

const toQuarters = (credits: number, label: string): number => {
  const quarters = credits * 4;
  if (!Number.isFinite(credits) || credits < 0 || !Number.isInteger(quarters)) {
    throw new Error(`${label} must be a multiple of 0.25 credits, at least 0 (got ${credits})`);
  }
  return quarters;
};

export async function startAuraxSandbox(options: AuraxSandboxOptions = {}): Promise<AuraxSandbox> {
  const now = options.now ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const durations = {
    pending: (options.durationsMs?.pending ?? DEFAULT_DURATIONS_MS.pending) / speed,
    vto: (options.durationsMs?.vto ?? DEFAULT_DURATIONS_MS.vto) / speed,
    generation: (options.durationsMs?.generation ?? DEFAULT_DURATIONS_MS.generation) / speed,
  };
  const keys = options.keys ?? [{ apiKey: DEFAULT_API_KEY, keyId: DEFAULT_KEY_ID }];
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const keepAliveMs = options.keepAliveMs ?? 0;
  let forms = mergeForms(defaultForms(), options.forms ?? {});
  let balanceQuarters = toQuarters(options.credits ?? 100, 'credits');

  const violations: Violation[] = [];
  const advisories: Violation[] = [];
  const requests: RequestRecord[] = [];
  const ledger: LedgerEntry[] = [];
  const keysSeen = new Map<string, number>();
  const counters: AuraxCounters = {
    requests: 0,
    vto: 0,
    generations: 0,
    descriptions: 0,
    polls: 0,
    imageGets: 0,
    streamsOpened: 0,
    streamsOpen: 0,
    tasksCreated: 0,
    noCredits: 0,
    faulted: 0,
  };
  const tasks = new Map<string, InternalTask>();
  const imageOwners = new Map<string, InternalTask>();
  const armed: ArmedFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const closing = new AbortController();
  let seq = 0;
  let closed = false;
  let origin = '';

  const violate = (entry: { seq: number; route: Route }, problem: Problem) => {
    violations.push({ seq: entry.seq, at: now(), route: entry.route, ...problem });
  };
  const advise = (entry: { seq: number; route: Route }, problem: Problem) => {
    advisories.push({ seq: entry.seq, at: now(), route: entry.route, ...problem });
  };

  const error = (status: number, message: string): Answer => errorAnswer(status, message, forms);

  /** Records each problem as its own violation and answers one 400 naming them all. */
  const badRequest = (entry: RequestRecord, problems: Problem[]): Answer => {
    for (const problem of problems) violate(entry, problem);
    return error(400, problems.map((problem) => problem.reason).join('; '));
  };

  const armFaults = (faults: readonly Fault[]) => {
    for (const fault of faults) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error('a fault count must be a whole number of at least 1');
      armed.push({ fault, remaining: count });
    }
  };
  armFaults(options.faults ?? []);

  /** Takes one use of the first armed fault of one of `kinds` that applies to `route`. */
  const takeFault = <K extends Fault['kind']>(
    route: Route,
    kinds: readonly K[],
  ): Extract<Fault, { kind: K }> | null => {
    const index = armed.findIndex(({ fault }) => {
      if (!(kinds as readonly string[]).includes(fault.kind)) return false;
      if (!('route' in fault) || fault.route === undefined) return true;
      const scope: readonly string[] = typeof fault.route === 'string' ? [fault.route] : fault.route;
      return scope.includes(route);
    });
    const found = armed[index];
    if (!found) return null;
    found.remaining -= 1;
    if (found.remaining <= 0) armed.splice(index, 1);
    return found.fault as Extract<Fault, { kind: K }>;
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

  // ---- tasks ---------------------------------------------------------------------------------------

  const publicTask = (task: InternalTask): TaskRecord => ({
    id: task.id,
    kind: task.kind,
    status: task.status,
    seq: task.seq,
    input: structuredClone(task.input),
    createdAt: task.createdAt,
    processingAt: task.processingAt,
    dueAt: task.dueAt,
    imageIds: [...task.imageIds],
    output: task.output ? { ...task.output } : null,
    error: task.error,
    credits: task.credits,
    polls: task.polls,
    streams: task.streams,
  });

  const notify = (task: InternalTask) => {
    for (const listener of [...task.listeners]) listener();
  };

  /** Moves a task along by the clock; resolves once any due completion has settled. */
  const advance = (task: InternalTask): Promise<void> => {
    if (task.status === 'completed' || task.status === 'failed') return Promise.resolve();
    const at = now();
    if (task.status === 'pending' && at >= task.processingAt) {
      task.status = 'processing';
      notify(task);
    }
    if (task.status === 'processing' && at >= task.dueAt) {
      task.settling ??= (async () => {
        const result = await task.rendering;
        if (task.failWith !== null) {
          task.status = 'failed';
          task.error = task.failWith;
        } else if (result instanceof Error) {
          task.status = 'failed';
          task.error = `the output could not be rendered: ${result.message}`;
        } else {
          task.status = 'completed';
          task.outputBytes = result.bytes;
          task.output = { width: result.width, height: result.height, bytes: result.bytes.length };
        }
        notify(task);
      })();
      return task.settling;
    }
    return Promise.resolve();
  };

  const settle = async () => {
    await Promise.all([...tasks.values()].map(advance));
  };

  const ticker = setInterval(() => void settle(), 10);
  ticker.unref();

  const chargeQuarters = (entry: RequestRecord, endpoint: Endpoint, taskId: string | null): ChargeFacts => {
    const quarters = PRICE_QUARTERS[endpoint];
    const before = balanceQuarters;
    balanceQuarters -= quarters;
    ledger.push({
      seq: entry.seq,
      taskId,
      endpoint,
      credits: quarters / 4,
      quarters,
      balanceBefore: before / 4,
      balanceAfter: balanceQuarters / 4,
      at: now(),
    });
    return { credits: quarters / 4, remaining: balanceQuarters / 4 };
  };

  const canAfford = (endpoint: Endpoint) => balanceQuarters >= PRICE_QUARTERS[endpoint];

  const outOfCredits = (): Answer => {
    counters.noCredits += 1;
    return noCreditsAnswer(forms);
  };

  const createTask = (
    entry: RequestRecord,
    kind: InternalTask['kind'],
    input: TaskInput,
    render: () => Promise<RenderedImage>,
  ): InternalTask => {
    const id = randomUUID();
    const at = now();
    const charge = chargeQuarters(entry, kind, id);
    const fail = takeFault('unknown', ['task-fail']);
    const task: InternalTask = {
      id,
      kind,
      status: 'pending',
      seq: entry.seq,
      input,
      createdAt: at,
      processingAt: at + durations.pending,
      dueAt: at + durations.pending + (kind === 'vto' ? durations.vto : durations.generation),
      imageIds: [`img_${randomBytes(12).toString('hex')}`],
      output: null,
      error: null,
      credits: charge.credits,
      polls: 0,
      streams: 0,
      rendering: render().catch((problem: unknown) =>
        problem instanceof Error ? problem : new Error(String(problem)),
      ),
      outputBytes: null,
      failWith: fail ? (fail.reason ?? 'Task failed: the model could not produce an image') : null,
      settling: null,
      charge,
      listeners: new Set(),
    };
    tasks.set(id, task);
    for (const imageId of task.imageIds) imageOwners.set(imageId, task);
    counters.tasksCreated += 1;
    entry.taskId = id;
    return task;
  };

  const taskJson = (task: InternalTask) => taskObject(task, task.charge, forms, origin);

  // ---- bodies --------------------------------------------------------------------------------------

  const readJson = (request: http.IncomingMessage, raw: RawBody): { body: Record<string, unknown> } | Problem => {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return {
        rule: 'content-type',
        reason: `Content-Type must be application/json (got ${contentType === '' ? 'none' : contentType})`,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.bytes.toString('utf8'));
    } catch {
      return { rule: 'json', reason: 'the request body is not valid JSON' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { rule: 'body-type', reason: 'the request body must be a JSON object' };
    }
    return { body: parsed as Record<string, unknown> };
  };

  const unknownFields = (names: Iterable<string>, allowed: ReadonlySet<string>, where: string): Problem[] =>
    [...names]
      .filter((name) => !allowed.has(name))
      .map((name) => ({
        rule: 'unknown-field',
        reason: `${where} does not take "${name}" (allowed: ${[...allowed].join(', ')})`,
      }));

  const checkProductType = (value: unknown, problems: Problem[]): ProductType | null => {
    if (value === undefined) {
      problems.push({ rule: 'product-type-required', reason: 'productType is required' });
      return null;
    }
    if (typeof value !== 'string' || !(PRODUCT_TYPES as readonly string[]).includes(value)) {
      problems.push({
        rule: 'product-type',
        reason: `productType ${JSON.stringify(value)} is not one of ${PRODUCT_TYPES.join(', ')}`,
      });
      return null;
    }
    return value as ProductType;
  };

  /** A base64 image field: a problem when present and wrong, or when required and missing. */
  const imageField = async (
    body: Record<string, unknown>,
    name: string,
    required: boolean,
    problems: Problem[],
  ): Promise<DecodedImage | null> => {
    const value = body[name];
    if (value === undefined) {
      if (required) problems.push({ rule: `${name}-required`, reason: `${name} is required` });
      return null;
    }
    const read = await readBase64Image(value, name);
    if (isImageProblem(read)) {
      problems.push(read);
      return null;
    }
    return read;
  };

  // ---- endpoints -----------------------------------------------------------------------------------

  const vto = async (entry: RequestRecord, request: http.IncomingMessage, raw: RawBody): Promise<Answer> => {
    counters.vto += 1;
    const read = readJson(request, raw);
    if ('rule' in read) return badRequest(entry, [read]);
    const body = read.body;
    const problems = unknownFields(Object.keys(body), VTO_FIELDS, 'POST /api/ai/vto');
    const productType = checkProductType(body.productType, problems);

    const strength = body.garmentStrength;
    if (strength === undefined) {
      problems.push({ rule: 'garment-strength-required', reason: 'garmentStrength is required' });
    } else if (strength !== 1 && strength !== 2 && strength !== 3) {
      problems.push({
        rule: 'garment-strength',
        reason: `garmentStrength must be the number 1, 2 or 3 (got ${JSON.stringify(strength)})`,
      });
    }
    const prompt = body.prompt;
    if (prompt !== undefined && typeof prompt !== 'string') {
      problems.push({ rule: 'prompt-type', reason: `prompt must be a string (got ${JSON.stringify(prompt)})` });
    }
    const runWithPrompt = body.runWithPrompt;
    if (runWithPrompt !== undefined && typeof runWithPrompt !== 'boolean') {
      problems.push({
        rule: 'run-with-prompt-type',
        reason: `runWithPrompt must be a boolean (got ${JSON.stringify(runWithPrompt)})`,
      });
    }

    const [person, garment, mask] = await Promise.all([
      imageField(body, 'personImage', true, problems),
      imageField(body, 'garmentImage', true, problems),
      imageField(body, 'maskBase64', false, problems),
    ]);
    let maskSizeProblem: Problem | null = null;
    if (person && mask) {
      const personAspect = person.width / person.height;
      const maskAspect = mask.width / mask.height;
      if (Math.abs(maskAspect - personAspect) / personAspect > 0.01) {
        problems.push({
          rule: 'mask-aspect',
          reason: `maskBase64 is ${mask.width}×${mask.height}, a different shape from the ${person.width}×${person.height} personImage`,
        });
      } else if (mask.width !== person.width || mask.height !== person.height) {
        maskSizeProblem = {
          rule: 'mask-size',
          reason: `maskBase64 is ${mask.width}×${mask.height} but personImage is ${person.width}×${person.height}; the mask was resized`,
        };
      }
    }
    if (problems.length > 0 || !person || !garment || !productType) return badRequest(entry, problems);

    if (maskSizeProblem) violate(entry, maskSizeProblem);
    const promptText = typeof prompt === 'string' ? prompt : undefined;
    if (runWithPrompt === true && (promptText === undefined || promptText.trim() === '')) {
      advise(entry, {
        rule: 'run-with-prompt-without-prompt',
        reason: 'runWithPrompt is true but no prompt was given',
      });
    }
    if (promptText !== undefined && runWithPrompt !== true) {
      advise(entry, {
        rule: 'prompt-ignored',
        reason: 'a prompt was given without runWithPrompt: true, so the VTO does not consider it',
      });
    }

    if (!canAfford('vto')) return outOfCredits();
    const polarity = forms.maskPolarity;
    const shape = (image: DecodedImage) => ({ format: image.format, width: image.width, height: image.height });
    const task = createTask(
      entry,
      'vto',
      {
        productType,
        person: shape(person),
        garment: shape(garment),
        ...(mask ? { mask: { ...shape(mask), bytes: mask.bytes } } : {}),
        garmentStrength: strength as number,
        ...(promptText !== undefined ? { prompt: promptText } : {}),
        ...(typeof runWithPrompt === 'boolean' ? { runWithPrompt } : {}),
      },
      () => renderTryOn({ person: person.bytes, garment: garment.bytes, mask: mask?.bytes ?? null, polarity }),
    );
    return createdAnswer(task.id, task.charge, forms);
  };

  const side = (body: Record<string, unknown>, name: 'width' | 'height', problems: Problem[]): number => {
    const value = body[name];
    if (value === undefined) return DEFAULT_SIDE;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      problems.push({
        rule: `${name}-type`,
        reason: `${name} must be a whole number (got ${JSON.stringify(value)})`,
      });
    } else if (value < 1 || value > MAX_SIDE) {
      problems.push({ rule: `${name}-range`, reason: `${name} must be 1 to ${MAX_SIDE} (got ${value})` });
    }
    return typeof value === 'number' ? value : DEFAULT_SIDE;
  };

  const generation = async (entry: RequestRecord, request: http.IncomingMessage, raw: RawBody): Promise<Answer> => {
    counters.generations += 1;
    const read = readJson(request, raw);
    if ('rule' in read) return badRequest(entry, [read]);
    const body = read.body;
    const problems = unknownFields(Object.keys(body), GENERATION_FIELDS, 'POST /api/ai/image-generation');
    const prompt = body.prompt;
    if (prompt === undefined) problems.push({ rule: 'prompt-required', reason: 'prompt is required' });
    else if (typeof prompt !== 'string') {
      problems.push({ rule: 'prompt-type', reason: `prompt must be a string (got ${JSON.stringify(prompt)})` });
    } else if (prompt.trim() === '') problems.push({ rule: 'prompt-empty', reason: 'prompt must not be empty' });
    const productType = checkProductType(body.productType, problems);
    const width = side(body, 'width', problems);
    const height = side(body, 'height', problems);
    const reference = await imageField(body, 'maskBase64', false, problems);
    if (problems.length > 0 || typeof prompt !== 'string' || !productType) return badRequest(entry, problems);

    if (!canAfford('image-generation')) return outOfCredits();
    const shape = reference
      ? { reference: { format: reference.format, width: reference.width, height: reference.height } }
      : {};
    const task = createTask(entry, 'image-generation', { productType, prompt, width, height, ...shape }, () =>
      renderGeneration({ prompt, productType, width, height, reference: reference?.bytes ?? null }),
    );
    return createdAnswer(task.id, task.charge, forms);
  };

  const description = async (entry: RequestRecord, request: http.IncomingMessage, raw: RawBody): Promise<Answer> => {
    counters.descriptions += 1;
    const contentType = request.headers['content-type'] ?? '';
    const boundary = multipartBoundary(contentType);
    if (boundary === null) {
      return badRequest(entry, [
        {
          rule: 'content-type',
          reason: `Content-Type must be multipart/form-data with a boundary (got ${contentType === '' ? 'none' : contentType})`,
        },
      ]);
    }
    const parts = parseMultipart(raw.bytes, boundary);
    if (parts === null) {
      return badRequest(entry, [{ rule: 'multipart', reason: 'the multipart/form-data body is malformed' }]);
    }
    entry.body = parts.map((part) => ({
      name: part.name,
      filename: part.filename,
      contentType: part.contentType,
      bytes: part.content.length,
    }));
    const problems = unknownFields(
      parts.map((part) => part.name),
      DESCRIPTION_FIELDS,
      'POST /api/ai/product-description',
    );
    for (const name of DESCRIPTION_FIELDS) {
      if (parts.filter((part) => part.name === name).length > 1) {
        problems.push({ rule: 'duplicate-field', reason: `${name} was sent more than once` });
      }
    }
    const imagePart = parts.find((part) => part.name === 'image');
    let image: DecodedImage | null = null;
    if (!imagePart) problems.push({ rule: 'image-required', reason: 'image (a file) is required' });
    else if (imagePart.filename === null) {
      problems.push({
        rule: 'image-not-file',
        reason: 'image must be sent as a file (a filename in its Content-Disposition), not as a text field',
      });
    } else {
      const read: DecodedImage | ImageProblem = await readImage(imagePart.content, 'image');
      if (isImageProblem(read)) problems.push(read);
      else image = read;
    }
    const typePart = parts.find((part) => part.name === 'productType');
    let productType: ProductType | null = null;
    if (typePart && typePart.filename !== null) {
      problems.push({ rule: 'product-type-file', reason: 'productType must be a text field, not a file' });
    } else {
      productType = checkProductType(typePart?.content.toString('utf8'), problems);
    }
    if (problems.length > 0 || !image || !productType) return badRequest(entry, problems);

    const text = await describeProduct(image, productType);
    if (!canAfford('product-description')) return outOfCredits();
    const charge = chargeQuarters(entry, 'product-description', null);
    return descriptionAnswer(text, charge, forms);
  };

  const findTask = (entry: RequestRecord, id: string): InternalTask | Answer => {
    const task = tasks.get(id);
    if (!task) {
      violate(entry, { rule: 'task-unknown', reason: `no task ${JSON.stringify(id)} was created` });
      return error(404, `Task ${id} not found`);
    }
    entry.taskId = task.id;
    return task;
  };

  const poll = async (entry: RequestRecord, id: string): Promise<Answer> => {
    counters.polls += 1;
    const found = findTask(entry, id);
    if (!('listeners' in found)) return found;
    found.polls += 1;
    await advance(found);
    return taskAnswer(taskJson(found), forms);
  };

  const imageGet = async (entry: RequestRecord, id: string): Promise<Answer> => {
    counters.imageGets += 1;
    const task = imageOwners.get(id);
    if (task) await advance(task);
    if (!task || task.status !== 'completed' || !task.outputBytes) {
      violate(entry, {
        rule: 'image-unknown',
        reason: task ? `image ${id} is not ready: its task is ${task.status}` : `no image ${id}`,
      });
      return error(404, `Image ${id} not found`);
    }
    entry.taskId = task.id;
    return imageAnswer(task.outputBytes, forms);
  };

  /** Serves a task's SSE stream (A19); the response stays with this function. */
  const stream = async (entry: RequestRecord, response: http.ServerResponse, task: InternalTask) => {
    await advance(task);
    const mode = takeFault('stream', ['stream-drop', 'stream-stall']);
    if (mode) {
      entry.fault = mode.kind;
      counters.faulted += 1;
    }
    counters.streamsOpened += 1;
    counters.streamsOpen += 1;
    task.streams += 1;
    entry.status = 200;
    entry.outcome = 'streaming';
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    let keepAlive: NodeJS.Timeout | null = null;
    const listener = () => send();
    const finish = () => {
      task.listeners.delete(listener);
      if (keepAlive) clearInterval(keepAlive);
      keepAlive = null;
    };
    response.on('close', () => {
      finish();
      counters.streamsOpen -= 1;
      if (entry.outcome === 'streaming') entry.outcome = 'closed';
    });
    let sentStatus: TaskStatus | null = null;
    function send() {
      if (response.destroyed || response.writableEnded) return;
      if (task.status === sentStatus) return;
      sentStatus = task.status;
      const final = task.status === 'completed' || task.status === 'failed';
      response.write(eventFrames(task.status, taskJson(task), final, forms));
      if (final) {
        finish();
        entry.outcome = 'streamed';
        response.end();
      }
    }
    if (mode?.kind === 'stream-drop') {
      sentStatus = task.status;
      entry.outcome = 'dropped';
      response.write(eventFrames(task.status, taskJson(task), false, forms), () => response.socket?.destroy());
      return;
    }
    if (mode?.kind === 'stream-stall') {
      sentStatus = task.status;
      entry.outcome = 'stalled';
      response.write(eventFrames(task.status, taskJson(task), false, forms));
      return;
    }
    if (keepAliveMs > 0) {
      keepAlive = setInterval(() => {
        if (!response.destroyed && !response.writableEnded) response.write(': keep-alive\n\n');
      }, keepAliveMs);
    }
    task.listeners.add(listener);
    send();
  };

  // ---- routing -------------------------------------------------------------------------------------

  const classify = (method: string, pathname: string): { route: Route; param: string; allow: string | null } => {
    const post = (route: Endpoint) => ({
      route: method === 'POST' ? route : ('unknown' as const),
      param: '',
      allow: 'POST',
    });
    if (pathname === '/api/ai/vto') return post('vto');
    if (pathname === '/api/ai/image-generation') return post('image-generation');
    if (pathname === '/api/ai/product-description') return post('product-description');
    const get = (route: Route, param: string | undefined) => ({
      route: method === 'GET' ? route : ('unknown' as const),
      param: decodeURIComponent(param ?? ''),
      allow: 'GET',
    });
    const streamMatch = /^\/api\/ai\/task\/([^/]+)\/stream$/.exec(pathname);
    if (streamMatch) return get('stream', streamMatch[1]);
    const taskMatch = /^\/api\/ai\/task\/([^/]+)$/.exec(pathname);
    if (taskMatch) return get('task', taskMatch[1]);
    const imageMatch = /^\/images\/([^/]+)$/.exec(pathname);
    if (imageMatch) return get('image', imageMatch[1]);
    return { route: 'unknown', param: '', allow: null };
  };

  const checkAuth = (entry: RequestRecord): Answer | null => {
    const { apiKey, keyId } = entry;
    let problem: Problem | null = null;
    if (apiKey === null || apiKey === '') problem = { rule: 'auth-missing-key', reason: 'no x-api-key header' };
    else if (keyId === null || keyId === '') problem = { rule: 'auth-missing-key-id', reason: 'no x-key-id header' };
    else {
      const pair = keys.find((candidate) => candidate.apiKey === apiKey);
      if (!pair) problem = { rule: 'auth-invalid-key', reason: `x-api-key ${mask(apiKey)} is not a valid key` };
      else if (pair.keyId !== keyId) {
        problem = {
          rule: 'auth-key-id-mismatch',
          reason: `x-key-id ${JSON.stringify(keyId)} is not the id of the key sent in x-api-key`,
        };
      }
    }
    if (!problem) return null;
    violate(entry, problem);
    return error(401, `Unauthorized: ${problem.reason}`);
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

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    const routed = classify(method, url.pathname);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const entry: RequestRecord = {
      seq: ++seq,
      at: now(),
      method,
      path: url.pathname,
      route: routed.route,
      apiKey: header('x-api-key'),
      keyId: header('x-key-id'),
      body: null,
      status: null,
      outcome: 'pending',
      fault: null,
      taskId: null,
    };
    if (entry.apiKey !== null) keysSeen.set(entry.apiKey, (keysSeen.get(entry.apiKey) ?? 0) + 1);
    requests.push(entry);
    counters.requests += 1;
    const raw = await readBody(request, maxBodyBytes);
    entry.body = summarize(raw.bytes, request.headers['content-type']);

    const fault = takeFault(routed.route, ['status', 'reset-before', 'reset-after', 'delay', 'hang']);
    if (fault) {
      entry.fault = fault.kind;
      counters.faulted += 1;
    }
    switch (fault?.kind) {
      case 'reset-before':
        reset(entry, request);
        return;
      case 'hang':
        entry.outcome = 'hung';
        return;
      case 'status':
        write(entry, response, error(fault.status ?? 500, 'Injected server error'));
        return;
      case 'delay':
        if (fault.when === 'before') await sleep(fault.ms);
        break;
      case 'reset-after':
      case undefined:
        break;
    }

    let answer = checkAuth(entry);
    if (!answer) {
      if (routed.route === 'stream') {
        const found = findTask(entry, routed.param);
        if ('listeners' in found) {
          if (fault?.kind === 'reset-after') {
            reset(entry, request);
            return;
          }
          if (fault?.kind === 'delay' && fault.when !== 'before') await sleep(fault.ms);
          await stream(entry, response, found);
          return;
        }
        answer = found;
      } else if (raw.tooLarge) {
        violate(entry, { rule: 'body-size', reason: `the request body is over ${maxBodyBytes} bytes` });
        answer = error(413, `Request body over ${maxBodyBytes} bytes`);
      } else {
        answer = await dispatch(entry, request, routed, raw);
      }
    }
    if (fault?.kind === 'reset-after') {
      reset(entry, request);
      return;
    }
    if (fault?.kind === 'delay' && fault.when !== 'before') await sleep(fault.ms);
    write(entry, response, answer);
  };

  const dispatch = async (
    entry: RequestRecord,
    request: http.IncomingMessage,
    routed: ReturnType<typeof classify>,
    raw: RawBody,
  ): Promise<Answer> => {
    switch (routed.route) {
      case 'vto':
        return vto(entry, request, raw);
      case 'image-generation':
        return generation(entry, request, raw);
      case 'product-description':
        return description(entry, request, raw);
      case 'task':
        return poll(entry, routed.param);
      case 'image':
        return imageGet(entry, routed.param);
      case 'stream':
      case 'unknown':
        break;
    }
    if (routed.allow) {
      violate(entry, {
        rule: 'method',
        reason: `${entry.method} ${entry.path} is not an endpoint; use ${routed.allow}`,
      });
      return {
        ...error(405, `Method ${entry.method} not allowed; use ${routed.allow}`),
        headers: { Allow: routed.allow },
      };
    }
    violate(entry, { rule: 'route', reason: `${entry.method} ${entry.path} is not a documented endpoint` });
    return error(404, `No endpoint ${entry.method} ${entry.path}`);
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((problem: unknown) => {
      if (closed) return;
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end(`sandbox error: ${String(problem)}`);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: origin,
    port,
    keys,
    violations,
    advisories,
    requests,
    ledger,
    counters,
    keysSeen,
    get balance() {
      return balanceQuarters / 4;
    },
    get balanceQuarters() {
      return balanceQuarters;
    },
    setBalance: (credits) => {
      balanceQuarters = toQuarters(credits, 'balance');
    },
    get forms() {
      return { ...forms };
    },
    setForms: (changes) => {
      forms = mergeForms(forms, changes);
    },
    setFaults: (...faults) => armFaults(faults),
    clearFaults: () => {
      armed.splice(0);
    },
    task: (id) => {
      const task = tasks.get(id);
      return task ? publicTask(task) : undefined;
    },
    tasks: () => [...tasks.values()].map(publicTask),
    image: (id) => {
      const task = imageOwners.get(id);
      return task?.status === 'completed' ? (task.outputBytes ?? undefined) : undefined;
    },
    settle,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      for (const timer of timers) clearTimeout(timer);
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Let sharp finish what it started so no work outlives the sandbox.
      await Promise.allSettled([...tasks.values()].map((task) => task.rendering));
    },
  };
}

/** Reads the whole body, keeping at most `max` bytes, so the socket is drained before any answer. */
function readBody(request: http.IncomingMessage, max: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    const done = () => resolve({ bytes: Buffer.concat(chunks), tooLarge });
    request.on('end', done);
    request.on('error', done);
    request.on('close', done);
  });
}

/** What the request log keeps of a body: JSON with long strings shortened, else a little text. */
function summarize(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return null;
  if (contentType?.toLowerCase().startsWith('multipart/')) return `<multipart, ${bytes.length} bytes>`;
  const text = bytes.toString('utf8');
  try {
    return shorten(JSON.parse(text));
  } catch {
    return text.slice(0, 500);
  }
}

function shorten(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 200 ? `<${value.length} chars>` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shorten(item)]));
  }
  return value;
}

/** The boundary of a `multipart/form-data` Content-Type, or null when it is not one. */
function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary && boundary.length <= 70 ? boundary : null;
}

interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  content: Buffer;
}

/** Splits a multipart/form-data body into its parts (RFC 7578), or null when it is malformed. */
function parseMultipart(body: Buffer, boundary: string): FormPart[] | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position < 0) return null;
  const parts: FormPart[] = [];
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (body.subarray(position, position + 2).toString('latin1') !== '\r\n') return null;
    position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) return null;
    const headers = body.subarray(position, headerEnd).toString('utf8').split('\r\n');
    const contentStart = headerEnd + 4;
    const next = body.indexOf(between, contentStart);
    if (next < 0) return null;
    let name: string | null = null;
    let filename: string | null = null;
    let contentType: string | null = null;
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon < 0) return null;
      const field = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (field === 'content-type') contentType = value;
      if (field === 'content-disposition') {
        if (!/^form-data\s*(;|$)/i.test(value)) return null;
        for (const param of value.matchAll(/;\s*([A-Za-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
          const key = (param[1] ?? '').toLowerCase();
          const text = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '').trim();
          if (key === 'name') name = text;
          if (key === 'filename') filename = text;
        }
      }
    }
    if (name === null) return null;
    parts.push({ name, filename, contentType, content: body.subarray(contentStart, next) });
    position = next + 2;
  }
}

/** Keys in violation text are cut, so logs of a test run never hold a whole secret. */
function mask(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 4)}…${key.slice(-2)}`;
}

/** A random key pair for the CLI, shaped like secrets so leaks are easy to grep for. */
export function randomTestKeys(): AuraxKeyPair {
  return { apiKey: `aurax_test_${randomBytes(12).toString('hex')}`, keyId: `kid_${randomBytes(6).toString('hex')}` };
}

/** A clock tests move by hand (the `now` option), so a task's run passes instantly and exactly. */
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
