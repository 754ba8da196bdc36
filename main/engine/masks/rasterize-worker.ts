import { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { MaskContent } from '../../../shared/mask';
import { planMask, renderPlan, type RenderPlan } from '../../../shared/mask-raster';

/**
 * Renders masks in a worker thread: a detailed mask at a 24 MP photo's resolution takes seconds,
 * and the engine must keep answering meanwhile. The drawing is checked and planned on the calling
 * thread (one cheap pass, and the budget refuses what would take too long); the worker runs the
 * very `renderPlan` function the tests exercise, from its source text. A render that still
 * overruns is stopped by a timeout, the backstop rather than the bound.
 */
const RENDER_TIMEOUT_MS = 60_000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
// Transpilers may wrap named functions with these helpers; here they change nothing.
const __name = (target) => target;
const renderPlan = ${renderPlan.toString()};
parentPort.on('message', ({ id, plan }) => {
  try {
    const mask = renderPlan(plan);
    parentPort.postMessage({ id, mask }, [mask.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;

interface Pending {
  resolve: (mask: Uint8Array) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.on('message', (reply: { id: number; mask?: Uint8Array; error?: string }) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    clearTimeout(waiting.timer);
    if (pending.size === 0) started.unref();
    if (reply.mask) waiting.resolve(reply.mask);
    else waiting.reject(new Error(reply.error ?? 'the mask worker failed'));
  });
  const failAll = (error: Error): void => {
    for (const [id, waiting] of pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      pending.delete(id);
    }
  };
  started.on('error', (error: Error) => failAll(error));
  started.on('exit', () => {
    if (worker === started) worker = null;
    failAll(new AppError('unavailable', 'The mask renderer stopped; the job will try again.'));
  });
  started.unref();
  worker = started;
  return started;
}

/**
 * Checks, plans and renders a mask's strokes off the main thread, over `base` if given: 8-bit
 * grayscale at outWidth × outHeight.
 */
export function rasterizeStrokesInWorker(
  content: MaskContent,
  outWidth: number,
  outHeight: number,
  base?: Uint8Array,
): Promise<Uint8Array> {
  let plan: RenderPlan;
  try {
    plan = { ...planMask(content, outWidth, outHeight), ...(base ? { base } : {}) };
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const running = start();
  const id = nextId++;
  running.ref();
  return new Promise<Uint8Array>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      // A render cannot be interrupted inside the worker: stop the worker, the next render starts another.
      void running.terminate();
      reject(new AppError('unavailable', 'Rendering the mask took too long; the job will try again.'));
    }, RENDER_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    running.postMessage({ id, plan });
  });
}
