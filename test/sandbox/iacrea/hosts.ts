import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loopback helpers for iacrea tests. The API only takes URLs, so a test puts its photo and mask on a
 * file host the sandbox can fetch, as the app does with presigned S3 links; and a webhook receiver
 * stands in for the app's callback endpoint.
 */

export interface FileHost {
  origin: string;
  /** Serves `bytes` at `/<name>` and returns a link to it (see `link`). */
  put: (name: string, bytes: Buffer, contentType?: string) => string;
  putFile: (name: string, file: string, contentType?: string) => string;
  /**
   * A fresh presigned-looking link to `name`: `/<name>?X-Amz-Expires=600&X-Amz-Signature=<random hex>`.
   * Each call gives another string for the same bytes, as re-staging a file does.
   */
  link: (name: string) => string;
  /** From now on `name` answers 403 like an expired presigned link. */
  expire: (name: string) => void;
  /** Fetches received per name, whatever their answer. */
  hits: Map<string, number>;
  close: () => Promise<void>;
}

export async function startFileHost(): Promise<FileHost> {
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const expired = new Set<string>();
  const hits = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://host.invalid').pathname.slice(1));
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const file = files.get(name);
    if (expired.has(name)) {
      response.writeHead(403, { 'Content-Type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.bytes.length) });
    response.end(request.method === 'HEAD' ? undefined : file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const link = (name: string) =>
    `${origin}/${encodeURIComponent(name)}?X-Amz-Expires=600&X-Amz-Signature=${randomBytes(16).toString('hex')}`;
  const put = (name: string, bytes: Buffer, contentType = 'application/octet-stream') => {
    files.set(name, { bytes, contentType });
    expired.delete(name);
    return link(name);
  };
  return {
    origin,
    put,
    putFile: (name, file, contentType) => put(name, fs.readFileSync(file), contentType),
    link,
    expire: (name) => {
      expired.add(name);
    },
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedHook {
  at: number;
  body: unknown;
  contentType: string | null;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Answer the next `count` deliveries with `status` (default 500) instead of 200. */
  failNext: (count: number, status?: number) => void;
  close: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let failures = 0;
  let failStatus = 500;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text so a test shows what arrived.
      }
      const status = failures > 0 ? failStatus : 200;
      if (failures > 0) failures -= 1;
      received.push({ at: Date.now(), body, contentType: request.headers['content-type'] ?? null, status });
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/iacrea`,
    received,
    failNext: (count, status = 500) => {
      failures = count;
      failStatus = status;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
