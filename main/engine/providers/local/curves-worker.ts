import { Worker } from 'node:worker_threads';
import { IMAGE_PARALLELISM } from '../../imaging/sharp-config';

/**
 * Applies one 256-entry lookup table per channel to interleaved RGB pixels, in worker threads: a
 * 24 MP photo is 72 million lookups, too long to hold the engine's main thread. One worker per
 * photo that may be in flight, so two photos enhanced at once do not queue behind one thread. The
 * pixels are copied once into a buffer that moves to the worker and back.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, buffer, offset, length, luts }) => {
  const pixels = new Uint8Array(buffer, offset, length);
  const [r, g, b] = luts;
  for (let index = 0; index < length; index += 3) {
    pixels[index] = r[pixels[index]];
    pixels[index + 1] = g[pixels[index + 1]];
    pixels[index + 2] = b[pixels[index + 2]];
  }
  parentPort.postMessage({ id, buffer, offset, length }, [buffer]);
});
`;

interface Waiting {
  resolve: (pixels: Buffer) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  /** Requests sent and not yet answered, by id. */
  waiting: Map<number, Waiting>;
}

const pool: PoolWorker[] = [];
let nextId = 1;

/** A worker that failed (out of memory, killed) fails what it was doing and leaves the pool; the next call starts another. */
function retire(entry: PoolWorker, error: Error): void {
  const at = pool.indexOf(entry);
  if (at >= 0) pool.splice(at, 1);
  for (const { reject } of entry.waiting.values()) reject(error);
  entry.waiting.clear();
  entry.worker.unref();
}

function start(): PoolWorker {
  const entry: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), waiting: new Map() };
  entry.worker.on('message', (reply: { id: number; buffer: ArrayBuffer; offset: number; length: number }) => {
    const waiting = entry.waiting.get(reply.id);
    entry.waiting.delete(reply.id);
    // An idle worker must not keep the process alive.
    if (entry.waiting.size === 0) entry.worker.unref();
    waiting?.resolve(Buffer.from(reply.buffer, reply.offset, reply.length));
  });
  entry.worker.on('error', (error: Error) => retire(entry, error));
  entry.worker.on('exit', (code) => retire(entry, new Error(`The tone-curve worker stopped (exit code ${code}).`)));
  entry.worker.unref();
  pool.push(entry);
  return entry;
}

/** The least busy worker, started when every running one is busy and the pool has room. */
function leastBusy(): PoolWorker {
  const idle = pool.find((entry) => entry.waiting.size === 0);
  if (idle) return idle;
  if (pool.length < IMAGE_PARALLELISM) return start();
  return pool.reduce((best, entry) => (entry.waiting.size < best.waiting.size ? entry : best));
}

/** Returns the pixels with the curves applied, as a new buffer. */
export function applyCurves(pixels: Buffer, luts: readonly [Uint8Array, Uint8Array, Uint8Array]): Promise<Buffer> {
  const entry = leastBusy();
  const id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    // sharp's output lives in memory JavaScript cannot hand over; one copy into an ordinary buffer
    // (a few milliseconds) can then move to the worker and back without another.
    const transferable = new Uint8Array(pixels).buffer;
    entry.worker.ref();
    entry.waiting.set(id, { resolve, reject });
    try {
      entry.worker.postMessage({ id, buffer: transferable, offset: 0, length: pixels.byteLength, luts }, [
        transferable,
      ]);
    } catch (error) {
      entry.waiting.delete(id);
      if (entry.waiting.size === 0) entry.worker.unref();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
