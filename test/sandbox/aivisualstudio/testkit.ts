import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_API_KEY, startAivsSandbox, type AivsSandbox, type AivsSandboxOptions } from './server';

/**
 * Helpers for the AI Visual Studio sandbox tests: a client that speaks real HTTP to it, a host for
 * first_frame_image files, and a webhook receiver that keeps the raw body and the signature header
 * (a verifier must see the bytes as sent). Free of Vitest so a script could use them too.
 */

export interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  /** The parsed body, or the text when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** `null` sends no Authorization; a string is sent as `Bearer <key>`; default the sandbox's key. */
  key?: string | null;
  /** Sent as Authorization verbatim (overrides `key`). */
  authorization?: string;
  json?: unknown;
  body?: string;
  contentType?: string;
}

export async function fetchReply(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: kept as text so an assertion shows what came back.
  }
  return { status: response.status, headers: response.headers, bytes, text, json };
}

/** A property of an answer body, for assertions on `unknown` JSON. */
export const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;

export interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/** The `error` object of an error answer, or {} when there is none. */
export function errorOf(reply: Reply): ErrorBody {
  const error = field(reply.json, 'error');
  return typeof error === 'object' && error !== null ? error : {};
}

export interface Harness {
  sandbox: AivsSandbox;
  call: (method: string, path: string, options?: CallOptions) => Promise<Reply>;
  /** POST /api/v1/generate/<type> with `body` as JSON. */
  generate: (type: 'image' | 'video', body: unknown, options?: CallOptions) => Promise<Reply>;
  /** Creates an image generation with a fixed prompt plus `extra`, expecting 200; returns its id. */
  image: (extra?: Record<string, unknown>) => Promise<string>;
  /** Waits until the generation has ended (completed or failed) in the sandbox's state. */
  ended: (id: string) => Promise<void>;
  /** The violation rules recorded, in order. */
  rules: () => string[];
}

export async function startHarness(options: AivsSandboxOptions = {}): Promise<Harness> {
  const sandbox = await startAivsSandbox({ speed: 100, ...options });
  const call = (method: string, path: string, callOptions: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const key = callOptions.key === undefined ? sandbox.apiKey : callOptions.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (callOptions.authorization !== undefined) headers.authorization = callOptions.authorization;
    let body = callOptions.body;
    if (callOptions.json !== undefined) {
      body = JSON.stringify(callOptions.json);
      headers['content-type'] = 'application/json';
    }
    if (callOptions.contentType !== undefined) headers['content-type'] = callOptions.contentType;
    return fetchReply(`${sandbox.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  };
  const generate = (type: 'image' | 'video', body: unknown, callOptions: CallOptions = {}): Promise<Reply> =>
    call('POST', `/api/v1/generate/${type}`, { json: body, ...callOptions });
  const image = async (extra: Record<string, unknown> = {}): Promise<string> => {
    const reply = await generate('image', { prompt: 'A lighthouse at dusk', ...extra });
    if (reply.status !== 200) throw new Error(`generate/image answered ${reply.status}: ${reply.text}`);
    return String(field(reply.json, 'id'));
  };
  const ended = (id: string): Promise<void> =>
    waitFor(() => sandbox.generation(id)?.state !== 'processing', `generation ${id} to end`);
  return { sandbox, call, generate, image, ended, rules: () => sandbox.violations.map((violation) => violation.rule) };
}

/** Polls `check` every 5 ms for up to `timeoutMs`, then throws naming what it waited for. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export { DEFAULT_API_KEY };

interface Listening {
  origin: string;
  close: () => Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<Listening & { server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FileHost extends Listening {
  /** Serves `bytes` at `/<name>` and returns its URL. */
  put: (name: string, bytes: Buffer, contentType?: string) => string;
  /** `/<name>` answers a 302 to `target` (a URL). */
  redirect: (name: string, target: string) => string;
  /** `/<name>` answers `status` with a small text body. */
  fail: (name: string, status: number) => string;
  /** `/<name>` sends headers and never finishes its body (for timeouts). */
  hang: (name: string) => string;
}

export async function startFileHost(): Promise<FileHost> {
  type Entry =
    | { kind: 'file'; bytes: Buffer; contentType: string }
    | { kind: 'redirect'; target: string }
    | { kind: 'fail'; status: number }
    | { kind: 'hang' };
  const entries = new Map<string, Entry>();
  const host = await listen((request, response) => {
    const entry = entries.get(decodeURIComponent(new URL(request.url ?? '/', 'http://host.invalid').pathname.slice(1)));
    if (!entry) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    switch (entry.kind) {
      case 'file':
        response.writeHead(200, { 'Content-Type': entry.contentType, 'Content-Length': String(entry.bytes.length) });
        response.end(entry.bytes);
        return;
      case 'redirect':
        response.writeHead(302, { Location: entry.target }).end();
        return;
      case 'fail':
        response.writeHead(entry.status, { 'Content-Type': 'text/plain' }).end('no');
        return;
      case 'hang':
        response.writeHead(200, { 'Content-Type': 'image/jpeg' });
        response.write(Buffer.from([0xff, 0xd8, 0xff]));
    }
  });
  const url = (name: string): string => `${host.origin}/${encodeURIComponent(name)}`;
  const set = (name: string, entry: Entry): string => {
    entries.set(name, entry);
    return url(name);
  };
  return {
    origin: host.origin,
    close: host.close,
    put: (name, bytes, contentType = 'application/octet-stream') => set(name, { kind: 'file', bytes, contentType }),
    redirect: (name, target) => set(name, { kind: 'redirect', target }),
    fail: (name, status) => set(name, { kind: 'fail', status }),
    hang: (name) => set(name, { kind: 'hang' }),
  };
}

export interface ReceivedHook {
  path: string;
  /** The raw body as it arrived. */
  body: string;
  signature: string | null;
  contentType: string | null;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver extends Listening {
  /** A URL on the receiver; different paths tell targets apart. */
  url: (path?: string) => string;
  received: ReceivedHook[];
  /** Answers the next `count` deliveries with `status` instead of 200. */
  failNext: (count: number, status?: number) => void;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let failures = 0;
  let failStatus = 500;
  const host = await listen((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = failures > 0 ? failStatus : 200;
      if (failures > 0) failures -= 1;
      const signature = request.headers['x-webhook-signature'];
      received.push({
        path: request.url ?? '/',
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof signature === 'string' ? signature : null,
        contentType: request.headers['content-type'] ?? null,
        status,
      });
      // A redirect points elsewhere on this receiver, so a test can tell whether it was followed.
      const location: Record<string, string> = status >= 300 && status < 400 ? { Location: '/followed' } : {};
      response.writeHead(status, { 'Content-Type': 'text/plain', ...location }).end(status === 200 ? 'OK' : 'nope');
    });
  });
  return {
    origin: host.origin,
    close: host.close,
    url: (path = '/webhooks/aivs') => `${host.origin}${path}`,
    received,
    failNext: (count, status = 500) => {
      failures = count;
      failStatus = status;
    },
  };
}
