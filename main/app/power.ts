import type { Logger } from '../engine/log';
import { isBusy, type DesktopStatus } from './desktop-status';

/** Electron's powerSaveBlocker, reduced to what is used. */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
}

/**
 * Keeps the machine from sleeping while the app works (jobs, ingest, exports) and lets it sleep
 * again after the last: a laptop left with a queue overnight finishes the queue. The display may
 * still sleep ('prevent-app-suspension').
 */
export function keepAwakeWhileBusy(
  blocker: PowerSaveBlockerLike,
  status: { current: DesktopStatus; onChange(listener: (status: DesktopStatus) => void): () => void },
  log: Logger,
): () => void {
  let blocking: number | null = null;
  const follow = (current: DesktopStatus): void => {
    const busy = isBusy(current);
    if (busy && blocking === null) {
      blocking = blocker.start('prevent-app-suspension');
      log.info('desktop.keep_awake', { on: true });
    } else if (!busy && blocking !== null) {
      blocker.stop(blocking);
      blocking = null;
      log.info('desktop.keep_awake', { on: false });
    }
  };
  follow(status.current);
  const stop = status.onChange(follow);
  return () => {
    stop();
    if (blocking !== null) blocker.stop(blocking);
    blocking = null;
  };
}

/** Electron's powerMonitor, reduced to what is used. */
export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

/** Probes from the page's `online` are at most this frequent (a flapping Wi-Fi fires many). */
const PROBE_SPACING_MS = 5_000;

/**
 * When the machine wakes up, and when the page says the network is back (the main process has no
 * `online` event of its own), providers the queue could not reach are probed at once instead of
 * waiting out their back-off, so work resumes as soon as it can.
 */
export function probeWhenNetworkMayBeBack(
  powerMonitor: PowerMonitorLike,
  engine: { probeUnreachableNow(): void },
  now: () => number,
  log: Logger,
): { pageOnline(): void } {
  let lastProbe = Number.NEGATIVE_INFINITY;
  const probe = (reason: string, spaced: boolean): void => {
    if (spaced && now() - lastProbe < PROBE_SPACING_MS) return;
    lastProbe = now();
    log.info('desktop.probe_providers', { reason });
    engine.probeUnreachableNow();
  };
  powerMonitor.on('resume', () => probe('resume', false));
  powerMonitor.on('unlock-screen', () => probe('unlock', true));
  return { pageOnline: () => probe('online', true) };
}
