import crypto from 'node:crypto';
import type { MediaType } from './catalog';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `<prefix>_<ULID>`, the shape of the doc's event id (`evt_01HZY4Q6AV7M7K4QF9Q7S2A8E1`). The doc's
 * other ids (`prj_123`, `pic_source`) are placeholders, so every object gets the same shape; ULIDs
 * also sort by creation time, which keeps listings in a stable order.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i += 1) {
    time = (CROCKFORD[rest % 32] ?? '0') + time;
    rest = Math.floor(rest / 32);
  }
  const random = [...crypto.randomBytes(16)].map((byte) => CROCKFORD[byte % 32] ?? '0').join('');
  return `${prefix}_${time}${random}`;
}

/** JSON with object keys sorted, so two bodies that differ only in key order fingerprint alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** The image format by its first bytes: the sandbox never trusts a declared type or a file name. */
export function sniffImage(bytes: Buffer): MediaType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return null;
}

export const EXTENSION: Record<MediaType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Strict base64 (RFC 4648 §4, padded, no whitespace or data: prefix). */
export function isStrictBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a URL the client gives us (a source photo, a webhook target) is refused, or null. The doc only
 * shows https URLs; plain http is let through for loopback hosts so tests can run receivers locally.
 */
export function urlProblem(text: string, allowHttpLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && allowHttpLoopback && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'must be an https URL';
}

export function isoSeconds(ms: number): string {
  // The doc's timestamps have no fraction ("2026-05-06T05:56:00Z").
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
