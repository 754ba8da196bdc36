import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks an AIXpose webhook's signature. The doc says events are signed but not how; we assume
 * the common scheme (docs/providers/aixpose.md): `X-AIXpose-Signature: t=<unix seconds>,v1=<hex>`,
 * where the hex is HMAC-SHA256(secret, "<t>.<raw body>"). The body must be the raw bytes as received
 * (re-serialised JSON would not match). A timestamp more than 5 minutes off in either direction is
 * refused, so a captured event cannot be replayed later. The answer is an HTTP status for the
 * receiver to send: never a throw, never a 500, whatever the header holds.
 */
export const SIGNATURE_HEADER = 'x-aixpose-signature';
export const TOLERANCE_SECONDS = 5 * 60;

export type WebhookVerdict = { ok: true; timestamp: number } | { ok: false; status: 400 | 401; reason: string };

export function verifyWebhookSignature(
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
  if (Math.abs(nowMs / 1000 - timestamp) > TOLERANCE_SECONDS) {
    return { ok: false, status: 401, reason: 'timestamp outside the 5-minute window' };
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Every candidate is compared in constant time; several v1 values allow a secret rotation.
  const matches = signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, status: 401, reason: 'signature does not match' };
}
