import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openRegularFile } from '../engine/regular-file';
import { resolveStaticFile } from '../engine/static-files';
import { MEDIA_SCHEME } from './media-protocol';

/**
 * The renderer is served from this scheme instead of file:// (Electron's security guide, item 18):
 * the page gets a real origin of its own, so 'self' in the CSP means the app and nothing else on
 * disk, and file:// needs no privileges at all (the build turns that fuse off).
 */
export const APP_SCHEME = 'shootline-app';
export const APP_HOST = 'app';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** How both custom schemes are registered before the app is ready (one list, one call). */
export const PRIVILEGED_SCHEMES = [
  // standard: relative URLs and an origin; secure: treated like https (no mixed-content downgrade).
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

/**
 * Handler for `shootline-app://app/<path>`: files of the built renderer only (nothing outside
 * `rendererDir`, never a folder, pipe or device), with the same headers the headless server sends.
 * Written against the Fetch API's Request/Response so it runs and is tested in plain Node.
 */
export function createAppHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response(null, { status: 400 });
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response(null, { status: 404 });
    const found = resolveStaticFile(rendererDir, url.pathname);
    if (found.kind === 'bad_request') return new Response(null, { status: 400 });
    if (found.kind === 'not_found' || !staysInside(rendererDir, found.file)) return new Response(null, { status: 404 });
    let opened;
    try {
      opened = await openRegularFile(found.file);
    } catch {
      return new Response(null, { status: 404 });
    }
    const { handle, size } = opened;
    const headers = { ...found.headers, 'Content-Length': String(size) };
    if (request.method === 'HEAD' || size === 0) {
      await handle.close();
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(0), { status: 200, headers });
    }
    // Only the bytes the file had when opened.
    const body = Readable.toWeb(handle.createReadStream({ start: 0, end: size - 1 })) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}

/** A link inside the renderer folder that points out of it is not the renderer's. */
function staysInside(root: string, file: string): boolean {
  try {
    const relative = path.relative(fs.realpathSync(root), fs.realpathSync(file));
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}
