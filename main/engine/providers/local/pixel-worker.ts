import { Worker } from 'node:worker_threads';
import { IMAGE_PARALLELISM } from '../../imaging/sharp-config';
import { PIXELS_WASM } from './pixels-wasm';

/**
 * The local enhance's per-pixel work on interleaved 8-bit RGB (pixels.wat, WebAssembly SIMD), in
 * worker threads: a 24 MP photo is 72 million values, too long to hold the engine's main thread.
 * The pixels live in WebAssembly memory shared by the main thread and the workers: copied in once
 * from sharp's decode, worked on in place, and handed to sharp's encoder as they are, never copied
 * to a worker and back. A worker keeps nothing between requests; one idle for IDLE_MS is stopped,
 * and a released memory no photo has taken again by then is dropped.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const module = new WebAssembly.Module(Buffer.from(workerData.wasm, 'base64'));

parentPort.on('message', (request) => {
  try {
    const { width, height, layout, block } = request;
    const { exports: wasm } = new WebAssembly.Instance(module, { env: { memory: request.memory } });
    if (request.op === 'load') {
      // A decode moved here: copied into the shared memory a band of rows at a time, each band's
      // block means taken while it is still in the cache (one read of the pixels instead of two),
      // then the decode's own memory freed at once.
      const source = new Uint8Array(request.source);
      const target = new Uint8Array(request.memory.buffer, 0, source.byteLength);
      const stride = width * 3;
      const bandRows = block > 1 ? block : height;
      for (let y = 0, band = 0; y < height; y += bandRows, band += 1) {
        const start = y * stride;
        target.set(source.subarray(start, Math.min(source.byteLength, start + bandRows * stride)), start);
        const meansAt = layout.means + band * Math.ceil(width / block) * 3;
        if (block > 1) wasm.blockMeans(start, width, Math.min(bandRows, height - y), block, layout.sums, meansAt);
      }
      request.source.transfer(0);
      parentPort.postMessage({ id: request.id });
      return;
    }
    if (request.op === 'means') {
      wasm.blockMeans(0, width, height, block, layout.sums, layout.means);
    } else {
      const luts = request.curves ? layout.luts : 0;
      if (request.aq15 > 0) wasm.sharpen(0, width, height, request.aq15, layout.up, layout.mid, layout.sums, luts);
      else if (luts) wasm.curves(0, width * height * 3, luts);
    }
    parentPort.postMessage({ id: request.id });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: String(error && error.message ? error.message : error) });
  }
});
`;

const IDLE_MS = 30_000;
const PAGE_BYTES = 65_536;
/** A WebAssembly memory holds at most 4 GiB (pixels.wat declares that maximum). */
const MAX_PAGES = 65_536;

/** What to do to the pixels: curves (none to leave tones alone) and a sharpen amount (0 for none). */
export interface PixelWork {
  luts: readonly [Uint8Array, Uint8Array, Uint8Array] | null;
  /** a in out = c + a·(9c − 3×3 sum), 0–0.25. */
  sharpen: number;
}

/** Where pixels.wat finds what it works with, in bytes from the start of the memory (the image is at 0). */
interface Layout {
  up: number;
  mid: number;
  sums: number;
  luts: number;
  means: number;
  end: number;
}

/** The part of WebAssembly.Memory used here (Node's type declarations leave the WebAssembly JS API out). */
interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
}
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (size: { initial: number; maximum: number; shared: true }) => SharedMemory };
  }
).WebAssembly.Memory;

const align = (at: number): number => Math.ceil(at / 16) * 16;

function layoutFor(width: number, height: number, block: number): Layout {
  const stride = width * 3;
  const up = align(stride * height + 16);
  const mid = align(up + stride + 16);
  const sums = align(mid + stride + 16);
  const luts = align(sums + 2 * (stride + 22));
  const means = align(luts + 3 * 256);
  const meansBytes = block > 1 ? Math.ceil(width / block) * Math.ceil(height / block) * 3 : 0;
  return { up, mid, sums, luts, means, end: means + meansBytes + 16 };
}

/** An 8-bit RGB image in memory the pixel workers share; `data` is a view of it, for sharp. */
export class SharedPixels {
  readonly width: number;
  readonly height: number;
  /** The block size `blockMeans` may be asked for (room for its result is set aside). */
  readonly block: number;
  readonly #memory: SharedMemory;
  readonly #layout: Layout;
  #released = false;
  /** The block means are in memory already (taken as the pixels were loaded), and the pixels unchanged since. */
  #meansTaken = false;

  private constructor(width: number, height: number, block: number) {
    this.width = width;
    this.height = height;
    this.block = block;
    this.#layout = layoutFor(width, height, block);
    const pages = Math.ceil(this.#layout.end / PAGE_BYTES);
    if (pages > MAX_PAGES) {
      throw new RangeError(`A ${width} × ${height} photo is too large to enhance here (over 4 GiB of pixels).`);
    }
    this.#memory = takeMemory(pages);
  }

  /** A shared copy of decoded pixels (the one copy they get), with room for means of `block`-sized blocks. */
  static copyOf(pixels: Uint8Array, width: number, height: number, block = 1): SharedPixels {
    const shared = SharedPixels.sized(pixels.byteLength, width, height, block);
    shared.data.set(pixels);
    return shared;
  }

  /**
   * copyOf for a decode nothing else reads. When the decode spans its own memory (sharp's raw
   * output does), that memory (72 MB at 24 MP) is moved to a pixel worker without a copy and
   * copied in there, so the 10-20 ms of the copy no longer hold the engine's main thread, which
   * every photo in flight and every API call waits on; the worker then frees it at once rather than
   * at the next garbage collection, which it would also bring forward. `decoded` is empty afterwards
   * unless it was refused (wrong size) or is a view into a larger memory, which is copied here and
   * left alone.
   */
  static async fromDecode(decoded: Buffer, width: number, height: number, block = 1): Promise<SharedPixels> {
    const shared = SharedPixels.sized(decoded.byteLength, width, height, block);
    const memory = decoded.buffer;
    const whole = memory instanceof ArrayBuffer && decoded.byteOffset === 0 && memory.byteLength === decoded.byteLength;
    let moved: ArrayBuffer | null = null;
    try {
      // transfer() moves sharp's memory, which Node will not send to a worker, into an ArrayBuffer it will.
      if (whole) moved = memory.transfer();
    } catch (error) {
      // A memory that cannot be detached (a WebAssembly memory's): copied here instead.
      if (!(error instanceof TypeError)) throw error;
    }
    if (moved === null) {
      shared.data.set(decoded);
      return shared;
    }
    try {
      await shared.#run({ op: 'load', source: moved }, [moved]);
      shared.#meansTaken = shared.block > 1;
    } catch (error) {
      shared.release();
      throw error;
    }
    return shared;
  }

  /** Room for `width` × `height` RGB pixels, checked against the bytes that will fill it. */
  private static sized(bytes: number, width: number, height: number, block: number): SharedPixels {
    if (bytes !== width * height * 3) {
      throw new RangeError(`Expected ${width} × ${height} RGB pixels, got ${bytes} bytes.`);
    }
    return new SharedPixels(width, height, Math.max(1, Math.min(8, Math.floor(block))));
  }

  /**
   * The pixels themselves (no copy), changed by `apply`; not to be kept past `release`. Whoever
   * holds them may change them, so block means taken as they were loaded are taken again.
   */
  get data(): Buffer {
    if (this.#released) throw new Error('These pixels were released.');
    this.#meansTaken = false;
    return Buffer.from(this.#memory.buffer, 0, this.width * this.height * 3);
  }

  /**
   * The mean of each `block` × `block` square (rounded), as an image of ceil(width / block) ×
   * ceil(height / block): a view of the shared memory (at block 1, the pixels themselves: `data`),
   * to read before `release` and before the next blockMeans, which takes them again into the same
   * place once the pixels may have changed. Not a copy: at 24 MP and block 2 a copy was 18 MB made
   * and zeroed per photo, which also counted towards V8's next full collection.
   */
  async blockMeans(): Promise<{ data: Buffer; width: number; height: number }> {
    const width = Math.ceil(this.width / this.block);
    const height = Math.ceil(this.height / this.block);
    if (this.#released) throw new Error('These pixels were released.');
    if (this.block === 1) return { data: this.data, width, height };
    if (!this.#meansTaken) await this.#run({ op: 'means' });
    return { data: Buffer.from(this.#memory.buffer, this.#layout.means, width * height * 3), width, height };
  }

  /** The tone curves, then the sharpen, in place. */
  async apply(work: PixelWork): Promise<void> {
    const aq15 = Math.round(Math.min(0.25, Math.max(0, work.sharpen)) * 32768);
    if (!work.luts && aq15 === 0) return;
    if (work.luts) {
      const tables = new Uint8Array(this.#memory.buffer, this.#layout.luts, 3 * 256);
      work.luts.forEach((lut, channel) => tables.set(lut, channel * 256));
    }
    this.#meansTaken = false;
    await this.#run({ op: 'work', curves: work.luts !== null, aq15 });
  }

  /**
   * Done with the pixels (sharp has finished reading `data`): the memory goes back for the next
   * photo, which then skips the operating system's zeroing of fresh pages (~45 ms at 24 MP).
   * Without a release the memory is simply collected.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#meansTaken = false;
    giveBack(this.#memory);
  }

  #run(request: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.#released) return Promise.reject(new Error('These pixels were released.'));
    return send(
      {
        ...request,
        memory: this.#memory,
        width: this.width,
        height: this.height,
        block: this.block,
        layout: this.#layout,
      },
      transfer,
    );
  }
}

/**
 * Memories given back and not yet taken again: at most one per photo that may be in flight (the
 * largest kept), each dropped after IDLE_MS unused. So for 30 s after a batch the engine keeps up
 * to IMAGE_PARALLELISM photos' worth of pixels (90 MB for a 24 MP photo, 805 MB at the largest
 * photo Shootline opens), which the next photos would otherwise have the kernel zero again.
 */
const idleMemories: { memory: SharedMemory; timer: ReturnType<typeof setTimeout> }[] = [];

function takeMemory(pages: number): SharedMemory {
  const bytes = pages * PAGE_BYTES;
  let best = -1;
  idleMemories.forEach((entry, index) => {
    const size = entry.memory.buffer.byteLength;
    if (size >= bytes && (best < 0 || size < (idleMemories[best]?.memory.buffer.byteLength ?? 0))) best = index;
  });
  const [taken] = best >= 0 ? idleMemories.splice(best, 1) : [];
  if (!taken) return new WasmMemory({ initial: pages, maximum: pages, shared: true });
  clearTimeout(taken.timer);
  return taken.memory;
}

function giveBack(memory: SharedMemory): void {
  const entry = { memory, timer: setTimeout(() => dropMemory(entry), IDLE_MS) };
  entry.timer.unref();
  idleMemories.push(entry);
  // Keep the largest ones: a small memory is cheap to make again, a large one is what costs.
  idleMemories.sort((a, b) => b.memory.buffer.byteLength - a.memory.buffer.byteLength);
  for (const dropped of idleMemories.splice(IMAGE_PARALLELISM)) clearTimeout(dropped.timer);
}

function dropMemory(entry: (typeof idleMemories)[number]): void {
  const at = idleMemories.indexOf(entry);
  if (at >= 0) idleMemories.splice(at, 1);
}

interface Waiting {
  resolve: () => void;
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
    worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { wasm: PIXELS_WASM } }),
    waiting: new Map(),
    idleTimer: null,
  };
  entry.worker.on('message', (reply: { id: number; error?: string }) => {
    const waiting = entry.waiting.get(reply.id);
    entry.waiting.delete(reply.id);
    if (entry.waiting.size === 0) becameIdle(entry);
    if (reply.error === undefined) waiting?.resolve();
    else waiting?.reject(new Error(`The pixel worker failed: ${reply.error}`));
  });
  entry.worker.on('error', (error: Error) => retire(entry, error));
  entry.worker.on('exit', (code) => retire(entry, new Error(`The pixel worker stopped (exit code ${code}).`)));
  entry.worker.unref();
  pool.push(entry);
  return entry;
}

/** An idle worker must not keep the process alive, nor a thread for long. */
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

function send(request: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<void> {
  const entry = leastBusy();
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.worker.ref();
    entry.waiting.set(id, { resolve, reject });
    try {
      entry.worker.postMessage({ ...request, id }, transfer);
    } catch (error) {
      entry.waiting.delete(id);
      if (entry.waiting.size === 0) becameIdle(entry);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
