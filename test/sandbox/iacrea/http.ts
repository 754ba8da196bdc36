import type http from 'node:http';
import type { Route } from './types';

/** Routing and body reading for server.ts (I1, I5). */

const API_PATHS: Readonly<Record<string, Route>> = {
  '/api/create_exterior/generate': 'generate',
  '/api/create_exterior/generate-variation': 'generate-variation',
  '/api/create_exterior/get': 'get',
};

export interface Routed {
  route: Route;
  /** Whether the method is one the path takes. */
  allowed: boolean;
  allow: string;
  outputId: string;
}

export function classify(method: string, pathname: string): Routed {
  const api = API_PATHS[pathname];
  if (api) return { route: api, allowed: method === 'POST', allow: 'POST', outputId: '' };
  const match = /^\/files\/([^/]+)\.jpg$/.exec(pathname);
  if (match) {
    let outputId: string;
    try {
      outputId = decodeURIComponent(match[1] ?? '');
    } catch {
      outputId = match[1] ?? '';
    }
    return { route: 'files', allowed: method === 'GET' || method === 'HEAD', allow: 'GET, HEAD', outputId };
  }
  return { route: 'unknown', allowed: false, allow: '', outputId: '' };
}

export interface RawBody {
  bytes: Buffer;
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most `max` bytes, so the socket is drained before any answer. */
export function readBody(request: http.IncomingMessage, max: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    const done = () => resolve({ bytes: Buffer.concat(chunks), tooLarge: size > max });
    request.on('end', done);
    request.on('error', done);
    request.on('close', done);
  });
}

/** What the request log keeps of a body: JSON with long strings shortened, else a little text. */
export function summarize(bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString('utf8');
  try {
    return shorten(JSON.parse(text));
  } catch {
    return text.slice(0, 500);
  }
}

function shorten(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 300)}…` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shorten(item)]));
  }
  return value;
}
