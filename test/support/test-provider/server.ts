import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in generation API for queue tests: submits (one or more steps, each keyed by an
 * Idempotency-Key header), status polls and downloads, with its own server-side count of
 * everything it received, so tests judge "never twice" by what the server saw, not by what the
 * app believes. `dedupe: true` behaves like AIXpose (same key → same job, charged once);
 * `dedupe: false` creates and charges a new job for every request.
 */
export interface TestProviderOptions {
  /**
   * Every job the provider takes then fails, in its own words and code; `refund` gives back what it
   * charged (all of it, or an amount), as iacrea does for a failed generation.
   */
  failAfterAccept?: { message: string; code?: string; refund?: true | number };
  /**
   * How GET /jobs/:id/stream behaves (Server-Sent Events): `complete` says pending then done and
   * ends; `drop` says pending then cuts the connection; `stall` says pending then nothing more.
   */
  stream?: 'complete' | 'drop' | 'stall';
  /**
   * Jobs finish by themselves `afterMs` after they were created (polls say pending until then) and
   * the provider calls `url` with `{ id, deliveryId, status }`: signed like the test module checks
   * when `secret` is given (`x-test-signature`), unsigned otherwise. `host` names the receiver's
   * public host (a tunnel's) in the Host header.
   */
  webhook?: { url: string; afterMs: number; secret?: string; host?: string };
  /** Results of this size (a flat colour), for tests that look at what export draws on them; 2 × 2 by default. */
  resultSize?: { width: number; height: number };
  dedupe: boolean;
  /** Status polls answered `pending` before `done`. */
  pollsUntilDone?: number;
  /** Downloads answered 404 before they work (the provider lost the file for a while). */
  failedDownloads?: number;
  /** Credits the account starts with; each job created costs one. Without it, credits are unlimited. */
  balance?: number;
  /** Put the output in the `done` poll answer (base64), so fetching it needs no request. */
  inlineOutputs?: boolean;
  /** Enforced on every request, polls included: more than `requests` in any `windowMs` → 429. */
  rateLimit?: { requests: number; windowMs: number; retryAfterSeconds: number };
  /** Decides, per submit, whether to answer normally or misbehave. `n` counts submits received. */
  onSubmit?: (info: { step: string; key: string; n: number }) => SubmitFault | undefined;
  port?: number;
}

export type SubmitFault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  /** Takes the request (and charges it when not deduping) but never answers. */
  | { kind: 'hang' }
  /** Takes the request (and charges it), then drops the connection without an answer. */
  | { kind: 'reset' };

export interface TestProviderServer {
  url: string;
  port: number;
  /** Requests received per step idempotency key (a resend with the same key counts again). */
  received: Map<string, number>;
  /** Jobs created (= charged) per step idempotency key. */
  charged: Map<string, number>;
  totals: {
    requests: number;
    submits: number;
    polls: number;
    downloads: number;
    rateLimited: number;
    /** Status streams opened, and those the client closed while they were still open. */
    streams: number;
    streamsLeft: number;
  };
  /** Times (ms) at which each request arrived, for rate checks. */
  arrivals: number[];
  /** Connections closed by the client while their request hung. */
  abandoned: number;
  /** The statuses our webhook calls were answered with, in order (0: no answer). */
  webhookAnswers: number[];
  /** Every request as it arrived: method, path, headers (lower-case) and body, to check what the client sent. */
  log: RecordedRequest[];
  setBalance: (credits: number) => void;
  /** Changes how status streams behave from now on. */
  setStream: (mode: NonNullable<TestProviderOptions['stream']>) => void;
  close: () => Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A whole, valid 2 × 2 PNG (a result later jobs can read as their picture). */
const PNG_RESULT = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEklEQVQImWM4UaFxokKDAUIBACnuBaHUWYGdAAAAAElFTkSuQmCC',
  'base64',
);

export async function startTestProvider(options: TestProviderOptions): Promise<TestProviderServer> {
  const received = new Map<string, number>();
  const charged = new Map<string, number>();
  const remoteByKey = new Map<string, string>();
  const polls = new Map<string, number>();
  const arrivals: number[] = [];
  const totals = { requests: 0, submits: 0, polls: 0, downloads: 0, rateLimited: 0, streams: 0, streamsLeft: 0 };
  let abandoned = 0;
  const log: RecordedRequest[] = [];
  const result = options.resultSize
    ? await sharp({ create: { ...options.resultSize, channels: 3, background: { r: 90, g: 140, b: 200 } } })
        .png()
        .toBuffer()
    : PNG_RESULT;
  let nextRemote = 1;
  let streamMode = options.stream ?? 'complete';
  const finished = new Set<string>();
  const webhookAnswers: number[] = [];
  let balance = options.balance ?? Number.POSITIVE_INFINITY;

  const create = (key: string): string => {
    charged.set(key, (charged.get(key) ?? 0) + 1);
    balance -= 1;
    const id = `r${nextRemote++}`;
    remoteByKey.set(key, id);
    const hook = options.webhook;
    if (hook) {
      setTimeout(() => {
        finished.add(id);
        callWebhook(hook, id);
      }, hook.afterMs);
    }
    return id;
  };

  /** The provider telling the client a job is done, as its webhook; each answer is kept for the test. */
  const callWebhook = (hook: NonNullable<TestProviderOptions['webhook']>, id: string): void => {
    const body = {
      id,
      deliveryId: `dlv-${id}`,
      status: { status: 'done', outputs: [{ index: 0, url: `/files/${id}` }] },
    };
    const text = JSON.stringify(body);
    const target = new URL(hook.url);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...(hook.host ? { host: hook.host } : {}),
    };
    if (hook.secret) {
      const seconds = Math.floor(Date.now() / 1000);
      const hex = createHmac('sha256', hook.secret).update(`${seconds}.${text}`).digest('hex');
      headers['x-test-signature'] = `t=${seconds},v1=${hex}`;
    }
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
      (response) => {
        response.resume();
        webhookAnswers.push(response.statusCode ?? 0);
      },
    );
    request.on('error', () => webhookAnswers.push(0));
    request.end(text);
  };

  const json = (response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  const server = http.createServer((request, response) => {
    const now = Date.now();
    totals.requests += 1;
    const limit = options.rateLimit;
    if (limit) {
      const inWindow = arrivals.filter((at) => at > now - limit.windowMs);
      arrivals.push(now);
      if (inWindow.length >= limit.requests) {
        totals.rateLimited += 1;
        json(response, 429, { error: { code: 'rate_limited' } }, { 'Retry-After': String(limit.retryAfterSeconds) });
        return;
      }
    } else arrivals.push(now);

    const url = new URL(request.url ?? '/', 'http://localhost');
    const submit = /^\/submit\/([\w-]+)$/.exec(url.pathname);
    if (request.method === 'POST' && submit) {
      totals.submits += 1;
      const step = submit[1] ?? '';
      const key = String(request.headers['idempotency-key'] ?? '');
      received.set(key, (received.get(key) ?? 0) + 1);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        log.push({
          method: 'POST',
          path: url.pathname,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const fault = options.onSubmit?.({ step, key, n: totals.submits });
        if (fault?.kind === 'status') {
          json(
            response,
            fault.status,
            fault.body ?? { error: { code: 'test_fault' } },
            fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
          );
          return;
        }
        const existing = options.dedupe ? remoteByKey.get(key) : undefined;
        if (!existing && balance < 1) {
          json(response, 402, { error: { code: 'insufficient_credits', message: 'No credits left.' } });
          return;
        }
        const id = existing ?? create(key);
        if (fault?.kind === 'hang') {
          request.socket.once('close', () => (abandoned += 1));
          return;
        }
        if (fault?.kind === 'reset') {
          request.socket.destroy();
          return;
        }
        json(response, 200, { id });
      });
      return;
    }
    if (request.method !== 'POST')
      log.push({ method: request.method ?? '', path: url.pathname, headers: request.headers, body: '' });
    const streamed = /^\/jobs\/(\w+)\/stream$/.exec(url.pathname);
    if (request.method === 'GET' && streamed) {
      totals.streams += 1;
      const id = streamed[1] ?? '';
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      response.write(`event: status\ndata: ${JSON.stringify({ status: 'pending' })}\n\n`);
      let ended = false;
      response.on('finish', () => (ended = true));
      response.on('close', () => {
        if (!ended) totals.streamsLeft += 1;
      });
      const mode = streamMode;
      if (mode === 'complete') {
        setTimeout(() => {
          const done = { status: 'done', outputs: [{ index: 0, url: `/files/${id}` }] };
          response.end(`event: status\ndata: ${JSON.stringify(done)}\n\n`);
        }, 30);
      } else if (mode === 'drop') setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    const job = /^\/jobs\/(\w+)$/.exec(url.pathname);
    if (request.method === 'GET' && job) {
      totals.polls += 1;
      const id = job[1] ?? '';
      const seen = (polls.get(id) ?? 0) + 1;
      polls.set(id, seen);
      const failure = options.failAfterAccept;
      const waitingForHook = options.webhook !== undefined && !finished.has(id);
      if (waitingForHook || seen <= (options.pollsUntilDone ?? 0)) json(response, 200, { status: 'pending' });
      else if (failure) {
        if (seen === (options.pollsUntilDone ?? 0) + 1 && failure.refund !== undefined) {
          balance += failure.refund === true ? 1 : failure.refund;
        }
        json(response, 200, {
          status: 'failed',
          error: { message: failure.message, code: failure.code },
          refunded: failure.refund ?? null,
        });
      } else if (options.inlineOutputs) {
        json(response, 200, { status: 'done', outputs: [{ index: 0, data: result.toString('base64') }] });
      } else json(response, 200, { status: 'done', outputs: [{ index: 0, url: `/files/${id}` }] });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/submissions') {
      // Lets a client ask what it already sent (AI Visual Studio-style listing): by idempotency key.
      const id = remoteByKey.get(url.searchParams.get('key') ?? '');
      json(response, 200, { items: id ? [{ id }] : [] });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/balance') {
      json(response, 200, { credits: Number.isFinite(balance) ? balance : 1e9 });
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/files/')) {
      totals.downloads += 1;
      if (totals.downloads <= (options.failedDownloads ?? 0)) {
        json(response, 404, { error: { code: 'not_found' } });
        return;
      }
      response.writeHead(200, { 'Content-Type': 'image/png' }).end(result);
      return;
    }
    if (request.method === 'HEAD' || url.pathname === '/') {
      response.writeHead(200).end();
      return;
    }
    json(response, 404, { error: { code: 'not_found' } });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    charged,
    totals,
    arrivals,
    log,
    webhookAnswers,
    get abandoned() {
      return abandoned;
    },
    setBalance: (credits) => {
      balance = credits;
    },
    setStream: (mode) => {
      streamMode = mode;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
