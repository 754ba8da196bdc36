/**
 * AI Visual Studio sandbox: a loopback emulator of the API in shared/api-docs/aivisualstudio.txt that
 * follows the doc strictly, records every departure from it, and injects faults.
 *
 * ASSUMPTIONS — where the doc is silent, this sandbox chooses (the stricter reading wherever there was one).
 * An entry naming a switch `forms.<name>` has other readings in forms.ts; the first is the default.
 *
 *  A1. `baseUrl` is `http://127.0.0.1:<port>` standing in for `https://aivisualstudio.co`; the API is
 *      at the doc's `/api/v1/...` paths, exactly (a trailing slash is another path). Outputs are at
 *      `/files/<output id>.<ext>`. Any other path is 404 not_found (rule `route`); a known path with
 *      another method is 405 with `Allow` and code invalid_request (the doc's table has no 405 code;
 *      rule `method`). HEAD is taken by /files only.
 *  A2. Every /api/v1 request needs `Authorization: Bearer <key>`, checked before the path is routed
 *      (a gateway in front of the API): none, empty or not `Bearer <one token>` → 401 missing_api_key;
 *      unknown or revoked → 401 invalid_api_key; `expiresAt` ≤ server now → 401 expired_api_key; the
 *      socket's address (IPv4-mapped IPv6 read as IPv4) not in a non-empty allowlist of exact addresses
 *      → 403 ip_not_allowed. These are counted in `counters.authRefused`, not violations, carry no rate
 *      headers and do not count against a limit: until the key is established there is no one to count.
 *      All keys share one account: one balance, one set of generations and webhooks.
 *  A3. Rate limit (doc: 60 per minute per key): fixed windows of `rateLimit.windowMs`, one per key,
 *      starting at its first request after the previous window ended. Every authenticated request
 *      counts, refused ones too. Every answer to one carries X-RateLimit-Limit, X-RateLimit-Remaining
 *      (after this request, never below 0) and X-RateLimit-Reset (the window's end, Unix seconds rounded
 *      up, server time). Over the limit → 429 rate_limited, counted in `counters.rateLimited`, not a violation.
 *  A4. Scopes: GET generations, generations/:id and models need `read`; generate/image `generate:image`;
 *      generate/video `generate:video`; /webhooks (every method) `webhooks`. Missing → 403
 *      insufficient_scope `{required}`, counted as an auth refusal. /api/v1/keys (any method, any id)
 *      needs a web session: with an API key it is 403 insufficient_scope and the violation
 *      `keys-with-api-key` (the client should never call it).
 *  A5. Order after the key: rate limit, arrival faults, path and method, scope, validation, credits,
 *      creation. POST/PATCH bodies must be `Content-Type: application/json` (`content-type`), JSON
 *      (`json`), an object (`body-type`), ≤ 64 KiB (400 `body-size`: the doc's table has no 413). Every
 *      problem is listed: 400 invalid_request, `details: {field, rule, problems: [{field, rule, message}]}`
 *      with the first problem's field and rule standing alone; each is a violation. A null field has the
 *      wrong type; fields the doc does not list are `unknown-field`. prompt: required string, not blank,
 *      ≤ 4000 characters (the sandbox's bound): `prompt-missing|type|empty|length`. model: a catalog id
 *      (`model-unknown`) of the endpoint's type (`model-type`). Image: aspect_ratio of the doc's seven,
 *      default 1:1 (`aspect-ratio`); output_format webp|png|jpg, default webp (`output-format`).
 *  A6. Video: aspect_ratio of the doc's five, default 16:9; duration a JSON integer (`duration-type`)
 *      1–10 (`duration-range`), default 5; no output_format. first_frame_image: an absolute http(s) URL
 *      (`first-frame-url`), fetched once the rest is valid and before anything is created: GET,
 *      redirects followed, `fetchTimeoutMs`; refused, timeout or non-2xx → `first-frame-fetch`; over
 *      30 MB → `first-frame-too-large`; JPEG, PNG or WebP by signature (`first-frame-format`) that sharp
 *      decodes (`first-frame-decode`). Its facts are kept on the generation; frame 0 of the video is it.
 *  A7. Credits: the model's `credits_per_generation`, flat whatever the duration or ratio, charged when
 *      the generation is created (a `ledger` line each). Too few → 403 insufficient_credits
 *      `{required, available}`, nothing created, `counters.noCredits`, not a violation. Failed or
 *      canceled generations are not refunded (the doc names no refund).
 *  A8. The create answer is 200 with the doc's seven fields (id, status, prompt, model, type,
 *      credits_charged, created_at), status and time written as the forms say. Ids are `gen_` + 16 hex.
 *  A9. Status words, switch `forms.statuses`: the doc's processing → completed | failed; or pending
 *      (first third of the time) then processing; or queued then processing; or failures written
 *      `canceled`. The `fail` and `cancel` faults end a generation badly.
 *  A10. GET generations/:id and the list show id, type, status, prompt, model, credits_charged, the
 *      output (completed only), `error: {code: 'generation_failed', message}` (failed only), created_at
 *      and completed_at (absent until the generation ends). Unknown id → 404 not_found (`generation-unknown`).
 *      Envelopes: switches `forms.single` and `forms.list`. List: type image|video (`type-filter`),
 *      status processing|completed|failed (`status-filter`, the doc's three words in every reading:
 *      pending/queued match processing, canceled matches failed), limit 1–100 default 20 (`limit-type`,
 *      `limit-range`), offset ≥ 0 default 0 (`offset`), other parameters ignored; newest first
 *      (created_at, then creation order); total counts every match.
 *  A11. The output's field, switch `forms.output`: output_url (as the doc's payload), output_urls,
 *      outputs [{url, content_type}], result {url}. One output per generation.
 *  A12. Times, switch `forms.times`: created_at/completed_at ISO 8601 to the second (the doc's
 *      `2025-01-09T12:00:00Z`), camelCase ISO, or Unix seconds — on generations, webhooks and event envelopes.
 *  A13. Generations end `durationsMs` (image 3 s, video 8 s) ÷ `speed` after creation, moved by timers
 *      whether or not anyone polls, so webhooks go out on time.
 *  A14. Outputs are real: an image sharp encodes in output_format, long side 512 (16:9 → 512×288), the
 *      prompt's colour (`promptColour`) with a slight ramp; an H.264 MP4 (I_PCM, ../video) of `duration` s at 2 fps,
 *      long side 256. Served publicly (no key, like a CDN link) by GET/HEAD with their Content-Type;
 *      an unknown file is 404 not_found (`file-unknown`).
 *  A15. GET models?type= → `{data, total}`, total the count listed; seven models (catalog.ts).
 *  A16. webhook_url and a webhook's url must be absolute https URLs; plain http is accepted for loopback
 *      hosts only (127.0.0.0/8, ::1, localhost), a relaxation so tests can receive: `webhook-url`,
 *      `url-missing|type|scheme`.
 *  A17. POST /webhooks → 201 with the webhook; events default to both, non-empty, known, no duplicates
 *      (`events-type|empty|unknown|duplicate`); at most 10 per account (400 `webhook-limit`). GET →
 *      `{data}` in creation order, never a secret. PATCH {url?, events?, active?} (`patch-empty`,
 *      `active-type`) → the webhook. DELETE → `{id, deleted: true}`. Unknown id → 404 (`webhook-unknown`).
 *  A18. The secret, switch `forms.webhookSecret`: `secret` ('whsec_' + 32 hex) in the create answer
 *      only; `signing_secret` likewise; in no answer (from the dashboard; `webhookSecretOf`); or none,
 *      deliveries signed with the API key that created the webhook.
 *  A19. When a generation ends, each active webhook subscribed to its event (generation.completed, or
 *      generation.failed for failed and canceled ones) and the generation's own webhook_url (unless a
 *      subscribed webhook has the same URL: one POST per URL) get `{event, data, created_at}`, data the
 *      generation as GET writes it. `X-Webhook-Signature: t=<server s>,v1=<hex HMAC-SHA256(secret,
 *      t + "." + JSON.stringify(payload))>`, what the doc's verifier recomputes from the parsed body. A
 *      webhook_url is signed with the secret of a registered webhook of the same URL, else unsigned. The
 *      body, switch `forms.deliveryBody`: compact, pretty, or compact with a final newline (the signature is the same).
 *  A20. Redirects are not followed; a 2xx delivers; anything else (status, network error,
 *      `webhookTimeoutMs` 10 s) is retried after `webhookRetryDelayMs` (2 s ÷ speed), `webhookAttempts`
 *      (3) attempts in all, the same payload with a fresh t. Every attempt is in `deliveries`.
 *  A21. Faults (Fault in types.ts): drop-before, error-500 and delay (wait `delayMs`, default 1 s, then
 *      handle) as a request arrives after its key and rate limit; drop-after-charge,
 *      unreadable-after-charge (200 with `<html>upstream error</html>` labelled JSON) and
 *      error-500-after-charge by the next request that creates a generation; fail and cancel by the
 *      next generation created. Each use is counted and marked on its request.
 *  A22. The server's clock is Date.now() + `clockSkewMs`: it writes `Date`, every time in answers and
 *      records, X-RateLimit-Reset, key expiry and the signature's t.
 *  A23. A request record keeps the last 4 characters of its key (none for keys under 8 characters).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, KeyRing, RateLimiter } from './auth';
import { MODELS } from './catalog';
import * as endpoints from './endpoints';
import { ARRIVAL_FAULTS, FaultBox } from './faults';
import { defaultForms, mergeForms } from './forms';
import { Registry } from './generations';
import { apiError, classify, readBody, summarize, type Answer, type Problem } from './http';
import {
  DEFAULT_API_KEY,
  DEFAULT_CREDITS,
  DEFAULT_DURATIONS_MS,
  DEFAULT_RATE_LIMIT,
  SCOPES,
  type AivsCounters,
  type AivsSandbox,
  type AivsSandboxOptions,
  type DeliveryRecord,
  type LedgerEntry,
  type RequestRecord,
  type Violation,
} from './types';
import { announcer, WebhookStore } from './webhooks';

export * from './types';
export { FORM_CHOICES, type AivsForms } from './forms';
export { MODELS } from './catalog';
export { promptColour, VIDEO_FPS, type Rgb } from './media';

const MAX_BODY_BYTES = 64 * 1024;

export async function startAivsSandbox(options: AivsSandboxOptions = {}): Promise<AivsSandbox> {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const skew = options.clockSkewMs ?? 0;
  const now = (): number => Date.now() + skew;
  const keySpecs = options.keys ?? [{ key: DEFAULT_API_KEY, scopes: [...SCOPES] }];
  const ring = new KeyRing(keySpecs);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  let forms = mergeForms(defaultForms(), options.forms ?? {});
  const faults = new FaultBox();
  for (const fault of options.faults ?? []) faults.arm(fault);

  const requests: RequestRecord[] = [];
  const violations: Violation[] = [];
  const ledger: LedgerEntry[] = [];
  const deliveries: DeliveryRecord[] = [];
  const counters: AivsCounters = {
    requests: 0,
    generationsCreated: 0,
    rateLimited: 0,
    noCredits: 0,
    authRefused: 0,
    faulted: 0,
    deliveryAttempts: 0,
    delivered: 0,
    abandoned: 0,
  };
  const closing = new AbortController();
  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  };
  let origin = '';
  let seq = 0;
  let closed = false;

  const store = new WebhookStore();
  const announce = announcer({
    registry: () => registry,
    store,
    forms: () => forms,
    now,
    deliveries,
    counters,
    track,
    stop: closing.signal,
    attempts: options.webhookAttempts ?? 3,
    retryDelayMs: (options.webhookRetryDelayMs ?? 2_000) / speed,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
  });
  const registry = new Registry({
    now,
    origin: () => origin,
    durationsMs: {
      image: (options.durationsMs?.image ?? DEFAULT_DURATIONS_MS.image) / speed,
      video: (options.durationsMs?.video ?? DEFAULT_DURATIONS_MS.video) / speed,
    },
    credits: options.credits ?? DEFAULT_CREDITS,
    ledger,
    counters,
    ended: announce,
  });

  const violate = (entry: RequestRecord, problems: readonly Problem[]): void => {
    for (const problem of problems) {
      violations.push({
        seq: entry.seq,
        at: now(),
        route: entry.route,
        rule: problem.rule,
        reason: problem.reason,
        field: problem.field ?? null,
      });
    }
  };
  const ctx: endpoints.EndpointContext = {
    forms: () => forms,
    now,
    registry,
    webhooks: store,
    // A copy: `setPrice` changes this sandbox's price list only.
    models: (options.models ?? MODELS).map((model) => ({ ...model })),
    faults,
    counters,
    limits: {
      maxBytes: options.maxFirstFrameBytes ?? 30_000_000,
      timeoutMs: options.fetchTimeoutMs ?? 5_000,
      stop: closing.signal,
    },
    violate,
  };

  const write = (
    entry: RequestRecord,
    response: http.ServerResponse,
    answer: Answer,
    headers: Record<string, string> = {},
  ): void => {
    if (response.destroyed || response.headersSent) return;
    entry.status = answer.status;
    entry.outcome = 'answered';
    const body = answer.bytes ?? Buffer.from(JSON.stringify(answer.json ?? null));
    response.writeHead(answer.status, {
      Date: new Date(now()).toUTCString(),
      'Content-Type': answer.contentType ?? 'application/json',
      'Content-Length': String(body.length),
      ...headers,
      ...answer.headers,
    });
    response.end(entry.method === 'HEAD' ? undefined : body);
  };
  const drop = (entry: RequestRecord, request: http.IncomingMessage): void => {
    entry.outcome = 'dropped';
    request.socket.resetAndDestroy();
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    const routed = classify(method, url.pathname);
    const header = request.headers.authorization;
    const presented = /^bearer +(\S+)/i.exec(header ?? '')?.[1];
    const entry: RequestRecord = {
      seq: (seq += 1),
      at: now(),
      method,
      path: url.pathname,
      route: routed.route,
      apiKey: presented === undefined ? null : presented.length >= 8 ? presented.slice(-4) : '',
      body: null,
      status: null,
      outcome: 'pending',
      fault: null,
      generationId: null,
    };
    requests.push(entry);
    counters.requests += 1;
    const raw = await readBody(request, MAX_BODY_BYTES);
    entry.body = summarize(raw.bytes);

    let key = '';
    let scopes: readonly string[] = [];
    let rateHeaders: Record<string, string> = {};
    if (routed.api) {
      const auth = authenticate(ring, header, request.socket.remoteAddress ?? '', now());
      if ('answer' in auth) {
        counters.authRefused += 1;
        write(entry, response, auth.answer);
        return;
      }
      ({ key, scopes } = auth);
      const rate = limiter.hit(key, now());
      rateHeaders = rate.headers;
      if (!rate.allowed) {
        counters.rateLimited += 1;
        const message = 'Too many requests, please slow down';
        write(entry, response, apiError(429, 'rate_limited', message), rateHeaders);
        return;
      }
    }
    const fault = faults.take(routed.route, ARRIVAL_FAULTS);
    if (fault) {
      entry.fault = fault.kind;
      counters.faulted += 1;
    }
    if (fault?.kind === 'drop-before') {
      drop(entry, request);
      return;
    }
    if (fault?.kind === 'error-500') {
      write(entry, response, apiError(500, 'internal_error', 'An unexpected error occurred'), rateHeaders);
      return;
    }
    if (fault?.kind === 'delay') await pause(fault.delayMs ?? 1_000, closing.signal);
    const call = {
      entry,
      method,
      key,
      raw,
      contentType: request.headers['content-type'],
      query: url.searchParams,
      id: routed.id,
    };
    const answer = await endpoints.dispatch(ctx, call, routed, scopes);
    if (answer.drop) drop(entry, request);
    else write(entry, response, answer, rateHeaders);
  };

  const server = http.createServer((request, response) => {
    const work = handle(request, response).catch((problem: unknown) => {
      if (closed || response.headersSent || response.destroyed) return;
      response.writeHead(500, { 'Content-Type': 'text/plain', Date: new Date(now()).toUTCString() });
      response.end(`sandbox error: ${String(problem)}`);
    });
    track(work);
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
    apiKey: keySpecs[0]?.key ?? DEFAULT_API_KEY,
    get forms() {
      return { ...forms };
    },
    setForms: (changes) => {
      forms = mergeForms(forms, changes);
    },
    addFault: (fault) => faults.arm(fault),
    clearFaults: () => faults.clear(),
    setCredits: (credits) => {
      registry.balance = credits;
    },
    setPrice: (modelId, credits) => {
      const model = ctx.models.find((candidate) => candidate.id === modelId);
      if (!model) throw new Error(`no model ${modelId} in this sandbox`);
      model.credits_per_generation = credits;
    },
    credits: () => registry.balance,
    revokeKey: (key) => ring.revoke(key),
    expireKey: (key) => ring.expire(key, now()),
    addKey: (spec) => ring.add(spec),
    requests,
    violations,
    counters,
    ledger,
    generations: () => registry.ids().flatMap((id) => registry.record(id, forms) ?? []),
    generation: (id) => registry.record(id, forms),
    webhooks: () => store.list(),
    webhookSecretOf: (id) => store.signingSecret(id, forms),
    deliveries,
    close: async () => {
      if (closed) return;
      closed = true;
      closing.abort();
      await registry.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...inflight]);
    },
  };
}

/** Waits `ms`, or less when the sandbox closes. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
