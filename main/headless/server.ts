import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { TOKEN_PARAM, WS_CLOSE_GOING_AWAY, type ServerFrame } from '../../shared/ws-protocol';
import type { Engine } from '../engine/engine';
import type { Logger } from '../engine/log';
import { serveMedia, serveStatic } from './file-responses';
import { allowedHostsFor, checkHost, checkUpgrade, requestUrl, type Refusal } from './request-guards';
import { ApiClients, DEFAULT_CLIENT_LIMITS, type ClientLimits } from './ws-clients';
import { serveWebhook, WEBHOOK_PREFIX, webhookHostOf } from './webhook-route';

export { tokenMatches } from './request-guards';

export interface ServerOptions {
  engine: Pick<Engine, 'call' | 'events' | 'resolveMedia' | 'receiveWebhook'>;
  log: Logger;
  token: string;
  /** Built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Extra browser origins allowed to connect, e.g. `http://studio-server.local:4780` behind a hostname. */
  extraOrigins?: string[];
  /** What one API connection may hold; tests make these small. */
  clientLimits?: ClientLimits;
  /**
   * The public address providers deliver webhooks to (a tunnel or reverse proxy to this server):
   * `POST /webhooks/<provider>` is answered under its host only. None: no webhook route, jobs poll.
   */
  webhookUrl?: string;
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
/** TCP connections at once (pages, media, API); more wait in the kernel's backlog or are refused. */
const MAX_CONNECTIONS = 256;
/** API connections at once: a UI holds one per tab. */
const MAX_API_CLIENTS = 32;
const CLOSE_GRACE_MS = 1000;

/**
 * The headless shell's transport: serves the built renderer and the engine's API on one loopback
 * port. Every request must name this server by a host it answers to (no DNS rebinding); every
 * WebSocket must carry the session token, and a browser's Origin must be this server's own, so a
 * web page the user happens to visit cannot drive the engine. Nothing a client sends or fails to
 * read can stop the server or grow its memory without bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { engine, log, token } = options;
  const host = options.host ?? '127.0.0.1';
  log.registerSecret(token);
  let allowedOrigins = new Set<string>();
  let allowedHosts = new Set<string>();

  const webhookHost = webhookHostOf(options.webhookUrl);
  const server = http.createServer((request, response) => {
    const url = requestUrl(request);
    // Deliveries carry no token and arrive under the public webhook host: answered apart, and only there.
    if (url?.pathname.startsWith(WEBHOOK_PREFIX)) {
      serveWebhook(engine, webhookHost, url, request, response);
      return;
    }
    const refusal: Refusal | null = url ? checkHost(request, allowedHosts) : { status: 400, reason: 'bad request' };
    if (refusal || !url) {
      const { status, reason } = refusal ?? { status: 400, reason: 'bad request' };
      response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(reason);
      return;
    }
    const served = url.pathname.startsWith('/media/')
      ? serveMedia(engine, token, url, request, response)
      : serveStatic(options.staticDir, token, url, request, response);
    served.catch((error: unknown) => {
      log.error('headless.serve_failed', { path: url.pathname.slice(0, 200), error });
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  // A client that resets mid-request is an ordinary event, not an error worth a stack.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const clients = new ApiClients(engine, log, options.clientLimits ?? DEFAULT_CLIENT_LIMITS);

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy()); // a reset before the handshake ends is the client's business
    const refusal =
      checkUpgrade(request, token, allowedOrigins, allowedHosts) ??
      (clients.size >= MAX_API_CLIENTS ? { status: 503, reason: 'too many connections' } : null);
    if (refusal) {
      log.warn('headless.ws_refused', {
        reason: refusal.reason,
        origin: request.headers.origin?.slice(0, 200) ?? null,
      });
      rejectUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => clients.attach(ws));
  });

  const stopForwarding = engine.events.listen((event, payload) =>
    clients.broadcast({ type: 'event', event, payload } satisfies ServerFrame),
  );

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
  allowedHosts = allowedHostsFor([...allowedOrigins]);
  const urls = origins.map((origin) => `${origin}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`);

  return {
    url: urls[0] ?? '',
    urls,
    port,
    close: async () => {
      stopForwarding();
      clients.closeAll(WS_CLOSE_GOING_AWAY, 'server shutting down');
      // A client that never answers the close handshake (a sleeping tab, a half-open link) must not
      // hold the shutdown, and with it the data-dir lock, for ws's 30 s close timeout.
      const stragglers = setTimeout(() => clients.terminateAll(), CLOSE_GRACE_MS);
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

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}`,
  );
}
