import { ProviderRequestError, type HttpResponse } from '../../net/http';
import { sniffFormat } from '../../imaging/sniff';
import { configureSharp, MAX_INPUT_PIXELS } from '../../imaging/sharp-config';
import type { FetchedOutput, InputPhoto, OutputRef, ProviderContext } from '../contract';
import { downloadImageOutput } from '../download';
import { readImageBody } from './answers';

const sharp = configureSharp();

/** The doc's ceiling for generated sizes; inputs are sent within the same long side. */
export const MAX_SIDE = 2048;

/** A request to AuraX through the adapter's error reading (out of credits, AuraX's words). */
export type Call = (work: () => Promise<HttpResponse>) => Promise<HttpResponse>;

/* Pictures to and from AuraX: what is sent (upright, sRGB, within its size) and what comes back. */

/** A picture as AuraX is sent one: upright (the turn included), sRGB JPEG, within 2048 px on its long side. */
export async function prepared(photo: InputPhoto): Promise<{ bytes: Buffer; width: number; height: number }> {
  const scale = Math.min(1, MAX_SIDE / Math.max(photo.width, photo.height));
  const width = Math.max(1, Math.round(photo.width * scale));
  const height = Math.max(1, Math.round(photo.height * scale));
  let pipeline = photo.pipeline().removeAlpha().toColourspace('srgb');
  if (scale < 1) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  return { bytes: await pipeline.jpeg({ quality: 90 }).toBuffer(), width, height };
}

/**
 * A picture a task made: from `/images/:imageId` on AuraX's own address (with the account's
 * headers; the bytes, or base64 in JSON), or from a URL it named (a public https address only).
 */
export async function fetchImage(context: ProviderContext, output: OutputRef, call: Call): Promise<FetchedOutput> {
  const url = output.url ?? '';
  if (!url.startsWith(`${context.baseUrl}/images/`)) return downloadImageOutput(context, url, output.index);
  const response = await call(() => context.request({ method: 'GET', url, call: 'download' }));
  const bytes = readImageBody(response.body, response.header('content-type'));
  const sniffed = bytes ? sniffFormat(bytes.subarray(0, 64)) : null;
  if (!bytes || !sniffed?.ok || !['jpeg', 'png', 'webp'].includes(sniffed.format)) {
    throw new ProviderRequestError('AuraX sent something that is not a picture.', { kind: 'invalid_response' });
  }
  const { width = 0, height = 0 } = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => ({ width: 0, height: 0 }));
  if (width === 0 || height === 0) {
    throw new ProviderRequestError('AuraX sent a picture Shootline cannot open.', { kind: 'invalid_response' });
  }
  if (width * height > MAX_INPUT_PIXELS) {
    // Refused for good: the same picture would be refused again.
    throw new ProviderRequestError(`AuraX sent a picture of ${width} × ${height} pixels, more than Shootline opens.`, {
      kind: 'refused',
    });
  }
  return { index: output.index, kind: 'image', mimeType: `image/${sniffed.format}`, bytes, width, height };
}
