import type http from 'node:http';
import type { Route } from './types';

/** Routing, body reading and the error body for server.ts (A1, A2, A5). */

export const API_PREFIX = '/api/v1';

export interface Routed {
  route: Route;
  /** Under /api/v1: these need a key (A2). */
  api: boolean;
  /** Whether the method is one the path takes. */
  allowed: boolean;
  allow: string;
  /** The `:id` of generations/:id and webhooks/:id, or the output id of a file. */
  id: string;
  /** A file's extension. */
  ext: string;
}

const FIXED: Readonly<Record<string, { route: Route; allow: string }>> = {
  '/generate/image': { route: 'generate/image', allow: 'POST' },
  '/generate/video': { route: 'generate/video', allow: 'POST' },
  '/generations': { route: 'generations', allow: 'GET' },
  '/models': { route: 'models', allow: 'GET' },
  '/webhooks': { route: 'webhooks', allow: 'GET, POST' },
};

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function classify(method: string, pathname: string): Routed {
  const make = (route: Route, api: boolean, allow: string, id = '', ext = ''): Routed => ({
    route,
    api,
    allowed: allow === '*' || allow.split(', ').includes(method),
    allow,
    id,
    ext,
  });
  const file = /^\/files\/([^/]+)\.([a-z0-9]+)$/.exec(pathname);
  if (file) return make('files', false, 'GET, HEAD', decoded(file[1] ?? ''), file[2] ?? '');
  if (pathname !== API_PREFIX && !pathname.startsWith(`${API_PREFIX}/`)) return make('unknown', false, '');
  const rest = pathname.slice(API_PREFIX.length);
  const fixed = FIXED[rest];
  if (fixed) return make(fixed.route, true, fixed.allow);
  const generation = /^\/generations\/([^/]+)$/.exec(rest);
  if (generation) return make('generation', true, 'GET', decoded(generation[1] ?? ''));
  const webhook = /^\/webhooks\/([^/]+)$/.exec(rest);
  if (webhook) return make('webhooks', true, 'PATCH, DELETE', decoded(webhook[1] ?? ''));
  // Every method of the key endpoints meets the same refusal (A4).
  if (rest === '/keys' || /^\/keys\/[^/]+$/.test(rest)) return make('keys', true, '*');
  return make('unknown', true, '');
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
    const done = (): void => resolve({ bytes: Buffer.concat(chunks), tooLarge: size > max });
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

export interface Answer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Destroy the socket instead of writing this answer (the `drop-after-charge` fault). */
  drop?: boolean;
}

/** One thing wrong with a request: a rule name for tests, words for people, the field it is about. */
export interface Problem {
  rule: string;
  reason: string;
  field?: string;
}

export type ErrorCode =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'expired_api_key'
  | 'insufficient_scope'
  | 'ip_not_allowed'
  | 'insufficient_credits'
  | 'rate_limited'
  | 'invalid_request'
  | 'not_found'
  | 'internal_error';

/** The doc's error body, `{error: {code, message, details?}}`, the only error shape the sandbox writes. */
export function apiError(status: number, code: ErrorCode, message: string, details?: unknown): Answer {
  return { status, json: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

/** 400 invalid_request listing every problem; the first one's field and rule also stand alone (A5). */
export function invalidRequest(problems: readonly Problem[], status = 400): Answer {
  const first = problems[0];
  return apiError(status, 'invalid_request', problems.map((problem) => problem.reason).join('; '), {
    field: first?.field ?? null,
    rule: first?.rule ?? null,
    problems: problems.map((problem) => ({
      field: problem.field ?? null,
      rule: problem.rule,
      message: problem.reason,
    })),
  });
}

/** A JSON object body, or the first thing wrong with it (A5). */
export function readJsonBody(
  contentType: string | undefined,
  raw: RawBody,
): { body: Record<string, unknown> } | { problem: Problem } {
  if (raw.tooLarge) return { problem: { rule: 'body-size', reason: 'the request body is over 64 KiB' } };
  const type = contentType ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    const reason = `Content-Type must be application/json (got ${type || 'none'})`;
    return { problem: { rule: 'content-type', reason } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.bytes.toString('utf8'));
  } catch {
    return { problem: { rule: 'json', reason: 'the request body is not valid JSON' } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: { rule: 'body-type', reason: 'the request body must be a JSON object' } };
  }
  return { body: parsed as Record<string, unknown> };
}
