import { verifySignature, type SignatureScheme, type WebhookVerdict } from '../../net/webhook-signature';

/**
 * AIXpose's webhook signature. The doc says events are signed but not how; we assume the common
 * scheme (docs/providers/aixpose.md): `X-AIXpose-Signature: t=<unix seconds>,v1=<hex>`, the hex
 * being HMAC-SHA256(secret, "<t>.<raw body>") over the raw bytes as received (re-serialised JSON
 * would not match), refused more than 5 minutes off either way.
 */
export const SIGNATURE_HEADER = 'x-aixpose-signature';
export const TOLERANCE_SECONDS = 5 * 60;
export const AIXPOSE_SIGNATURE: SignatureScheme = {
  header: SIGNATURE_HEADER,
  content: 'raw',
  toleranceSeconds: TOLERANCE_SECONDS,
};

export type { WebhookVerdict };

export function verifyWebhookSignature(
  secret: string,
  header: string | string[] | undefined,
  rawBody: Uint8Array,
  nowMs: number,
): WebhookVerdict {
  return verifySignature(AIXPOSE_SIGNATURE, secret, header, rawBody, nowMs);
}
