import fs from 'node:fs/promises';
import type { Engine } from '../engine/engine';
import { parseMediaUrl } from '../engine/media';

export const MEDIA_SCHEME = 'shootline-media';

/**
 * Handler for `shootline-media://<kind>/<id>`: the id is looked up by the engine, which only ever
 * answers with a file inside its media root. Written against the Fetch API's Request/Response so
 * it runs (and is tested) in plain Node; `protocol.handle` takes it as is.
 */
export function createMediaHandler(engine: Pick<Engine, 'resolveMedia'>): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return new Response(null, { status: 405 });
    const media = parseMediaUrl(request.url);
    if (!media) return new Response(null, { status: 400 });
    const file = engine.resolveMedia(media);
    if (!file) return new Response(null, { status: 404 });
    const bytes = await fs.readFile(file);
    return new Response(bytes, {
      status: 200,
      headers: { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=31536000, immutable' },
    });
  };
}
