import { Worker } from 'node:worker_threads';

/**
 * Applies one 256-entry lookup table per channel to interleaved RGB pixels, in a worker thread: a
 * 24 MP photo is 72 million lookups, too long to hold the engine's main thread. The pixels are
 * copied once into a buffer that moves to the worker and back.
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

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (pixels: Buffer) => void>();

function start(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.on('message', (reply: { id: number; buffer: ArrayBuffer; offset: number; length: number }) => {
    const resolve = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) started.unref();
    resolve?.(Buffer.from(reply.buffer, reply.offset, reply.length));
  });
  started.on('exit', () => {
    if (worker === started) worker = null;
  });
  started.unref();
  worker = started;
  return started;
}

/** Returns the pixels with the curves applied, as a new buffer. */
export function applyCurves(pixels: Buffer, luts: readonly [Uint8Array, Uint8Array, Uint8Array]): Promise<Buffer> {
  const running = start();
  const id = nextId++;
  running.ref();
  return new Promise<Buffer>((resolve) => {
    waiting.set(id, resolve);
    // sharp's output lives in memory JavaScript cannot hand over; one copy into an ordinary buffer
    // (a few milliseconds) can then move to the worker and back without another.
    const transferable = new Uint8Array(pixels).buffer;
    running.postMessage(
      { id, buffer: transferable, offset: 0, length: pixels.byteLength, luts: luts.map((lut) => Array.from(lut)) },
      [transferable],
    );
  });
}
