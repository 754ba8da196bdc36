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
  const now = (): number => start + Math.round((Date.now() - realStart) * factor);
  // A real timer may fire a millisecond early by Date.now(), which is `factor` ms early here: wait
  // out what is left, so a sleep of `ms` never ends before this clock has moved by `ms`.
  const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    const until = now() + ms;
    do await sleepReal(Math.max(1, (until - now()) / factor), signal);
    while (now() < until);
  };
  return {
    now,
    sleep,
    setTimer: (fn, ms) => {
      const until = now() + ms;
      let cancel = (): void => undefined;
      const arm = (): void => {
        cancel = realTimer(() => (now() >= until ? fn() : arm()), Math.max(1, (until - now()) / factor));
      };
      arm();
      return () => cancel();
    },
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
