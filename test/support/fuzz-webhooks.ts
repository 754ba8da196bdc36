import net from 'node:net';
import { signTestDelivery } from './test-provider/module';

/** The answers a webhook route may give a delivery: never a 5xx, never a hang. */
export const WEBHOOK_ANSWERS: readonly number[] = [200, 202, 400, 401, 404, 405, 413];

/** One raw HTTP request (so malformed ones reach the server as sent); the status code, 0 when it only closed. */
export function postRaw(
  port: number,
  options: { host: string; target?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<number> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? Buffer.alloc(0));
  const head =
    `${options.method ?? 'POST'} ${options.target ?? '/webhooks/hooked'} HTTP/1.1\r\nHost: ${options.host}\r\n` +
    Object.entries(options.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

export interface FuzzedDelivery {
  target: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

const BODIES = [
  '',
  'null',
  '[]',
  '"text"',
  '{"id": 5}',
  '{"id": "r1", "status": {"status": "done", "outputs": "nope"}}',
  '{"id": "__proto__", "deliveryId": {"x": 1}}',
  '{"id": "constructor", "status": {"status": "failed"}}',
  '{"id": "r1", "status": {"status": "failed", "refunded": "all"}}',
  '\u0000\u0001\u0002',
  '{'.repeat(5000),
  JSON.stringify({ id: 'r2', deliveryId: 'd'.repeat(10_000) }),
  // Well-formed deliveries about work nobody waits for, one of them pointing at a private address;
  // a fixed delivery id, so a signed one is heard once and then replayed.
  '{"id": "r-nobody", "deliveryId": "d-1"}',
  '{"id": "r-nobody", "status": {"status": "pending"}}',
  '{"id": "r-nobody", "status": {"status": "done", "outputs": [{"index": 0, "url": "http://169.254.169.254/x"}]}}',
];

const SIGNATURES = [
  '',
  't=,v1=',
  't=99999999999999,v1=' + 'a'.repeat(64),
  'v1=' + 'f'.repeat(64),
  'x'.repeat(2000),
  't=1,v1=1,v1=2',
];

const WRONG_TARGETS = [
  '/webhooks/HOOKED',
  '/webhooks/',
  '/webhooks/hooked/extra',
  '/webhooks/%00',
  '/webhooks/..%2Fapi',
];

/**
 * Hostile deliveries for the test provider `hooked` (signed with `x-test-signature`): bodies that
 * are not JSON or not a delivery, signatures malformed, stale, forged or right (a third of them,
 * signed with `secret` now), wrong paths and methods.
 */
export function fuzzedDelivery(random: () => number, secret: string): FuzzedDelivery {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const body = pick(BODIES);
  const now = Math.floor(Date.now() / 1000);
  const roll = random();
  const signature =
    roll < 0.33
      ? signTestDelivery(secret, parsedOrText(body), now)
      : roll < 0.4
        ? signTestDelivery('not-the-secret', parsedOrText(body), now)
        : roll < 0.45
          ? signTestDelivery(secret, parsedOrText(body), now - 3600)
          : pick(SIGNATURES);
  return {
    target: random() < 0.8 ? '/webhooks/hooked' : pick(WRONG_TARGETS),
    method: random() < 0.95 ? 'POST' : pick(['GET', 'PUT', 'DELETE']),
    headers: signature ? { 'x-test-signature': signature, 'content-type': 'application/json' } : {},
    body,
  };
}

function parsedOrText(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
