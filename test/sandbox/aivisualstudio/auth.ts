import { apiError, type Answer } from './http';
import type { KeySpec, Route, Scope } from './types';

/** API keys, their checks in the order of A2, the per-key rate limit (A3) and the scopes (A4). */

interface KeyState {
  key: string;
  scopes: Scope[];
  expiresAt: number | null;
  ipAllowlist: string[];
  revoked: boolean;
}

export class KeyRing {
  private readonly keys = new Map<string, KeyState>();

  constructor(specs: readonly KeySpec[]) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: KeySpec): void {
    if (spec.key === '') throw new Error('an API key cannot be empty');
    this.keys.set(spec.key, {
      key: spec.key,
      scopes: [...spec.scopes],
      expiresAt: spec.expiresAt ?? null,
      ipAllowlist: [...(spec.ipAllowlist ?? [])],
      revoked: spec.revoked ?? false,
    });
  }

  private known(key: string): KeyState {
    const state = this.keys.get(key);
    if (!state) throw new Error(`no API key ${key} in this sandbox`);
    return state;
  }

  revoke(key: string): void {
    this.known(key).revoked = true;
  }

  expire(key: string, now: number): void {
    this.known(key).expiresAt = now;
  }

  get(key: string): KeyState | undefined {
    return this.keys.get(key);
  }
}

/** `::ffff:127.0.0.1` (an IPv4 address on a dual-stack socket) is 127.0.0.1; IPv6 compared lower case. */
export function normaliseIp(address: string): string {
  const trimmed = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(trimmed);
  return mapped?.[1] ?? trimmed;
}

/** The Bearer key of an Authorization header, or null when there is none to read. */
export function bearerKey(header: string | undefined): string | null {
  const match = /^bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export type Authenticated = { key: string; scopes: readonly Scope[] } | { answer: Answer };

/** The checks before any counting, in order: present, known, not revoked, not expired, from an allowed address. */
export function authenticate(
  ring: KeyRing,
  header: string | undefined,
  remoteAddress: string,
  now: number,
): Authenticated {
  const key = bearerKey(header);
  if (key === null) {
    return {
      answer: apiError(401, 'missing_api_key', 'No API key provided: send Authorization: Bearer <your API key>'),
    };
  }
  const state = ring.get(key);
  if (!state) return { answer: apiError(401, 'invalid_api_key', 'The API key is invalid') };
  if (state.revoked) return { answer: apiError(401, 'invalid_api_key', 'The API key has been revoked') };
  if (state.expiresAt !== null && state.expiresAt <= now) {
    return { answer: apiError(401, 'expired_api_key', 'The API key has expired') };
  }
  const allowlist = state.ipAllowlist.map(normaliseIp);
  const from = normaliseIp(remoteAddress);
  if (allowlist.length > 0 && !allowlist.includes(from)) {
    return { answer: apiError(403, 'ip_not_allowed', `Requests from ${from} are not allowed for this API key`) };
  }
  return { key, scopes: state.scopes };
}

/** Fixed windows per key: a window starts at the key's first request after the last one ended (A3). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: { requests: number; windowMs: number }) {
    if (!Number.isInteger(limit.requests) || limit.requests < 1) throw new Error('rateLimit.requests must be ≥ 1');
    if (!(limit.windowMs > 0)) throw new Error('rateLimit.windowMs must be above 0');
  }

  /** Counts one request; says whether it is within the limit and the headers every answer to it carries. */
  hit(key: string, now: number): { allowed: boolean; headers: Record<string, string> } {
    let window = this.windows.get(key);
    if (!window || now >= window.start + this.limit.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.limit.requests,
      headers: {
        'X-RateLimit-Limit': String(this.limit.requests),
        'X-RateLimit-Remaining': String(Math.max(0, this.limit.requests - window.count)),
        'X-RateLimit-Reset': String(Math.ceil((window.start + this.limit.windowMs) / 1000)),
      },
    };
  }
}

/** The scope each route needs (A4); keys and unknown paths need none (they are refused otherwise). */
export function scopeFor(route: Route): Scope | null {
  switch (route) {
    case 'generations':
    case 'generation':
    case 'models':
      return 'read';
    case 'generate/image':
      return 'generate:image';
    case 'generate/video':
      return 'generate:video';
    case 'webhooks':
      return 'webhooks';
    case 'keys':
    case 'files':
    case 'unknown':
      return null;
  }
}
