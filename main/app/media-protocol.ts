import fs from 'node:fs/promises';
import type { Engine } from '../engine/engine';
import { parseMediaUrl } from '../engine/media';

export const MEDIA_SCHEME = 'shootline-media';

/**
 * Handler for `shootline-media://<kind>/<id>`: the id is looked up by the engine, which only ever
 * answers with a file inside its own roots. Written against the Fetch API's Request/Response so
 * it runs (and is tested) in plain Node; `protocol.handle` takes it as is.
 */
export function createMediaHandler(engine: Pick<Engine, 'resolveMedia'>): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return new Response(null, { status: 405 });
    const media = parseMediaUrl(request.url);
    if (!media) return new Response(null, { status: 400 });
    const resolved = await engine.resolveMedia(media);
    if (!resolved) return new Response(null, { status: 404 });
    const etag = `"${resolved.etag}"`;
    // Asset ids keep their id across new versions, so the browser revalidates instead of caching forever.
    const headers = { 'Content-Type': resolved.mimeType, ETag: etag, 'Cache-Control': 'private, no-cache' };
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    const bytes = await fs.readFile(resolved.file);
    return new Response(bytes, { status: 200, headers });
  };
}
