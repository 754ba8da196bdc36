import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback file host for ProductAI tests: the API only takes image URLs, so a test has to put its
 * image somewhere the sandbox can fetch it, as the app does with S3 in production. Counts fetches so
 * a test can tell the sandbox really downloaded the input.
 */
export interface ImageHost {
  origin: string;
  /** Serve `bytes` at `/<name>`; returns its URL. */
  put: (name: string, bytes: Buffer, contentType?: string) => string;
  /** Serve a file from disk at `/<name>`; returns its URL. */
  putFile: (name: string, file: string, contentType?: string) => string;
  url: (name: string) => string;
  /** Fetches received per name (including names that were not there). */
  hits: Map<string, number>;
  close: () => Promise<void>;
}

export async function startImageHost(): Promise<ImageHost> {
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const hits = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://host.invalid').pathname.slice(1));
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const file = files.get(name);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.bytes.length) });
    response.end(request.method === 'HEAD' ? undefined : file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = (name: string) => `${origin}/${encodeURIComponent(name)}`;
  const put = (name: string, bytes: Buffer, contentType = 'application/octet-stream') => {
    files.set(name, { bytes, contentType });
    return url(name);
  };
  return {
    origin,
    put,
    putFile: (name, file, contentType) => put(name, fs.readFileSync(file), contentType),
    url,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
