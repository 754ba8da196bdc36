import { Worker } from 'node:worker_threads';
import { IMAGE_PARALLELISM } from '../../imaging/sharp-config';
import { SHARPEN_WASM } from './sharpen-wasm';

/**
 * The local enhance's per-pixel work on interleaved 8-bit RGB, in worker threads: one 256-entry
 * tone curve per channel, then the 3×3 sharpen (sharpen.wat, WebAssembly SIMD). A 24 MP photo is
 * 72 million values, too long to hold the engine's main thread; libvips would run both in floating
 * point at several times the cost. One worker per photo that may be in flight; a worker idle for
 * IDLE_MS is stopped, giving back the memory its WebAssembly instance grew to. The pixels are
 * copied once into a buffer that moves to the worker and back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { exports: wasm } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(workerData.sharpen, 'base64')), {});
const align = (at) => (at + 15) & ~15;

function curves(from, to, luts) {
  const [r, g, b] = luts;
  for (let index = 0; index < from.length; index += 3) {
    to[index] = r[from[index]];
    to[index + 1] = g[from[index + 1]];
    to[index + 2] = b[from[index + 2]];
  }
}

function sharpen(pixels, width, height, luts, aq15) {
  const stride = width * 3;
  const up = align(pixels.length + 16);
  const mid = align(up + stride + 16);
  const sums = align(mid + stride + 16);
  const end = sums + 2 * (stride + 22);
  const have = wasm.memory.buffer.byteLength;
  if (have < end) wasm.memory.grow(Math.ceil((end - have) / 65536));
  const heap = new Uint8Array(wasm.memory.buffer, 0, pixels.length);
  if (luts) curves(pixels, heap, luts);
  else heap.set(pixels);
  wasm.sharpen(0, width, height, aq15, up, mid, sums);
  pixels.set(heap);
}

parentPort.on('message', ({ id, buffer, offset, length, width, height, luts, aq15 }) => {
  const pixels = new Uint8Array(buffer, offset, length);
  if (aq15 > 0) sharpen(pixels, width, height, luts, aq15);
  else if (luts) curves(pixels, pixels, luts);
  parentPort.postMessage({ id, buffer, offset, length }, [buffer]);
});
`;

const IDLE_MS = 30_000;

/** What to do to the pixels: curves (none to leave tones alone) and a sharpen amount (0 for none). */
export interface PixelWork {
  luts: readonly [Uint8Array, Uint8Array, Uint8Array] | null;
  /** a in out = c + a·(9c − 3×3 sum), 0–0.25. */
  sharpen: number;
}

interface Waiting {
  resolve: (pixels: Buffer) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  /** Requests sent and not yet answered, by id. */
  waiting: Map<number, Waiting>;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

const pool: PoolWorker[] = [];
let nextId = 1;

/** A worker that failed (out of memory, killed) fails what it was doing and leaves the pool; the next call starts another. */
function retire(entry: PoolWorker, error: Error): void {
  const at = pool.indexOf(entry);
  if (at >= 0) pool.splice(at, 1);
  if (entry.idleTimer) clearTimeout(entry.idleTimer);
  for (const { reject } of entry.waiting.values()) reject(error);
  entry.waiting.clear();
  entry.worker.unref();
}

function start(): PoolWorker {
  const entry: PoolWorker = {
    worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { sharpen: SHARPEN_WASM } }),
    waiting: new Map(),
    idleTimer: null,
  };
  entry.worker.on('message', (reply: { id: number; buffer: ArrayBuffer; offset: number; length: number }) => {
    const waiting = entry.waiting.get(reply.id);
    entry.waiting.delete(reply.id);
    if (entry.waiting.size === 0) becameIdle(entry);
    waiting?.resolve(Buffer.from(reply.buffer, reply.offset, reply.length));
  });
  entry.worker.on('error', (error: Error) => retire(entry, error));
  entry.worker.on('exit', (code) => retire(entry, new Error(`The pixel worker stopped (exit code ${code}).`)));
  entry.worker.unref();
  pool.push(entry);
  return entry;
}

/** An idle worker must not keep the process alive, nor its memory for long. */
function becameIdle(entry: PoolWorker): void {
  entry.worker.unref();
  if (entry.idleTimer) clearTimeout(entry.idleTimer);
  entry.idleTimer = setTimeout(() => stopIdle(entry), IDLE_MS);
  entry.idleTimer.unref();
}

/** Out of the pool first, so no call picks a worker that is on its way out. */
function stopIdle(entry: PoolWorker): void {
  const at = pool.indexOf(entry);
  if (at < 0 || entry.waiting.size > 0) return;
  pool.splice(at, 1);
  void entry.worker.terminate();
}

/** The least busy worker, started when every running one is busy and the pool has room. */
function leastBusy(): PoolWorker {
  const idle = pool.find((entry) => entry.waiting.size === 0);
  if (idle) return idle;
  if (pool.length < IMAGE_PARALLELISM) return start();
  return pool.reduce((best, entry) => (entry.waiting.size < best.waiting.size ? entry : best));
}

/** Returns the pixels (interleaved RGB, `width` × `height`) with the work done, as a new buffer. */
export function applyPixelWork(pixels: Buffer, width: number, height: number, work: PixelWork): Promise<Buffer> {
  const entry = leastBusy();
  const id = nextId++;
  const aq15 = Math.round(Math.min(0.25, Math.max(0, work.sharpen)) * 32768);
  return new Promise<Buffer>((resolve, reject) => {
    // sharp's output lives in memory JavaScript cannot hand over; one copy into an ordinary buffer
    // (a few milliseconds) can then move to the worker and back without another.
    const transferable = new Uint8Array(pixels).buffer;
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.worker.ref();
    entry.waiting.set(id, { resolve, reject });
    try {
      entry.worker.postMessage(
        { id, buffer: transferable, offset: 0, length: pixels.byteLength, width, height, luts: work.luts, aq15 },
        [transferable],
      );
    } catch (error) {
      entry.waiting.delete(id);
      if (entry.waiting.size === 0) becameIdle(entry);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
