import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * HEIC/HEIF decoding. sharp's prebuilt libvips reads HEIF metadata but has no HEVC decoder, so the
 * pixels come from libheif compiled to WASM. That decode is synchronous and takes about a tenth of
 * a second per megapixel, so it runs in a worker thread: the engine keeps answering the UI and the
 * queue while a phone's HEIC is decoded. libheif applies the HEIF rotation and mirror boxes itself,
 * so the pixels come out upright.
 */
export interface DecodedPixels {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  data: Buffer;
}

type Reply = { id: number; width: number; height: number; data: Uint8Array } | { id: number; error: string };

// A CommonJS worker given as source text: it needs no file of its own in the build output, and it
// loads libheif from the path resolved here, so it works wherever node_modules is.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const libheif = require(workerData.libheifPath);
parentPort.on('message', ({ id, bytes }) => {
  try {
    const decoder = new libheif.HeifDecoder();
    const images = decoder.decode(bytes);
    const image = images[0];
    if (!image) throw new Error('The HEIC file holds no image.');
    const width = image.get_width();
    const height = image.get_height();
    const data = new Uint8ClampedArray(width * height * 4);
    image.display({ data, width, height }, (result) => {
      for (const each of images) each.free && each.free();
      if (!result) parentPort.postMessage({ id, error: 'libheif could not decode the image data.' });
      else parentPort.postMessage({ id, width, height, data }, [data.buffer]);
    });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;

/** The decoder itself failed (its worker crashed or was stopped): the photo is not at fault; try again later. */
export class DecoderUnavailableError extends Error {}

export class HeicDecoder {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (pixels: DecodedPixels) => void; reject: (error: Error) => void }
  >();

  decode(bytes: Uint8Array): Promise<DecodedPixels> {
    const worker = this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise<DecodedPixels>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, bytes });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { libheifPath: require.resolve('libheif-js/wasm-bundle.js') },
    });
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (!waiter) return;
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else
        waiter.resolve({
          width: reply.width,
          height: reply.height,
          data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength),
        });
    });
    worker.on('error', (error: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new DecoderUnavailableError(`The HEIC decoder failed: ${error.message}`));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new DecoderUnavailableError('The HEIC decoder stopped.'));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
