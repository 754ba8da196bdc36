import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs one OpenCV.js computation in a fresh worker thread: the WASM calls are synchronous and a
 * large image takes a while, and the engine must keep answering meanwhile. The worker loads the
 * 10 MB module (about 0.2 s); terminating it is how a cancel stops a computation midway.
 *
 * `body` is the source of an async function `(cv, request) => ({ reply, transfer })` run in the
 * worker (it may use nothing from outside its own text); `reply` comes back to the caller.
 */
export function runOpenCv<Request, Reply>(
  body: string,
  request: Request,
  signal: AbortSignal,
  what: string,
): Promise<Reply> {
  const require = createRequire(import.meta.url);
  const worker = new Worker(workerSource(body), {
    eval: true,
    workerData: { opencvPath: require.resolve('@techstark/opencv-js') },
  });
  return new Promise<Reply>((resolve, reject) => {
    const abort = (): void => {
      void worker.terminate();
      reject(signal.reason instanceof Error ? signal.reason : new Error('Canceled.'));
    };
    if (signal.aborted) {
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    worker.once('message', (answer: { reply?: Reply; error?: string }) => {
      signal.removeEventListener('abort', abort);
      void worker.terminate();
      if (answer.error === undefined) resolve(answer.reply as Reply);
      else reject(new Error(`${what} failed: ${answer.error}`));
    });
    worker.once('error', (error: Error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    // A worker that ends without an answer (out of memory, killed) must not leave the caller waiting.
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', abort);
      reject(new Error(`${what} stopped before answering (exit code ${code}).`));
    });
    worker.postMessage(request);
  });
}

function workerSource(body: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
let ready = null;
function opencv() {
  if (!ready) {
    const loaded = require(workerData.opencvPath);
    ready = typeof loaded.then === 'function'
      ? new Promise((resolve) => loaded.then((cv) => { delete cv.then; resolve(cv); }))
      : new Promise((resolve) => { if (loaded.Mat) resolve(loaded); else loaded.onRuntimeInitialized = () => resolve(loaded); });
  }
  return ready;
}
const compute = ${body};
parentPort.on('message', async (request) => {
  try {
    const { reply, transfer } = await compute(await opencv(), request);
    parentPort.postMessage({ reply }, transfer || []);
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
`;
}
