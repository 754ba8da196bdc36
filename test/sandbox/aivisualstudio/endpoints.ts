import { IMAGE_ASPECT_RATIOS, VIDEO_ASPECT_RATIOS } from './catalog';
import { CHARGE_FAULTS, OUTCOME_FAULTS, type FaultBox } from './faults';
import { createdView, generationView, listEnvelope, singleEnvelope, webhookView, type AivsForms } from './forms';
import type { Registry } from './generations';
import { scopeFor } from './auth';
import { apiError, invalidRequest, readJsonBody, type Answer, type Problem, type RawBody, type Routed } from './http';
import { loadFirstFrame, type FetchLimits, type FirstFrame } from './media';
import {
  WEBHOOK_EVENTS,
  type AivsCounters,
  type GenerationType,
  type ModelSpec,
  type RequestRecord,
  type Route,
  type WebhookEvent,
} from './types';
import {
  BodyCheck,
  IMAGE_FIELDS,
  pageQuery,
  queryWord,
  VIDEO_FIELDS,
  WEBHOOK_CREATE_FIELDS,
  WEBHOOK_PATCH_FIELDS,
} from './validate';
import type { WebhookStore } from './webhooks';

/**
 * The endpoints, after server.ts has checked the key, the rate limit, the path and method and the
 * scope (A2–A4). Every refusal a client could have avoided records each of its problems as a violation.
 */

export interface EndpointContext {
  forms: () => AivsForms;
  now: () => number;
  registry: Registry;
  webhooks: WebhookStore;
  models: readonly ModelSpec[];
  faults: FaultBox;
  counters: AivsCounters;
  limits: FetchLimits;
  /** Records each problem as a violation of `entry`. */
  violate: (entry: RequestRecord, problems: readonly Problem[]) => void;
}

/** The request as an endpoint sees it. */
export interface Call {
  entry: RequestRecord;
  method: string;
  /** The whole Bearer key (never recorded). */
  key: string;
  raw: RawBody;
  contentType: string | undefined;
  query: URLSearchParams;
  /** The `:id` of the path, if any. */
  id: string;
}

const refuse = (ctx: EndpointContext, call: Call, problems: readonly Problem[]): Answer => {
  ctx.violate(call.entry, problems);
  return invalidRequest(problems);
};

const notFound = (ctx: EndpointContext, call: Call, rule: string, what: string): Answer => {
  ctx.violate(call.entry, [{ rule, reason: `${what} not found` }]);
  return apiError(404, 'not_found', `${what} not found`);
};

/** The JSON object body, or the answer refusing it. */
function jsonBody(ctx: EndpointContext, call: Call): { body: Record<string, unknown> } | { answer: Answer } {
  const read = readJsonBody(call.contentType, call.raw);
  return 'problem' in read ? { answer: refuse(ctx, call, [read.problem]) } : read;
}

/** Creates, charges, and applies the charge faults (A7, A8, A21). */
function createAndAnswer(
  ctx: EndpointContext,
  call: Call,
  route: Route,
  model: ModelSpec,
  input: {
    type: GenerationType;
    prompt: string;
    aspectRatio: string;
    outputFormat: 'webp' | 'png' | 'jpg';
    duration: number | null;
    firstFrame: FirstFrame | null;
    webhookUrl: string | null;
  },
): Answer {
  const required = model.credits_per_generation;
  const available = ctx.registry.balance;
  if (available < required) {
    ctx.counters.noCredits += 1;
    const message = `You need ${required} credits but only have ${available}`;
    return apiError(403, 'insufficient_credits', message, { required, available });
  }
  const outcome = ctx.faults.take(route, OUTCOME_FAULTS);
  if (outcome) {
    call.entry.fault = outcome.kind;
    ctx.counters.faulted += 1;
  }
  const endAs = outcome === null ? null : outcome.kind === 'cancel' ? 'canceled' : 'failed';
  const id = ctx.registry.create({ ...input, model, requestSeq: call.entry.seq, endAs });
  call.entry.generationId = id;
  const charge = ctx.faults.take(route, CHARGE_FAULTS);
  if (charge) {
    call.entry.fault = charge.kind;
    ctx.counters.faulted += 1;
  }
  if (charge?.kind === 'drop-after-charge') return { status: 200, drop: true };
  if (charge?.kind === 'unreadable-after-charge') {
    return { status: 200, bytes: Buffer.from('<html>upstream error</html>'), contentType: 'application/json' };
  }
  if (charge?.kind === 'error-500-after-charge') return apiError(500, 'internal_error', 'An unexpected error occurred');
  const facts = ctx.registry.facts(id);
  return { status: 200, json: facts ? createdView(facts, ctx.forms(), ctx.now()) : null };
}

export function generateImage(ctx: EndpointContext, call: Call): Answer {
  const read = jsonBody(ctx, call);
  if ('answer' in read) return read.answer;
  const { body } = read;
  const check = new BodyCheck(body, IMAGE_FIELDS, 'POST /api/v1/generate/image');
  const prompt = check.prompt();
  const model = check.model('image', ctx.models);
  const aspectRatio = check.aspectRatio('image', IMAGE_ASPECT_RATIOS);
  const outputFormat = check.outputFormat();
  const webhookUrl = check.webhookUrl();
  if (check.problems.length > 0 || !model) return refuse(ctx, call, check.problems);
  return createAndAnswer(ctx, call, 'generate/image', model, {
    type: 'image',
    prompt,
    aspectRatio,
    outputFormat,
    duration: null,
    firstFrame: null,
    webhookUrl,
  });
}

export async function generateVideo(ctx: EndpointContext, call: Call): Promise<Answer> {
  const read = jsonBody(ctx, call);
  if ('answer' in read) return read.answer;
  const { body } = read;
  const check = new BodyCheck(body, VIDEO_FIELDS, 'POST /api/v1/generate/video');
  const prompt = check.prompt();
  const model = check.model('video', ctx.models);
  const aspectRatio = check.aspectRatio('video', VIDEO_ASPECT_RATIOS);
  const duration = check.duration();
  const frameUrl = check.firstFrameUrl();
  const webhookUrl = check.webhookUrl();
  if (check.problems.length > 0 || !model) return refuse(ctx, call, check.problems);
  // Fetched only once the rest is right, and before anything is created or charged (A6).
  const firstFrame = frameUrl === null ? null : await loadFirstFrame(frameUrl, ctx.limits);
  if (firstFrame && 'rule' in firstFrame) return refuse(ctx, call, [firstFrame]);
  return createAndAnswer(ctx, call, 'generate/video', model, {
    type: 'video',
    prompt,
    aspectRatio,
    outputFormat: 'webp',
    duration,
    firstFrame,
    webhookUrl,
  });
}

/** The status filter reads the doc's three words: pending/queued count as processing, canceled as failed (A10). */
export function listGenerations(ctx: EndpointContext, call: Call): Answer {
  const problems: Problem[] = [];
  const type = queryWord(call.query, 'type', ['image', 'video'], 'type-filter', problems);
  const status = queryWord(call.query, 'status', ['processing', 'completed', 'failed'], 'status-filter', problems);
  const page = pageQuery(call.query, problems);
  if (problems.length > 0) return refuse(ctx, call, problems);
  const forms = ctx.forms();
  const now = ctx.now();
  const matching = ctx.registry
    .ids()
    .map((id) => ctx.registry.facts(id))
    .filter((facts) => facts !== undefined)
    .filter((facts) => (type === null || facts.type === type) && (status === null || facts.state === status));
  const views = matching.slice(page.offset, page.offset + page.limit).map((facts) => generationView(facts, forms, now));
  return { status: 200, json: listEnvelope(views, { total: matching.length, ...page }, forms) };
}

export function getGeneration(ctx: EndpointContext, call: Call): Answer {
  const facts = ctx.registry.facts(call.id);
  if (!facts) return notFound(ctx, call, 'generation-unknown', `Generation ${call.id}`);
  call.entry.generationId = facts.id;
  const forms = ctx.forms();
  return { status: 200, json: singleEnvelope(generationView(facts, forms, ctx.now()), forms) };
}

export function listModels(ctx: EndpointContext, call: Call): Answer {
  const problems: Problem[] = [];
  const type = queryWord(call.query, 'type', ['image', 'video'], 'type-filter', problems);
  if (problems.length > 0) return refuse(ctx, call, problems);
  const data = ctx.models.filter((model) => type === null || model.type === type).map((model) => ({ ...model }));
  return { status: 200, json: { data, total: data.length } };
}

/** /webhooks and /webhooks/:id, every method (A17). */
export function webhooks(ctx: EndpointContext, call: Call): Answer {
  const forms = ctx.forms();
  if (call.method === 'GET') {
    return { status: 200, json: { data: ctx.webhooks.list().map((record) => webhookView(record, forms, false)) } };
  }
  if (call.method === 'DELETE') {
    if (!ctx.webhooks.delete(call.id)) return notFound(ctx, call, 'webhook-unknown', `Webhook ${call.id}`);
    return { status: 200, json: { id: call.id, deleted: true } };
  }
  if (call.method === 'PATCH' && !ctx.webhooks.get(call.id)) {
    return notFound(ctx, call, 'webhook-unknown', `Webhook ${call.id}`);
  }
  const read = jsonBody(ctx, call);
  if ('answer' in read) return read.answer;
  const { body } = read;
  const creating = call.method === 'POST';
  const where = creating ? 'POST /api/v1/webhooks' : 'PATCH /api/v1/webhooks/:id';
  const check = new BodyCheck(body, creating ? WEBHOOK_CREATE_FIELDS : WEBHOOK_PATCH_FIELDS, where);
  const url = check.url(creating);
  const events = check.events();
  const active = creating ? null : check.active();
  if (!creating && Object.keys(body).length === 0) {
    check.problems.push({ rule: 'patch-empty', reason: 'send at least one of url, events, active' });
  }
  if (check.problems.length > 0) return refuse(ctx, call, check.problems);
  if (!creating) {
    const changes: { url?: string; events?: WebhookEvent[]; active?: boolean } = {};
    if (url !== null) changes.url = url;
    if (events !== null) changes.events = events;
    if (active !== null) changes.active = active;
    const updated = ctx.webhooks.update(call.id, changes);
    return updated ? { status: 200, json: webhookView(updated, forms, false) } : apiError(404, 'not_found', 'gone');
  }
  if (ctx.webhooks.full()) {
    return refuse(ctx, call, [{ rule: 'webhook-limit', reason: 'an account may have at most 10 webhooks' }]);
  }
  const created = ctx.webhooks.create(url ?? '', events ?? [...WEBHOOK_EVENTS], call.key, ctx.now());
  return { status: 201, json: webhookView(created, forms, true) };
}

/** GET/HEAD /files/<output id>.<ext>: public, like a CDN link (A14). */
export function file(ctx: EndpointContext, call: Call, ext: string): Answer {
  const found = ctx.registry.file(`${call.id}.${ext}`);
  if (!found) return notFound(ctx, call, 'file-unknown', `File ${call.id}.${ext}`);
  call.entry.generationId = found.generationId;
  return { status: 200, bytes: found.bytes, contentType: found.contentType };
}

/** After the key, the rate limit and the arrival faults (A1, A4, A5): path, method, scope, then the endpoint. */
export async function dispatch(
  ctx: EndpointContext,
  call: Call,
  routed: Routed,
  scopes: readonly string[],
): Promise<Answer> {
  const { entry } = call;
  if (routed.route === 'unknown') {
    ctx.violate(entry, [{ rule: 'route', reason: `${entry.method} ${entry.path} is not an endpoint` }]);
    return apiError(404, 'not_found', `${entry.path} not found`);
  }
  if (!routed.allowed) {
    ctx.violate(entry, [{ rule: 'method', reason: `${entry.method} ${entry.path}: use ${routed.allow}` }]);
    const answer = apiError(405, 'invalid_request', `Method ${entry.method} not allowed; use ${routed.allow}`);
    return { ...answer, headers: { Allow: routed.allow } };
  }
  if (routed.route === 'files') return file(ctx, call, routed.ext);
  if (routed.route === 'keys') {
    const message = 'API key management needs a web session; API keys cannot use it';
    ctx.violate(entry, [{ rule: 'keys-with-api-key', reason: message }]);
    return apiError(403, 'insufficient_scope', message);
  }
  const scope = scopeFor(routed.route);
  if (scope !== null && !scopes.includes(scope)) {
    ctx.counters.authRefused += 1;
    return apiError(403, 'insufficient_scope', `This API key lacks the ${scope} scope`, { required: scope });
  }
  switch (routed.route) {
    case 'generate/image':
      return generateImage(ctx, call);
    case 'generate/video':
      return generateVideo(ctx, call);
    case 'generations':
      return listGenerations(ctx, call);
    case 'generation':
      return getGeneration(ctx, call);
    case 'models':
      return listModels(ctx, call);
    case 'webhooks':
      return webhooks(ctx, call);
  }
}
