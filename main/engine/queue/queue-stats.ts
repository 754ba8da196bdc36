import { MOVING_STATES } from '../../../shared/job-model';
import type { QueueStats } from '../../../shared/jobs';
import type { Db } from '../db/connection';
import { averageRecentRunMs, countJobsByState } from '../db/jobs-repo';
import { activePauses } from '../db/pauses-repo';
import { providerPausedReasons } from '../db/provider-accounts-repo';
import type { EventHub } from '../events';

/** The queue's counts by state and provider, its pauses, an estimate of the time left, and who is unreachable. */
export function queueStats(db: Db, reachability: ReadonlyMap<string, boolean> = new Map()): QueueStats {
  const byState: Record<string, number> = {};
  const byProvider: Record<string, Record<string, number>> = {};
  for (const row of countJobsByState(db)) {
    byState[row.state] = (byState[row.state] ?? 0) + row.count;
    const provider = (byProvider[row.provider] ??= {});
    provider[row.state] = row.count;
  }
  const pauses = activePauses(db);
  const remaining = MOVING_STATES.reduce((sum, state) => sum + (byState[state] ?? 0), 0);
  const recentRunMs = averageRecentRunMs(db, 50);
  return {
    byState,
    byProvider,
    paused: {
      global: pauses.global,
      providers: [...pauses.providers],
      shoots: [...pauses.shoots],
      providerReasons: Object.fromEntries(providerPausedReasons(db)),
    },
    // Jobs run about four at a time per provider (the default concurrency).
    etaMs: remaining === 0 ? 0 : recentRunMs === null ? null : Math.round((remaining * recentRunMs) / 4),
    unreachable: [...reachability].filter(([, reachable]) => !reachable).map(([id]) => id),
  };
}

/** How often, at most, the UI is sent new queue counts. */
const STATS_INTERVAL_MS = 250;

/**
 * Queue counts change with every job update; the UI gets them at most four times a second (a
 * thousand jobs finishing must not mean a thousand count queries and messages).
 */
export class QueueStatsPublisher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly events: EventHub,
    private readonly reachability: () => ReadonlyMap<string, boolean>,
  ) {}

  /** Asks for counts to be sent soon; calls meanwhile are folded into that one. */
  schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.events.emit('queue.stats', queueStats(this.db, this.reachability()));
    }, STATS_INTERVAL_MS);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
