import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline, type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fail } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import {
  ClientFrameSchema,
  TOKEN_PARAM,
  WS_CLOSE_GOING_AWAY,
  WS_PATH,
  type ServerFrame,
} from '../../shared/ws-protocol';
import type { Engine } from '../engine/engine';
import type { Logger } from '../engine/log';
import { isInside, parseMediaPath } from '../engine/media';

export interface ServerOptions {
  engine: Pick<Engine, 'call' | 'events' | 'resolveMedia'>;
  log: Logger;
  token: string;
  /** Built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Extra browser origins allowed to connect, e.g. `http://studio-server.local:4780` behind a hostname. */
  extraOrigins?: string[];
}

export interface RunningServer {
  /** The address to open: loopback, or the machine's first network address when bound to all. */
  url: string;
  /** Every address the UI can be opened at, each with the token. */
  urls: string[];
  port: number;
  close: () => Promise<void>;
}

const MAX_FRAME_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 1000;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * The headless shell's transport: serves the built renderer and the engine's API on one loopback
 * port. Every WebSocket must carry the session token, and a browser's Origin must be this server's
 * own, so a web page the user happens to visit cannot drive the engine.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { engine, log, token } = options;
  const host = options.host ?? '127.0.0.1';
  log.registerSecret(token);

  const server = http.createServer((request, response) => {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request');
      return;
    }
    if (pathname.startsWith('/media/')) {
      serveMedia(engine, token, request, response).catch((error: unknown) => {
        log.error('headless.media_failed', { error });
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    } else serveStatic(options.staticDir, token, request, response);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let allowedOrigins = new Set<string>();

  server.on('upgrade', (request, socket, head) => {
    const refusal = checkUpgrade(request, token, allowedOrigins);
    if (refusal) {
      log.warn('headless.ws_refused', { reason: refusal.reason, origin: request.headers.origin ?? null });
      rejectUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => attachClient(ws, engine, log));
  });

  const stopForwarding = engine.events.listen((event, payload) => {
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies ServerFrame);
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origins = reachableHosts(host).map((address) => `http://${address}:${port}`);
  allowedOrigins = new Set([...origins, `http://localhost:${port}`, ...(options.extraOrigins ?? [])]);
  const urls = origins.map((origin) => `${origin}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`);

  return {
    url: urls[0] ?? '',
    urls,
    port,
    close: async () => {
      stopForwarding();
      for (const client of wss.clients) client.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
      // A client that never answers the close handshake (a sleeping tab, a half-open link) must not
      // hold the shutdown, and with it the data-dir lock, for ws's 30 s close timeout.
      const stragglers = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(stragglers);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The addresses a browser may use to reach a server bound to `host`, as they appear in a URL
 * (IPv6 in brackets). Loopback first. A wildcard bind is reachable at every interface address.
 */
export function reachableHosts(host: string, interfaces = os.networkInterfaces()): string[] {
  const inUrl = (address: string): string => (address.includes(':') ? `[${address}]` : address);
  if (host !== '0.0.0.0' && host !== '::') return [inUrl(host === 'localhost' ? '127.0.0.1' : host)];
  const external: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv6' && (host === '0.0.0.0' || entry.address.startsWith('fe80:'))) continue;
      external.push(inUrl(entry.address));
    }
  }
  const loopback = host === '::' ? ['127.0.0.1', '[::1]'] : ['127.0.0.1'];
  return [...external, ...loopback];
}

function checkUpgrade(
  request: http.IncomingMessage,
  token: string,
  allowedOrigins: Set<string>,
): { status: number; reason: string } | null {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'not found' };
  const origin = request.headers.origin;
  // Browsers always send Origin; a client without one (a script, a test) still needs the token.
  if (origin !== undefined && !allowedOrigins.has(origin)) return { status: 403, reason: 'origin not allowed' };
  if (!tokenMatches(url.searchParams.get(TOKEN_PARAM), token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}

export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}`,
  );
}

function attachClient(ws: WebSocket, engine: Pick<Engine, 'call'>, log: Logger): void {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'text frames only');
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      ws.close(1007, 'frames must be JSON');
      return;
    }
    const parsed = ClientFrameSchema.safeParse(frame);
    if (!parsed.success) {
      send(ws, { type: 'result', id: frameId(frame), envelope: fail('invalid_input', 'Malformed call frame.') });
      return;
    }
    const { id, method, args } = parsed.data;
    engine
      .call(method, args)
      .catch((error: unknown) => {
        // engine.call answers every expected failure itself; reaching this is a bug, not the client's fault.
        log.error('headless.call_failed', { method, error });
        return fail('internal', 'Something went wrong in the engine. The details are in the log.');
      })
      .then((envelope) => send(ws, { type: 'result', id, envelope }))
      .catch((error: unknown) => log.error('headless.send_failed', { error }));
  });
  ws.on('error', (error) => log.warn('headless.ws_error', { error }));
}

/** The id of a frame that failed validation, if it had a usable one, so the client can match the refusal. */
function frameId(frame: unknown): number {
  if (typeof frame !== 'object' || frame === null) return -1;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
}

function send(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

/**
 * `/media/<kind>/<id>?token=…`: thumbnails, previews, originals and variants by id, for the same
 * session token as the API (an <img> cannot send headers, so it rides in the query like the
 * page's own). The engine resolves the id; no part of the URL is used as a path.
 */
async function serveMedia(
  engine: Pick<Engine, 'resolveMedia'>,
  token: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
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
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
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
  const stream = fs.createReadStream(resolved.file);
  stream.once('error', () => {
    if (!response.headersSent) response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    else response.destroy();
  });
  stream.once('open', () => {
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      stream.destroy();
      response.end();
    } else pipeline(stream, response, () => undefined); // closes the file when the client goes away
  });
}

function serveStatic(
  staticDir: string,
  token: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/health') {
    // Lets the UI tell "wrong token" from "server down": a browser cannot read a refused upgrade.
    const authorized = tokenMatches(url.searchParams.get(TOKEN_PARAM), token);
    response.writeHead(authorized ? 200 : 401, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    response.end(JSON.stringify({ ok: authorized }));
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = path.join(staticDir, relative);
  if (!isInside(staticDir, file) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  const extension = path.extname(file).toLowerCase();
  const stream = fs.createReadStream(file);
  stream.once('error', () => {
    // Unreadable, or removed between the check and the open (a rebuild under a running server).
    if (!response.headersSent) response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    else response.destroy();
  });
  stream.once('open', () => {
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': extension === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (request.method === 'HEAD') {
      stream.destroy();
      response.end();
    } else pipeline(stream, response, () => undefined);
  });
}
