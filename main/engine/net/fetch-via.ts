import { sendRequest, type HttpRequest } from './http';
import type { AddressRule, HostResolver } from './network';

/**
 * A `fetch` for clients written against the web API (the staging store's), sent through this
 * client instead of Node's global fetch: the same resolver, so the same rules about where
 * requests may go. Redirects are never followed; a timeout reads as fetch's own TimeoutError.
 */
export function fetchVia(resolve: HostResolver | undefined, allowAddress?: AddressRule): typeof fetch {
  const adapter = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? 'GET').toUpperCase() as HttpRequest['method'];
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const body = init.body === undefined || init.body === null ? undefined : toBytes(init.body);
    try {
      const answer = await sendRequest({
        method,
        url,
        headers,
        body,
        signal: init.signal ?? undefined,
        resolve,
        allowAddress,
      });
      const empty = method === 'HEAD' || [204, 205, 304].includes(answer.status);
      const responseHeaders = new Headers();
      for (const name of answer.headerNames()) responseHeaders.set(name, answer.header(name) ?? '');
      return new Response(empty ? null : new Uint8Array(answer.body), {
        status: answer.status,
        headers: responseHeaders,
      });
    } catch (error) {
      const reason: unknown = init.signal?.aborted ? init.signal.reason : undefined;
      if (reason instanceof Error) throw reason;
      throw new TypeError('fetch failed', { cause: error });
    }
  };
  return adapter;
}

function toBytes(body: NonNullable<RequestInit['body']>): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('Only string and byte bodies are sent through this client.');
}
