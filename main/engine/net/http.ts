import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeWords, providerWords } from './provider-errors';
import {
  fixedLookup,
  resolveUrlHost,
  systemResolver,
  type AddressRule,
  type HostResolver,
  type ResolvedAddress,
} from './network';

/**
 * How a request failed, with what the queue's never-twice rule needs: did it possibly reach the
 * server (`after_send`), or certainly not (`before_send`)?
 */
export type RequestFailure =
  /** ECONNREFUSED / DNS before the request was written; ECONNRESET and the like after it was sent. */
  | { kind: 'network'; phase: 'before_send' | 'after_send'; code?: string }
  | { kind: 'timeout'; phase: 'before_send' | 'after_send' }
  | { kind: 'http'; status: number; providerCode?: string }
  /** A 2xx whose body we cannot parse or that lacks fields we need. */
  | { kind: 'invalid_response' }
  /** Canceled by the user. */
  | { kind: 'aborted' }
  /** Never sent: our own rules refused the address (not http(s), not a URL, a private address…). */
  | { kind: 'refused' };

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
  /** How host names become addresses (the system's DNS unless injected). */
  resolve?: HostResolver;
  /** Where this request may go, judged on the resolved addresses before connecting. */
  allowAddress?: AddressRule;
  /**
   * Stream a 2xx body into this file (created new, 0600) instead of memory; `body` is then empty
   * and `savedBytes` says how much was written. The file is removed if the transfer fails.
   */
  saveTo?: string;
  /**
   * Read a 2xx body as a stream (Server-Sent Events): each chunk is handed over as it arrives and
   * not kept. The timeout then covers only the wait for the answer's headers; after that the stream
   * lasts as long as it keeps talking, and is cut when it stays silent for `idleMs` (a stall).
   * Resolves with an empty body when the provider ends the stream.
   */
  stream?: { onChunk: (chunk: Buffer) => void; idleMs: number };
}

export interface HttpResponse {
  status: number;
  header: (name: string) => string | null;
  /** Every header the answer carried, lower-case. */
  headerNames: () => string[];
  body: Buffer;
  /** Bytes written to `saveTo`, when the request asked for that. */
  savedBytes?: number;
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

  /** The system's error code of a network failure (ECONNREFUSED, ENOTFOUND…), where there is one. */
  get code(): string | undefined {
    return 'code' in this.failure ? this.failure.code : undefined;
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

const canceled = (): ProviderRequestError => new ProviderRequestError('The request was canceled.', { kind: 'aborted' });

/**
 * One HTTP request on Node's own client (not fetch), because only here can we see whether the
 * connection was made: a refused or unresolvable connection is `before_send` (safe to retry);
 * anything that fails once connected is `after_send` (the provider may have our request).
 * No redirects are followed: an authenticated call must not carry its key to another origin.
 * Non-2xx answers reject with the response attached.
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const response = await sendRequest(request);
  if (response.status >= 200 && response.status < 300) return response;
  // The provider's own words and the field it names, so the user can act on them.
  const words = providerWords(response.body);
  throw new ProviderRequestError(
    `The provider answered ${response.status}${describeWords(words)}.`,
    { kind: 'http', status: response.status, ...(words.code ? { providerCode: words.code } : {}) },
    response,
  );
}

/**
 * The same exchange, answering whatever status came back (for clients with their own reading of
 * statuses, like the staging store's). Fails only when no whole answer arrived.
 */
export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = parseTarget(request.url);
  // A call canceled before it started sends nothing: no socket, so no late error to catch.
  if (request.signal?.aborted) throw canceled();
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveUrlHost(url, request.resolve ?? systemResolver);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    throw new ProviderRequestError(`Cannot find ${url.hostname} (${code}).`, {
      kind: 'network',
      phase: 'before_send',
      code,
    });
  }
  const refusal = request.allowAddress?.(url, addresses);
  if (refusal) {
    throw new ProviderRequestError(`${clipUrl(url)} was not fetched: ${refusal}.`, { kind: 'refused' });
  }
  if (request.signal?.aborted) throw canceled();
  return exchange(request, url, addresses);
}

/** A URL as named in a message: without credentials or query (which may hold a signature), and short. */
export function clipUrl(url: URL): string {
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  return shown.length > 200 ? `${shown.slice(0, 199)}…` : shown;
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderRequestError(`"${raw.slice(0, 200)}" is not a web address.`, { kind: 'refused' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProviderRequestError(`${url.protocol}// addresses are not fetched, only http and https.`, {
      kind: 'refused',
    });
  }
  return url;
}

function exchange(request: HttpRequest, url: URL, addresses: readonly ResolvedAddress[]): Promise<HttpResponse> {
  const client = url.protocol === 'https:' ? https : http;
  const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: ProviderRequestError): void => {
      if (finish()) reject(error);
    };
    const phase = (): 'before_send' | 'after_send' => (connected ? 'after_send' : 'before_send');

    const req = client.request(url, {
      method: request.method,
      headers: request.headers,
      lookup: fixedLookup(addresses),
    });
    // Listening for errors first: every way this request ends (abort, timeout, a reset) destroys
    // it, and a destroyed request without an 'error' listener takes the whole process down.
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(
        new ProviderRequestError(`Network error: ${error.code ?? error.message}`, {
          kind: 'network',
          phase: phase(),
          code: error.code,
        }),
      );
    });
    const onAbort = (): void => {
      fail(canceled());
      req.destroy();
    };
    const timer = setTimeout(
      () => {
        fail(new ProviderRequestError('The provider did not answer in time.', { kind: 'timeout', phase: phase() }));
        req.destroy();
      },
      request.timeoutMs ?? (request.call ? CALL_TIMEOUTS_MS[request.call] : DEFAULT_TIMEOUT_MS),
    );
    request.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const answer = (body: Buffer, savedBytes?: number): HttpResponse => {
        const headers = response.headers;
        return {
          status,
          header: (name) => {
            const value = headers[name.toLowerCase()];
            return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
          },
          headerNames: () => Object.keys(headers),
          body,
          ...(savedBytes === undefined ? {} : { savedBytes }),
        };
      };
      if (request.saveTo && status >= 200 && status < 300) {
        saveBody(response, request.saveTo, maxBytes).then(
          (saved) => {
            if (finish()) resolve(answer(Buffer.alloc(0), saved));
            else fs.rmSync(request.saveTo as string, { force: true });
          },
          (error: unknown) => {
            fail(
              error instanceof ProviderRequestError
                ? error
                : new ProviderRequestError(`Network error: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
                    kind: 'network',
                    phase: 'after_send',
                    code: (error as NodeJS.ErrnoException).code,
                  }),
            );
            req.destroy();
          },
        );
        return;
      }
      if (request.stream && status >= 200 && status < 300) {
        readStream(response, request.stream, {
          destroy: () => req.destroy(),
          stopTimer: () => clearTimeout(timer),
        }).then(
          () => {
            if (finish()) resolve(answer(Buffer.alloc(0)));
          },
          (error: ProviderRequestError) => fail(error),
        );
        return;
      }
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
        if (finish()) resolve(answer(Buffer.concat(chunks)));
      });
    });
    req.end(request.body);
  });
}

/**
 * Hands a streamed body over chunk by chunk, cutting it after `idleMs` of silence. The request's
 * own timeout stops here: a stream that keeps talking is not cut by it.
 */
function readStream(
  response: http.IncomingMessage,
  stream: NonNullable<HttpRequest['stream']>,
  control: {
    destroy: () => void;
    stopTimer: () => void;
  },
): Promise<void> {
  control.stopTimer();
  return new Promise((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const quiet = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        reject(
          new ProviderRequestError('The provider’s stream went silent.', { kind: 'timeout', phase: 'after_send' }),
        );
        control.destroy();
      }, stream.idleMs);
    };
    quiet();
    response.on('data', (chunk: Buffer) => {
      quiet();
      stream.onChunk(chunk);
    });
    response.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(idle);
      reject(
        new ProviderRequestError(`Network error: ${error.code ?? error.message}`, {
          kind: 'network',
          phase: 'after_send',
          code: error.code,
        }),
      );
    });
    response.on('aborted', () => {
      clearTimeout(idle);
      reject(
        new ProviderRequestError('The provider’s stream was cut.', {
          kind: 'network',
          phase: 'after_send',
          code: 'ECONNRESET',
        }),
      );
    });
    response.on('end', () => {
      clearTimeout(idle);
      resolve();
    });
    response.on('close', () => clearTimeout(idle));
  });
}

/**
 * Streams a response body into a new file, refusing (and removing) it once it passes `maxBytes`.
 * The file is created exclusively: a name that exists already is never written through.
 */
async function saveBody(response: http.IncomingMessage, file: string, maxBytes: number): Promise<number> {
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(new ProviderRequestError('The provider sent more data than allowed.', { kind: 'invalid_response' }));
        return;
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(response, limit, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    return size;
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
}
