import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a provider signs its webhook deliveries, in the shape most of them share:
 * `<header>: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<content>")>`. What follows the dot
 * differs: AIXpose signs the raw body as sent; AI Visual Studio's doc computes it over
 * `JSON.stringify(payload)`, the body parsed and written again.
 */
export interface SignatureScheme {
  /** The header carrying the signature, lower-case. */
  header: string;
  content: 'raw' | 'json';
  /** Deliveries signed further than this from now, either way, are refused (replays). */
  toleranceSeconds: number;
}

export type WebhookVerdict = { ok: true; timestamp: number } | { ok: false; status: 400 | 401; reason: string };

/**
 * Checks a delivery's signature. The answer is the HTTP status a receiver sends (400 for what
 * cannot even be read, 401 for what is wrong or stale): never a throw, whatever the header or body
 * holds. Every candidate signature is compared in constant time; several `v1` values allow a
 * secret to be rotated.
 */
export function verifySignature(
  scheme: SignatureScheme,
  secret: string,
  header: string | string[] | undefined,
  rawBody: Uint8Array,
  nowMs: number,
): WebhookVerdict {
  if (typeof header !== 'string' || header.length === 0 || header.length > 1024) {
    return { ok: false, status: 400, reason: 'missing or malformed signature header' };
  }
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value, ...rest] = part.trim().split('=');
    if (!name || value === undefined || rest.length > 0) {
      return { ok: false, status: 400, reason: 'malformed signature header' };
    }
    if (name === 't') timestamp = /^\d{1,12}$/.test(value) ? Number(value) : null;
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) {
    return { ok: false, status: 400, reason: 'signature header lacks a timestamp or a v1 signature' };
  }
  if (Math.abs(nowMs / 1000 - timestamp) > scheme.toleranceSeconds) {
    return { ok: false, status: 401, reason: 'timestamp outside the allowed window' };
  }
  const content = signedContent(scheme, rawBody);
  if (content === null) return { ok: false, status: 400, reason: 'the body is not JSON' };
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(content).digest();
  const matches = signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, status: 401, reason: 'signature does not match' };
}

function signedContent(scheme: SignatureScheme, rawBody: Uint8Array): Uint8Array | string | null {
  if (scheme.content === 'raw') return rawBody;
  try {
    return JSON.stringify(JSON.parse(Buffer.from(rawBody).toString('utf8')));
  } catch {
    return null;
  }
}
