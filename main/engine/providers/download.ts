import { sniffFormat } from '../ingest/sniff';
import type { FetchedOutput, ProviderContext } from './contract';
import { ProviderRequestError } from './http';

const MAX_OUTPUT_BYTES = 100 * 1024 * 1024;
const MAX_VIDEO_BYTES = 512 * 1024 * 1024;
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

/**
 * Downloads a provider's output image: size-capped, checked to be a real image by its bytes (a
 * proxy's HTML error page must not become a variant), typed by content rather than by the URL or
 * the server's header. The file name is chosen later by the media store, never taken from here.
 */
export async function downloadImageOutput(
  context: ProviderContext,
  providerName: string,
  url: string,
  index: number,
): Promise<FetchedOutput> {
  const response = await context.request({
    method: 'GET',
    url,
    call: 'download',
    maxResponseBytes: MAX_OUTPUT_BYTES,
  });
  const sniffed = sniffFormat(response.body.subarray(0, 64));
  if (!sniffed.ok || !IMAGE_FORMATS.has(sniffed.format)) {
    throw new ProviderRequestError(`${providerName} sent something that is not an image.`, {
      kind: 'invalid_response',
    });
  }
  return { index, kind: 'image', mimeType: `image/${sniffed.format}`, bytes: response.body };
}

/**
 * Downloads a provider's output video: size-capped and checked to be an MP4 by its bytes (an
 * ISO-BMFF file starts with a box whose type is `ftyp`).
 */
export async function downloadVideoOutput(
  context: ProviderContext,
  providerName: string,
  url: string,
  index: number,
): Promise<FetchedOutput> {
  const response = await context.request({ method: 'GET', url, call: 'download', maxResponseBytes: MAX_VIDEO_BYTES });
  if (response.body.length < 12 || response.body.toString('latin1', 4, 8) !== 'ftyp') {
    throw new ProviderRequestError(`${providerName} sent something that is not an MP4 video.`, {
      kind: 'invalid_response',
    });
  }
  return { index, kind: 'video', mimeType: 'video/mp4', bytes: response.body };
}
