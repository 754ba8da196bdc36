import crypto from 'node:crypto';

/**
 * Webhook signing. The doc says only "signed webhook events"; the scheme here is the common
 * Stripe-style one (see ASSUMPTIONS in server.ts):
 *
 *   X-AIXpose-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A receiver recomputes the HMAC over the exact bytes it received and rejects old timestamps.
 */
export const SIGNATURE_HEADER = 'X-AIXpose-Signature';

export function signWebhook(secret: string, timestampSeconds: number, rawBody: string): string {
  const digest = crypto.createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
  error: string | null;
  at: number;
  body: string;
  signature: string;
}

/** Sends one signed attempt; never throws. */
export async function deliverOnce(
  url: string,
  secret: string,
  event: { id: string; type: string },
  rawBody: string,
  attempt: number,
  stop: AbortSignal,
): Promise<WebhookDelivery> {
  const at = Date.now();
  const signature = signWebhook(secret, Math.floor(at / 1000), rawBody);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'AIXpose-Webhooks/1.0 (sandbox)',
        [SIGNATURE_HEADER]: signature,
      },
      body: rawBody,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(10_000), stop]),
    });
    await response.arrayBuffer();
    return {
      eventId: event.id,
      type: event.type,
      url,
      attempt,
      status: response.status,
      error: null,
      at,
      body: rawBody,
      signature,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      eventId: event.id,
      type: event.type,
      url,
      attempt,
      status: null,
      error: message,
      at,
      body: rawBody,
      signature,
    };
  }
}
