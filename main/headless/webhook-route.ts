import type http from 'node:http';
import type { Engine } from '../engine/engine';
import { MAX_WEBHOOK_BYTES } from '../engine/queue/webhook-receiver';

/** Where providers deliver: `POST /webhooks/<provider id>` at the public address the user gave. */
export const WEBHOOK_PREFIX = '/webhooks/';
const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const BODY_DEADLINE_MS = 10_000;

/**
 * Answers a webhook delivery. Only when the user gave a public webhook address (the headless
 * server's `--webhook-url`), and only under that address's host: no session token (a provider has
 * none), so nothing else is served there. The body is read up to a bound and handed to the engine,
 * which checks the signature and hears each delivery once; every answer is a plain status.
 */
export function serveWebhook(
  engine: Pick<Engine, 'receiveWebhook'>,
  webhookHost: string | null,
  url: URL,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): void {
  const reply = (status: number, message: string): void => {
    if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
    response.end(message);
  };
  if (webhookHost === null || request.headers.host?.toLowerCase() !== webhookHost) {
    reply(404, 'not found');
    return;
  }
  if (request.method !== 'POST') {
    reply(405, 'deliveries are POSTed');
    return;
  }
  const provider = url.pathname.slice(WEBHOOK_PREFIX.length);
  if (!PROVIDER_ID.test(provider)) {
    reply(404, 'no such provider');
    return;
  }
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > MAX_WEBHOOK_BYTES) {
    reply(413, 'the delivery is too large');
    request.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const deadline = setTimeout(() => {
    reply(408, 'the delivery took too long');
    request.destroy();
  }, BODY_DEADLINE_MS);
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BYTES) {
      clearTimeout(deadline);
      reply(413, 'the delivery is too large');
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('error', () => clearTimeout(deadline));
  request.on('end', () => {
    clearTimeout(deadline);
    if (size > MAX_WEBHOOK_BYTES) return;
    engine
      .receiveWebhook(provider, request.headers, Buffer.concat(chunks))
      .then((answer) => reply(answer.status, answer.message))
      .catch(() => reply(400, 'the delivery could not be handled'));
  });
}

/** The host (`name:port`, lower-case) deliveries must name, from the public webhook address; null when none is set. */
export function webhookHostOf(webhookUrl: string | undefined): string | null {
  if (!webhookUrl) return null;
  try {
    return new URL(webhookUrl).host.toLowerCase();
  } catch {
    return null;
  }
}
