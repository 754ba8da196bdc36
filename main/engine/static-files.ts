import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { isInside } from './media';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export type StaticFile =
  { kind: 'file'; file: string; headers: Record<string, string> } | { kind: 'bad_request' } | { kind: 'not_found' };

/**
 * Where a request path of the built renderer is on disk, with the headers to send it with: one
 * answer for both shells (the headless server's static route and the desktop's app scheme). Only a
 * path inside `staticDir` is ever named; the caller still opens it as a regular file.
 */
export function resolveStaticFile(staticDir: string, pathname: string): StaticFile {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad_request' };
  }
  if (relative.includes('\0')) return { kind: 'bad_request' };
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = path.join(staticDir, relative);
  if (!isInside(staticDir, file)) return { kind: 'not_found' };
  const extension = path.extname(file).toLowerCase();
  return {
    kind: 'file',
    file,
    headers: {
      'Content-Type':
        (Object.hasOwn(CONTENT_TYPES, extension) ? CONTENT_TYPES[extension] : undefined) ?? 'application/octet-stream',
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // Built assets carry a hash in their names; the page itself must never be stale.
      'Cache-Control': extension === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    },
  };
}
