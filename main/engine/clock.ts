/**
 * Time, injected: the queue, the sandboxes and the tests take a clock, so minute-scale limits are
 * tested in seconds. `now` is what gets written to the database; `sleep` is how long we wait.
 */
export interface Clock {
  now: () => number;
  /** Resolves after `ms` of this clock's time, or rejects when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Calls `fn` after `ms` of this clock's time; the returned function cancels it. Never keeps the process alive. */
  setTimer: (fn: () => void, ms: number) => () => void;
}

export const systemClock: Clock = {
  now: Date.now,
  sleep: (ms, signal) => sleepReal(ms, signal),
  setTimer: (fn, ms) => realTimer(fn, ms),
};

/** A clock running `factor` times faster than real time, starting now: 60 means a minute per second. */
export function acceleratedClock(factor: number, start = Date.now()): Clock {
  const realStart = Date.now();
  return {
    now: () => start + Math.round((Date.now() - realStart) * factor),
    sleep: (ms, signal) => sleepReal(ms / factor, signal),
    setTimer: (fn, ms) => realTimer(fn, ms / factor),
  };
}

function realTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, Math.max(0, ms));
  timer.unref?.();
  return () => clearTimeout(timer);
}

function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
