import http from 'node:http';
import https from 'node:https';
import type { RequestFailure } from '../queue/retry-policy';

/**
 * What a call is for decides how long we wait for it: a reachability probe gives up fast, an
 * upload of a 20 MB photo over hotel Wi-Fi gets minutes. A request may still set its own timeout.
 */
export const CALL_TIMEOUTS_MS = {
  probe: 5_000,
  read: 15_000,
  poll: 30_000,
  submit: 60_000,
  upload: 180_000,
  download: 180_000,
} as const;
export type CallKind = keyof typeof CALL_TIMEOUTS_MS;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Sets the timeout from CALL_TIMEOUTS_MS unless `timeoutMs` is given. */
  call?: CallKind;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  header: (name: string) => string | null;
  body: Buffer;
}

/**
 * A failed request, with what the queue's never-twice rule needs to know: did the request
 * possibly reach the server (`phase: 'after_send'`), or certainly not (`'before_send'`)?
 */
export class ProviderRequestError extends Error {
  readonly failure: RequestFailure;
  readonly response: HttpResponse | null;

  constructor(message: string, failure: RequestFailure, response: HttpResponse | null = null) {
    super(message);
    this.name = 'ProviderRequestError';
    this.failure = failure;
    this.response = response;
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/**
 * One HTTP request on Node's own client (not fetch), because only here can we see whether the
 * connection was made: a refused or unresolvable connection is `before_send` (safe to retry);
 * anything that fails once connected is `after_send` (the provider may have our request).
 * No redirects are followed: an authenticated call must not carry its key to another origin.
 * Non-2xx answers reject with the response attached.
 */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const fail = (error: ProviderRequestError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    const phase = (): 'before_send' | 'after_send' => (connected ? 'after_send' : 'before_send');

    const req = client.request(url, { method: request.method, headers: request.headers });
    const onAbort = (): void => {
      fail(new ProviderRequestError('The request was canceled.', { kind: 'aborted' }));
      req.destroy();
    };
    const timer = setTimeout(
      () => {
        fail(new ProviderRequestError('The provider did not answer in time.', { kind: 'timeout', phase: phase() }));
        req.destroy();
      },
      request.timeoutMs ?? (request.call ? CALL_TIMEOUTS_MS[request.call] : DEFAULT_TIMEOUT_MS),
    );

    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(
        new ProviderRequestError(`Network error: ${error.code ?? error.message}`, {
          kind: 'network',
          phase: phase(),
          code: error.code,
        }),
      );
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          fail(new ProviderRequestError('The provider sent more data than allowed.', { kind: 'invalid_response' }));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error: NodeJS.ErrnoException) =>
        fail(
          new ProviderRequestError(`Network error: ${error.code ?? error.message}`, {
            kind: 'network',
            phase: 'after_send',
            code: error.code,
          }),
        ),
      );
      response.on('end', () => {
        if (settled) return;
        const headers = response.headers;
        const result: HttpResponse = {
          status: response.statusCode ?? 0,
          header: (name) => {
            const value = headers[name.toLowerCase()];
            return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
          },
          body: Buffer.concat(chunks),
        };
        if (result.status >= 200 && result.status < 300) {
          settled = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          resolve(result);
          return;
        }
        fail(
          new ProviderRequestError(
            `The provider answered ${result.status}.`,
            { kind: 'http', status: result.status, providerCode: providerCode(result.body) },
            result,
          ),
        );
      });
    });
    req.end(request.body);
  });
}

/** A provider's own error code from a JSON body like `{ "error": { "code": "…" } }` or `{ "code": "…" }`. */
function providerCode(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown; error?: unknown };
    const nested =
      typeof parsed.error === 'object' && parsed.error !== null ? (parsed.error as { code?: unknown }).code : undefined;
    const code = nested ?? parsed.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
