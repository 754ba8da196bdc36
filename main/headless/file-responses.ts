import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { TOKEN_PARAM } from '../../shared/ws-protocol';
import type { Engine } from '../engine/engine';
import { parseMediaPath } from '../engine/media';
import { parseByteRange, rangeApplies } from '../engine/media-range';
import { openRegularFile } from '../engine/regular-file';
import { resolveStaticFile } from '../engine/static-files';
import { tokenMatches } from './request-guards';

/**
 * `/media/<kind>/<id>?token=…`: thumbnails, previews, originals and variants by id, for the same
 * session token as the API (an <img> cannot send headers, so it rides in the query like the
 * page's own). The engine resolves the id; no part of the URL is used as a path.
 */
export async function serveMedia(
  engine: Pick<Engine, 'resolveMedia'>,
  token: string,
  url: URL,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (!readOnlyMethod(request, response)) return;
  if (!tokenMatches(url.searchParams.get(TOKEN_PARAM), token)) {
    response.writeHead(401, { 'Content-Type': 'text/plain' }).end('missing or wrong token');
    return;
  }
  const media = parseMediaPath(url.pathname);
  if (!media) {
    response.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad media path');
    return;
  }
  const resolved = await engine.resolveMedia(media);
  if (!resolved) {
    notFound(response);
    return;
  }
  const etag = `"${resolved.etag}"`;
  const headers = {
    'Content-Type': resolved.mimeType,
    ETag: etag,
    'Cache-Control': 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers).end();
    return;
  }
  // A <video> seeks by asking for byte ranges; without them it cannot leave the start.
  const ifRange = request.headers['if-range'];
  const range = rangeApplies(typeof ifRange === 'string' ? ifRange : undefined, etag)
    ? request.headers.range
    : undefined;
  await sendFile(request, response, resolved.file, { ...headers, 'Accept-Ranges': 'bytes' }, range);
}

/** The built renderer, and `/api/health`, which lets the UI tell "wrong token" from "server down". */
export async function serveStatic(
  staticDir: string,
  token: string,
  url: URL,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (!readOnlyMethod(request, response)) return;
  if (url.pathname === '/api/health') {
    // A browser cannot read a refused upgrade, so the UI asks here whether its token is right.
    const authorized = tokenMatches(url.searchParams.get(TOKEN_PARAM), token);
    response.writeHead(authorized ? 200 : 401, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    response.end(JSON.stringify({ ok: authorized }));
    return;
  }
  const found = resolveStaticFile(staticDir, url.pathname);
  if (found.kind === 'bad_request') {
    response.writeHead(400).end();
    return;
  }
  if (found.kind === 'not_found') {
    notFound(response);
    return;
  }
  await sendFile(request, response, found.file, found.headers);
}

/**
 * Sends one regular file. The client may hang up at any moment (before the file is open, while
 * it streams): that ends this response and nothing else. Anything but a regular file (gone,
 * unreadable, a folder, a FIFO) is "not found".
 */
async function sendFile(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  file: string,
  headers: Record<string, string>,
  rangeHeader?: string,
): Promise<void> {
  let opened;
  try {
    opened = await openRegularFile(file);
  } catch {
    notFound(response);
    return;
  }
  const { handle, size } = opened;
  if (response.destroyed || response.writableEnded) {
    await handle.close();
    return;
  }
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    await handle.close();
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) {
    response.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': String(end - start + 1),
    });
  } else {
    response.writeHead(200, { ...headers, 'Content-Length': String(size) });
  }
  if (request.method === 'HEAD' || size === 0) {
    await handle.close();
    response.end();
    return;
  }
  // Only the bytes it had when opened, so a file that keeps growing cannot hold the response open.
  // The promise form reports a client that went away as a rejection, never as a thrown error.
  await pipeline(handle.createReadStream({ start, end }), response).catch(() => undefined);
}

function readOnlyMethod(request: http.IncomingMessage, response: http.ServerResponse): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  response.writeHead(405, { Allow: 'GET, HEAD' }).end();
  return false;
}

function notFound(response: http.ServerResponse): void {
  if (response.headersSent) response.destroy();
  else if (!response.destroyed) response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
}
