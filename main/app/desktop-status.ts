import type { EventName, EventPayload } from '../../shared/api';
import type { QueueStats } from '../../shared/jobs';

/**
 * What the desktop shell shows outside the window (tray, taskbar progress, dock badge) and acts on
 * (keeping the machine awake), derived from the engine's own events: one picture of the app's
 * state, so the tray, the badge and the power blocker can never disagree.
 */
export interface DesktopStatus {
  /** Hot folders being watched. */
  watching: number;
  /** Jobs at a provider or on this machine now. */
  running: number;
  /** Jobs waiting their turn. */
  queued: number;
  /** Of those, the ones whose provider is neither paused nor unreachable (they will run soon). */
  runnableQueued: number;
  /** Jobs that need the user: a review, a mask, a garment or an approval. */
  needsUser: number;
  /** Providers the queue paused by itself (credits, key), with the reason. */
  providerPauses: Record<string, string>;
  /** Everything paused by the user. */
  paused: boolean;
  /** Providers the queue cannot reach, or the page says the machine is offline. */
  offline: boolean;
  /** Photos being taken in: done of total, while it lasts. */
  ingest: { done: number; total: number } | null;
  /** Exports running now, by run: done (written, skipped or failed) of total. */
  exports: Record<string, { done: number; total: number }>;
  /** Every job that was active at some point in the current burst of work (the progress bar's whole). */
  burst: number;
}

export const IDLE_STATUS: DesktopStatus = {
  watching: 0,
  running: 0,
  queued: 0,
  runnableQueued: 0,
  needsUser: 0,
  providerPauses: {},
  paused: false,
  offline: false,
  ingest: null,
  exports: {},
  burst: 0,
};

const RUNNING_STATES = ['preparing', 'submitting', 'remote', 'fetching'] as const;

const count = (stats: QueueStats, state: string): number => stats.byState[state] ?? 0;

export function withQueueStats(status: DesktopStatus, stats: QueueStats): DesktopStatus {
  const running = RUNNING_STATES.reduce((sum, state) => sum + count(stats, state), 0);
  const queued = count(stats, 'queued');
  const held = new Set([...stats.paused.providers, ...stats.unreachable, ...Object.keys(stats.paused.providerReasons)]);
  const runnableQueued = Object.entries(stats.byProvider)
    .filter(([provider]) => !held.has(provider))
    .reduce((sum, [, states]) => sum + (states.queued ?? 0), 0);
  const before = status.running + status.queued;
  const active = running + queued;
  return {
    ...status,
    running,
    queued,
    runnableQueued,
    needsUser: count(stats, 'needs_review') + count(stats, 'awaiting_input'),
    providerPauses: { ...stats.paused.providerReasons },
    paused: stats.paused.global,
    offline: stats.unreachable.length > 0,
    // A burst lasts while anything is active and grows by what is added to it: the bar says how much
    // of all the work of the moment is done (it moves back when more work arrives, as it should).
    burst: active === 0 ? 0 : status.burst + Math.max(0, active - before),
  };
}

export function withIngest(status: DesktopStatus, progress: EventPayload<'ingest.progress'>): DesktopStatus {
  const busy = progress.total > 0 && progress.done < progress.total;
  return { ...status, ingest: busy ? { done: progress.done, total: progress.total } : null };
}

export function withExport(status: DesktopStatus, progress: EventPayload<'export.progress'>): DesktopStatus {
  const exports = { ...status.exports };
  if (progress.state === 'running') {
    exports[progress.runId] = {
      done: progress.done + progress.skipped + progress.failed,
      total: Math.max(progress.total, 1),
    };
  } else {
    delete exports[progress.runId];
  }
  return { ...status, exports };
}

/**
 * Is the app working (so the machine should stay awake)? Queued work counts only when it can run:
 * not under a global pause, and not for a provider that is paused or cannot be reached (a laptop
 * left with a queue waiting for credits may sleep).
 */
export function isBusy(status: DesktopStatus): boolean {
  const jobs = status.running > 0 || (status.runnableQueued > 0 && !status.paused);
  return jobs || status.ingest !== null || Object.keys(status.exports).length > 0;
}

/** What needs the user: jobs waiting on them, and providers paused for want of credits or a key. */
export function attentionCount(status: DesktopStatus): number {
  return status.needsUser + Object.keys(status.providerPauses).length;
}

/**
 * The taskbar/dock progress: all work of the moment (ingest, jobs, exports) as one fraction, or -1
 * to clear the bar when nothing runs. Jobs count as done out of the burst they started in.
 */
export function progressFraction(status: DesktopStatus): number {
  let done = 0;
  let total = 0;
  if (status.ingest) {
    done += status.ingest.done;
    total += status.ingest.total;
  }
  if (status.burst > 0 && !status.paused) {
    done += status.burst - (status.running + status.queued);
    total += status.burst;
  }
  for (const run of Object.values(status.exports)) {
    done += Math.min(run.done, run.total);
    total += run.total;
  }
  if (total === 0) return -1;
  return Math.min(1, Math.max(0, done / total));
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The tray's status lines, most important first; also its tooltip. */
export function statusLines(status: DesktopStatus): string[] {
  const lines = [status.watching > 0 ? `Watching ${plural(status.watching, 'folder')}` : 'No hot folder watched'];
  if (status.paused) lines.push('All work paused');
  if (status.offline) lines.push('Offline: work resumes when providers answer');
  if (status.running > 0 || status.queued > 0) {
    lines.push(`${plural(status.running, 'job')} running, ${status.queued} queued`);
  }
  if (status.ingest) lines.push(`Taking in photos: ${status.ingest.done} of ${status.ingest.total}`);
  const exports = Object.keys(status.exports).length;
  if (exports > 0) lines.push(`${plural(exports, 'export')} running`);
  if (status.needsUser > 0) lines.push(`${plural(status.needsUser, 'job needs', 'jobs need')} you`);
  for (const [provider, reason] of Object.entries(status.providerPauses)) lines.push(`${provider} paused: ${reason}`);
  return lines;
}

/** The engine events the status follows. */
export const STATUS_EVENTS = ['queue.stats', 'ingest.progress', 'export.progress'] as const satisfies EventName[];
