/**
 * iacrea sandbox: a loopback emulator of the iacrea Exterior Creation API that follows
 * shared/api-docs/iacrea-exterior.txt strictly, records every departure from it, and injects faults.
 * The doc lists three POST endpoints, their fields and one example answer each; everything else is a
 * silent point, decided below.
 *
 * ASSUMPTIONS — where the doc is silent, this sandbox chooses (the stricter reading wherever there was one):
 *
 *  An entry that names a switch `forms.<name>` can be made to behave in the other readings listed in
 *  forms.ts, through the `forms` option or `setForms`; without one the sandbox takes the first reading.
 *
 *  Paths, auth and errors
 *  I1. `baseUrl` is `http://127.0.0.1:<port>`, standing in for `https://iacrea.com`; the API paths are
 *      the doc's: POST /api/create_exterior/generate, /generate-variation and /get. A query string is
 *      ignored. Any other path is 404 (rule `route`); one of the three with another method is 405 with
 *      `Allow: POST` (rule `method`). Route and method are checked before the key, as a web framework
 *      routes before the handler runs. The outputs are served at GET (or HEAD) /files/<id>.jpg (I17).
 *  I2. Every API request needs `x-api-key`: missing or empty is 401 `auth-missing-key`, unknown 401
 *      `auth-invalid-key`, checked before the body is read. Each key acts for one user (option `keys`,
 *      default DEFAULT_API_KEY for DEFAULT_USER_ID); several keys may share a user.
 *  I3. `user_id` is required in all three bodies: missing is 400 `user-id-missing`; anything but a
 *      string holding a UUID (8-4-4-4-12 hex, any version, either case) is 400 `user-id-format`; a UUID
 *      that is not the key's user is 403 `user-id-mismatch` — the key is genuine (so not 401) but may not
 *      act for that user. A 403 is answered on its own; other refusals list every problem found.
 *  I4. Error bodies are one shape for every error, switch `forms.errors` (`{error}` by default), the
 *      words saying what was wrong. Each problem is also recorded as its own violation.
 *
 *  Request bodies
 *  I5. Bodies must be `Content-Type: application/json` (`content-type`), valid JSON (`json`), a JSON
 *      object (`body-type`), at most `maxBodyBytes` (64 KiB; else 413 `body-size`). A field set to null
 *      counts as present with the wrong type. Fields the doc does not list are refused, one 400
 *      `unknown-field` each: a variation takes no width/height, get only user_id and generation_id.
 *  I6. `room_type` is one of TERRACE, POOL, PETANQUE exactly (`room-type-missing`, `room-type`).
 *      `width`/`height` are JSON numbers (`-missing`, `-type`: a numeric string is refused), whole
 *      (`-integer`), 1 to MAX_SIDE (`-range`; 16384 is the sandbox's own bound, not the doc's).
 *      image_url, mask_url, original_url and webhook are absolute http or https URLs (`image-url-missing`,
 *      `image-url-type`, `image-url-scheme`, and likewise `mask-url-*`, `original-url-*`, `webhook-*`);
 *      plain http and loopback hosts are accepted and not recorded. `generation_id` is a UUID string
 *      (`generation-id-missing`, `generation-id-format`).
 *
 *  Images
 *  I7. image_url, mask_url and original_url are fetched during the POST, before anything is created:
 *      GET, redirects followed, any host, `fetchTimeoutMs` (5 s). A failure (refused, timeout, non-2xx) is
 *      400 `<role>-fetch`, a body over `maxImageBytes` (30 MB) 400 `<role>-too-large`, where role is
 *      `image`, `mask` or `original`. The bytes must be JPEG or PNG by signature (`<role>-format`: the
 *      extension and Content-Type are not trusted) and decodable by sharp (`<role>-decode`). Sizes are
 *      read upright (EXIF orientation applied). Nothing fetched is charged for or kept but its facts.
 *  I8. Masks are compared with the photo's upright size. What is accepted is switch `forms.maskFormat`
 *      ('exact': PNG or JPEG at the photo's size, else `mask-size`; 'png-exact': the same but PNG only,
 *      else `mask-format`; 'same-aspect': any size within 1% of the photo's aspect, else `mask-aspect`,
 *      resized by nearest neighbour and recorded as the advisory `mask-resized`). Which pixels are the
 *      area to build in is switch `forms.maskPolarity` ('white': grey ≥ 128 over black; 'black': < 128;
 *      'alpha': alpha ≥ 128, and a mask without an alpha channel is 400 `mask-alpha`). The generation
 *      records the mask's facts, the channel read and the area taken (`mask.pixels`, `mask.area`). A mask
 *      marking nothing or everything is accepted with the advisory `mask-empty` / `mask-full`.
 *  I9. What width/height must match is switch `forms.sizeRule` ('exact': the photo's upright size, else
 *      400 `size-mismatch`; 'aspect': its aspect within 1%, else `size-aspect`; 'none'). The outputs
 *      are width×height in every reading.
 *
 *  Projects and generations
 *  I10. Each accepted generate creates a project and a generation, each a random UUID; a variation adds
 *      a generation to its parent's project. A generation is STARTING for `durationsMs.starting` (1 s),
 *      PROCESSING until `durationsMs.total` (15 s) after creation, both divided by `speed`, then
 *      SUCCEEDED, or FAILED (the `fail` fault, or outputs that could not be rendered). Generations move
 *      with the clock whether or not anyone asks, so webhooks go out on time.
 *  I11. get answers `{status, urls, variationNumber}`, `urls` only when SUCCEEDED (switch `forms.urls`),
 *      variationNumber per switch `forms.variationNumber` ('index': 0 for the generate, n for the
 *      project's nth variation, fixed at creation). An unknown generation is 404 `generation-unknown`;
 *      another user's is 404 `generation-not-yours`, answered like an unknown one so it tells nothing.
 *  I12. A variation's generation_id may name any generation of the user's (a generate or a variation)
 *      that has SUCCEEDED, else 409 `generation-not-succeeded`. What original_url must be is switch
 *      `forms.originalUrl` ('same-size': any image of the project photo's upright size, else
 *      `original-url-size`; 'same-url': the project's image_url string exactly, else
 *      `original-url-mismatch`; 'same-bytes': the same SHA-256, else `original-url-bytes`); it is fetched
 *      in every reading. A new mask_url is checked against the original (I8); without one the parent's
 *      mask and area are reused (`mask.reusedFrom`). The outputs keep the project's width×height;
 *      room_type may change. Every variation accepted counts in the project's variations, failed or not.
 *  I13. Each SUCCEEDED generation has `outputs` (2) JPEGs at width×height: the photo upright, stretched
 *      to that size, with the area painted opaque in the room type's colour (POOL blue, TERRACE wood
 *      brown, PETANQUE sand), 12 levels lighter per output index and 5 per variation index (mod 60), so
 *      outputs differ and a test can read the painted area back (`paintColour` in images.ts).
 *
 *  Photos
 *  I14. Each user has `photos` (100) to start. A generate costs 1 photo, charged once every check has
 *      passed, when the generation is created; its `remaining_photos` is the balance after it. A
 *      variation's cost is switch `forms.variationCost` ('free'). With no photo left the answer is switch
 *      `forms.noPhotos` (402 by default, the body in the errors form), counted in `counters.noPhotos`, not
 *      a violation, and nothing is created. Refused and fault-dropped-before requests cost nothing. A
 *      generation that ends FAILED gives its photo back at that moment ("automatically refunded").
 *      Every charge and refund is a `ledger` line.
 *  I15. `remaining_photos` is on every generate answer and on no variation answer (`{generation_id}`
 *      only), as the doc shows; not a switch.
 *
 *  Webhooks
 *  I16. With `webhook`, the sandbox POSTs JSON to it once the generation is SUCCEEDED or FAILED,
 *      unsigned (the doc names no signature), redirects not followed. A 2xx is a delivery; anything else
 *      (another status, a network error, `webhookTimeoutMs`) is retried after `webhookRetryDelayMs` (2 s,
 *      divided by `speed`), up to `webhookAttempts` (3) attempts in all. The payload is switch
 *      `forms.webhook`, its urls written as `forms.urls` says. Every attempt is recorded in `webhooks`; a
 *      receiver's failure is not the client's violation.
 *
 *  Files, limits, faults
 *  I17. Output links are `${baseUrl}/files/<output id>.jpg`, switch `forms.files` ('public': no key,
 *      like a CDN link). An id that is not a SUCCEEDED generation's output is 404 `file-unknown`.
 *  I18. The doc states no rate limit and no polling interval: none is applied.
 *  I19. Faults (option `faults`, `addFault`): see `Fault` in types.ts. Request faults apply as a request
 *      arrives, each use counted in `counters.faulted` and marked on its request record.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { file, generate, get, variation, type EndpointContext } from './endpoints';
import { FaultBox, REQUEST_FAULTS } from './faults';
import { defaultForms, errorAnswer, mergeForms, type Answer, type Problem } from './forms';
import { Registry } from './generations';
import {
  DEFAULT_API_KEY,
  DEFAULT_DURATIONS_MS,
  DEFAULT_USER_ID,
  type IacreaCounters,
  type IacreaSandbox,
  type IacreaSandboxOptions,
  type LedgerEntry,
  type RequestRecord,
  type Violation,
  type WebhookAttempt,
} from './types';
import { classify, readBody, summarize, type RawBody, type Routed } from './http';
import { readJsonBody } from './validate';

export * from './types';
export { FORM_CHOICES, NO_PHOTOS_MESSAGE, type IacreaForms } from './forms';
export { paintColour, ROOM_COLOURS, type Rgb } from './images';

export async function startIacreaSandbox(options: IacreaSandboxOptions = {}): Promise<IacreaSandbox> {
  const now = options.now ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const keys = options.keys ?? [{ apiKey: DEFAULT_API_KEY, userId: DEFAULT_USER_ID }];
  const firstUser = keys[0]?.userId ?? DEFAULT_USER_ID;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const outputs = options.outputs ?? 2;
  if (!Number.isInteger(outputs) || outputs < 1) throw new Error('outputs must be a whole number of at least 1');
  let forms = mergeForms(defaultForms(), options.forms ?? {});

  const violations: Violation[] = [];
  const advisories: Violation[] = [];
  const requests: RequestRecord[] = [];
  const ledger: LedgerEntry[] = [];
  const webhooks: WebhookAttempt[] = [];
  const counters: IacreaCounters = {
    requests: 0,
    generates: 0,
    variations: 0,
    gets: 0,
    fileGets: 0,
    generationsCreated: 0,
    projectsCreated: 0,
    noPhotos: 0,
    refunds: 0,
    faulted: 0,
    webhookAttempts: 0,
    webhooksDelivered: 0,
    webhooksAbandoned: 0,
  };
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const faults = new FaultBox();
  faults.arm(options.faults ?? []);
  let origin = '';
  let seq = 0;
  let closed = false;

  const registry = new Registry({
    now,
    forms: () => forms,
    origin: () => origin,
    counters,
    ledger,
    webhooks,
    photos: options.photos ?? 100,
    outputs,
    startingMs: (options.durationsMs?.starting ?? DEFAULT_DURATIONS_MS.starting) / speed,
    totalMs: (options.durationsMs?.total ?? DEFAULT_DURATIONS_MS.total) / speed,
    webhookAttempts: options.webhookAttempts ?? 3,
    webhookRetryDelayMs: (options.webhookRetryDelayMs ?? 2_000) / speed,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 5_000,
    fileUrlTtlMs: options.fileUrlTtlMs ?? 3_600_000,
    stop: closing.signal,
  });
  for (const key of keys) registry.setBalance(key.userId, options.photos ?? 100);

  const record = (list: Violation[], entry: RequestRecord, problem: Problem & { fault?: 'fetch-expired' }) => {
    list.push({
      seq: entry.seq,
      at: now(),
      route: entry.route,
      rule: problem.rule,
      reason: problem.reason,
      field: problem.field ?? null,
      fault: problem.fault ?? null,
    });
  };
  const ctx: EndpointContext = {
    forms: () => forms,
    registry,
    faults,
    counters,
    limits: {
      maxBytes: options.maxImageBytes ?? 30_000_000,
      timeoutMs: options.fetchTimeoutMs ?? 5_000,
      stop: closing.signal,
    },
    now,
    violate: (entry, finding) => record(violations, entry, finding),
    advise: (entry, problem) => record(advisories, entry, problem),
  };
  const refuse = (entry: RequestRecord, status: number, problem: Problem): Answer => {
    record(violations, entry, problem);
    return errorAnswer(status, [problem], forms);
  };
  const userOfKey = (apiKey: string | null) => keys.find((key) => key.apiKey === apiKey)?.userId ?? null;

  const ticker = setInterval(() => void registry.settle(), 10);
  ticker.unref();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const dispatch = async (
    entry: RequestRecord,
    request: http.IncomingMessage,
    routed: Routed,
    raw: RawBody,
    query: URLSearchParams,
  ): Promise<Answer> => {
    if (routed.route === 'unknown') {
      return refuse(entry, 404, { rule: 'route', reason: `${entry.method} ${entry.path} is not an endpoint` });
    }
    if (!routed.allowed) {
      const answer = refuse(entry, 405, {
        rule: 'method',
        reason: `${entry.method} ${entry.path} is not allowed; use ${routed.allow}`,
      });
      return { ...answer, headers: { Allow: routed.allow } };
    }
    if (routed.route === 'files') {
      counters.fileGets += 1;
      return file(ctx, entry, routed.outputId, query, userOfKey(entry.apiKey));
    }
    if (routed.route === 'generate') counters.generates += 1;
    if (routed.route === 'generate-variation') counters.variations += 1;
    if (routed.route === 'get') counters.gets += 1;
    if (entry.apiKey === null || entry.apiKey === '') {
      return refuse(entry, 401, { rule: 'auth-missing-key', reason: 'no x-api-key header' });
    }
    const keyUser = userOfKey(entry.apiKey);
    if (keyUser === null)
      return refuse(entry, 401, { rule: 'auth-invalid-key', reason: 'x-api-key is not a valid key' });
    if (raw.tooLarge) {
      return refuse(entry, 413, { rule: 'body-size', reason: `the request body is over ${maxBodyBytes} bytes` });
    }
    const read = readJsonBody(request.headers['content-type'], raw.bytes);
    if ('problem' in read) return refuse(entry, 400, read.problem);
    const call = { entry, keyUser, body: read.body };
    switch (routed.route) {
      case 'generate':
        return generate(ctx, call);
      case 'generate-variation':
        return variation(ctx, call);
      case 'get':
        return get(ctx, call);
    }
  };

  const write = (
    entry: RequestRecord,
    request: http.IncomingMessage,
    response: http.ServerResponse,
    answer: Answer,
  ) => {
    if (response.destroyed || response.headersSent) return;
    entry.status = answer.status;
    entry.outcome = 'answered';
    const body = answer.bytes ?? Buffer.from(JSON.stringify(answer.json ?? null));
    response.writeHead(answer.status, {
      'Content-Type': answer.contentType ?? 'application/json',
      'Content-Length': String(body.length),
      ...answer.headers,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const drop = (entry: RequestRecord, request: http.IncomingMessage) => {
    entry.outcome = 'dropped';
    request.socket.resetAndDestroy();
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    const routed = classify(method, url.pathname);
    const apiKey = request.headers['x-api-key'];
    const entry: RequestRecord = {
      seq: ++seq,
      at: now(),
      method,
      path: url.pathname,
      route: routed.route,
      apiKey: typeof apiKey === 'string' ? apiKey : null,
      body: null,
      status: null,
      outcome: 'pending',
      fault: null,
      generationId: null,
    };
    requests.push(entry);
    counters.requests += 1;
    const raw = await readBody(request, maxBodyBytes);
    entry.body = summarize(raw.bytes);

    const fault = faults.take(routed.route, REQUEST_FAULTS);
    if (fault) {
      entry.fault = fault.kind;
      counters.faulted += 1;
    }
    switch (fault?.kind) {
      case 'drop-before':
        drop(entry, request);
        return;
      case 'status-500':
      case 'status-503': {
        const status = fault.kind === 'status-500' ? 500 : 503;
        write(
          entry,
          request,
          response,
          errorAnswer(status, [{ rule: 'fault', reason: 'Injected server error' }], forms),
        );
        return;
      }
      case 'status-429': {
        const answer = errorAnswer(429, [{ rule: 'fault', reason: 'Too many requests' }], forms);
        write(entry, request, response, {
          ...answer,
          headers: { 'Retry-After': String(fault.retryAfterSeconds ?? 1) },
        });
        return;
      }
      case 'slow':
        if (fault.when === 'before') await sleep(fault.ms);
        break;
      case 'drop-after':
      case 'invalid-json':
      case undefined:
        break;
    }
    const answer = await dispatch(entry, request, routed, raw, url.searchParams);
    if (fault?.kind === 'drop-after') {
      drop(entry, request);
      return;
    }
    if (fault?.kind === 'slow' && fault.when !== 'before') await sleep(fault.ms);
    if (fault?.kind === 'invalid-json') {
      const bytes = Buffer.from(fault.body ?? '<html><body><h1>502 Bad Gateway</h1></body></html>');
      write(entry, request, response, { status: 200, bytes, contentType: 'application/json' });
      return;
    }
    write(entry, request, response, answer);
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((problem: unknown) => {
      if (closed || response.headersSent || response.destroyed) return;
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(`sandbox error: ${String(problem)}`);
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
    webhooks,
    counters,
    get forms() {
      return { ...forms };
    },
    setForms: (changes) => {
      forms = mergeForms(forms, changes);
    },
    addFault: (...added) => faults.arm(added),
    clearFaults: () => faults.clear(),
    armedFaults: () => faults.list(),
    remainingPhotos: (userId = firstUser) => registry.balance(userId),
    setRemainingPhotos: (photos, userId = firstUser) => registry.setBalance(userId, photos),
    generation: (id) => registry.get(id),
    generations: () => registry.all(),
    project: (id) => {
      const project = registry.projects.get(id);
      return project ? { ...project, generationIds: [...project.generationIds] } : undefined;
    },
    projects: () =>
      [...registry.projects.values()].map((project) => ({ ...project, generationIds: [...project.generationIds] })),
    file: (outputId) => {
      const found = registry.file(outputId);
      return found?.bytes;
    },
    settle: () => registry.settle(),
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
      await registry.drain();
    },
  };
}
