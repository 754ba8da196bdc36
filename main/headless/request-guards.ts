import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { TOKEN_PARAM, WS_PATH } from '../../shared/ws-protocol';

/**
 * The checks every request to the headless server passes before anything is served. Each one
 * answers a refusal instead of throwing: a request line or header can be anything at all.
 */

export interface Refusal {
  status: number;
  reason: string;
}

/** The request's URL, or null when its target cannot be read as one (`//`, `//:99999/ws`…). */
export function requestUrl(request: http.IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/**
 * The `host:port` values a browser may put in the Host header: the addresses the server listens
 * on, localhost, and the hosts of the origins it was told about. Anything else is a page on some
 * other name that resolved to us (DNS rebinding), and gets nothing.
 */
export function allowedHostsFor(origins: readonly string[]): Set<string> {
  const hosts = new Set<string>();
  for (const origin of origins) {
    try {
      hosts.add(new URL(origin).host.toLowerCase());
    } catch {
      // The CLI checked every origin; a malformed one simply allows nothing.
    }
  }
  return hosts;
}

export function checkHost(request: http.IncomingMessage, allowedHosts: ReadonlySet<string>): Refusal | null {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined) return { status: 400, reason: 'a Host header is required' };
  if (!allowedHosts.has(host)) return { status: 421, reason: 'this server does not answer to that host name' };
  return null;
}

/** May this upgrade become an API connection? Host, path, the browser's Origin, then the token. */
export function checkUpgrade(
  request: http.IncomingMessage,
  token: string,
  allowedOrigins: ReadonlySet<string>,
  allowedHosts: ReadonlySet<string>,
): Refusal | null {
  const url = requestUrl(request);
  if (!url) return { status: 400, reason: 'bad request target' };
  const wrongHost = checkHost(request, allowedHosts);
  if (wrongHost) return wrongHost;
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'not found' };
  const origin = request.headers.origin;
  // Browsers always send Origin; a client without one (a script, a test) still needs the token.
  if (origin !== undefined && !allowedOrigins.has(origin)) return { status: 403, reason: 'origin not allowed' };
  if (!tokenMatches(url.searchParams.get(TOKEN_PARAM), token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}

export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
