import fs from 'node:fs';
import { sniffFormat } from '../imaging/sniff';
import { configureSharp, MAX_INPUT_PIXELS } from '../imaging/sharp-config';
import type { FetchedOutput, ProviderContext } from './contract';
import { ProviderRequestError } from '../net/http';
import { outputAddressRule } from '../net/network';

const sharp = configureSharp();

const MAX_OUTPUT_BYTES = 100 * 1024 * 1024;
const MAX_VIDEO_BYTES = 512 * 1024 * 1024;
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

/**
 * Downloads a provider's output image: only from where outputs may come (public https, or this
 * machine for a sandbox on it), streamed to a file under a size cap, checked to be a real image
 * by its bytes (a proxy's HTML error page must not become a variant) and within the pixel limit
 * ingest applies to photos, typed by content rather than by the URL or the server's header. The
 * file name is chosen later by the media store, never taken from here.
 */
export async function downloadImageOutput(
  context: ProviderContext,
  url: string,
  index: number,
): Promise<FetchedOutput> {
  const file = await download(context, url, MAX_OUTPUT_BYTES, '.img');
  try {
    const sniffed = sniffFormat(await head(file));
    if (!sniffed.ok || !IMAGE_FORMATS.has(sniffed.format)) {
      throw new ProviderRequestError('The output it sent is not an image.', { kind: 'invalid_response' });
    }
    const { width = 0, height = 0 } = await sharp(file, { limitInputPixels: false })
      .metadata()
      .catch(() => ({ width: 0, height: 0 }));
    if (width === 0 || height === 0) {
      throw new ProviderRequestError('The image it sent cannot be read.', { kind: 'invalid_response' });
    }
    if (width * height > MAX_INPUT_PIXELS) {
      // Refused for good: the same output would be refused again.
      throw new ProviderRequestError(`The image it sent has ${width} × ${height} pixels, more than Shootline opens.`, {
        kind: 'refused',
      });
    }
    return { index, kind: 'image', mimeType: `image/${sniffed.format}`, file, width, height };
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
}

/**
 * Downloads a provider's output video under the same rules: streamed to a file, size-capped and
 * checked to be an MP4 by its bytes (an ISO-BMFF file starts with a box whose type is `ftyp`).
 */
export async function downloadVideoOutput(
  context: ProviderContext,
  url: string,
  index: number,
): Promise<FetchedOutput> {
  const file = await download(context, url, MAX_VIDEO_BYTES, '.mp4');
  const start = await head(file);
  if (start.length < 12 || start.toString('latin1', 4, 8) !== 'ftyp') {
    fs.rmSync(file, { force: true });
    throw new ProviderRequestError('The output it sent is not an MP4 video.', { kind: 'invalid_response' });
  }
  return { index, kind: 'video', mimeType: 'video/mp4', file };
}

/** Streams an output into a new temporary file (removed again if anything fails). */
async function download(
  context: ProviderContext,
  url: string,
  maxResponseBytes: number,
  extension: string,
): Promise<string> {
  const file = context.tempFile(extension);
  try {
    await context.request({
      method: 'GET',
      url,
      call: 'download',
      maxResponseBytes,
      saveTo: file,
      allowAddress: outputAddressRule(context.baseUrl),
    });
    return file;
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
}

async function head(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, 64, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
