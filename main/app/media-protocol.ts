import { Readable } from 'node:stream';
import type { Engine } from '../engine/engine';
import { parseMediaUrl } from '../engine/media';
import { parseByteRange, rangeApplies } from '../engine/media-range';
import { openRegularFile } from '../engine/regular-file';

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
    const headers = {
      'Content-Type': resolved.mimeType,
      ETag: etag,
      'Cache-Control': 'private, no-cache',
      'X-Content-Type-Options': 'nosniff',
    };
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    let opened;
    try {
      // Streamed through the checked handle: never a pipe or a device, never more than its size when opened.
      opened = await openRegularFile(resolved.file);
    } catch {
      return new Response(null, { status: 404 });
    }
    const { handle, size } = opened;
    const ranged = { ...headers, 'Accept-Ranges': 'bytes' };
    // A <video> seeks by asking for byte ranges; without them it cannot leave the start.
    const range = rangeApplies(request.headers.get('if-range'), etag)
      ? parseByteRange(request.headers.get('range'), size)
      : null;
    if (range === 'unsatisfiable') {
      await handle.close();
      return new Response(null, { status: 416, headers: { ...ranged, 'Content-Range': `bytes */${size}` } });
    }
    if (size === 0) {
      await handle.close();
      return new Response(new Uint8Array(0), { status: 200, headers: ranged });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const body = Readable.toWeb(handle.createReadStream({ start, end })) as ReadableStream<Uint8Array>;
    const length = { 'Content-Length': String(end - start + 1) };
    return range
      ? new Response(body, {
          status: 206,
          headers: { ...ranged, ...length, 'Content-Range': `bytes ${start}-${end}/${size}` },
        })
      : new Response(body, { status: 200, headers: { ...ranged, ...length } });
  };
}
