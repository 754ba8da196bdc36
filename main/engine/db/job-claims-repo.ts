import { ACTIVE_STATES } from '../../../shared/job-model';
import { statement, writeTransaction, type Db } from './connection';
import { applyInTransaction, toRecord, type JobRecord, type JobRow } from './jobs-repo';
import { sqlList } from './sql-list';

/**
 * The scheduler's queries: claiming due jobs under a lease, renewing and recovering leases, and
 * when the next job falls due. Every state change still goes through applyInTransaction.
 */

export interface ClaimOptions {
  now: number;
  limit: number;
  leaseOwner: string;
  leaseMs: number;
  /** Only these providers may be dispatched (reachable, not paused, under their concurrency). */
  providers: readonly string[];
  /** Shoots that are paused. */
  pausedShoots: readonly string[];
}

/**
 * Takes up to `limit` due jobs for one provider, highest priority first, then oldest, and leases
 * them to this worker, all in one transaction, so two workers never take the same job.
 */
export function claimDueJobs(db: Db, provider: string, options: ClaimOptions): JobRecord[] {
  if (options.limit <= 0) return [];
  const paused = JSON.stringify(options.pausedShoots);
  const select = statement(
    db,
    `SELECT id FROM jobs
     WHERE state = 'queued' AND provider = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
       AND (shoot_id IS NULL OR shoot_id NOT IN (SELECT value FROM json_each(?)))
     ORDER BY priority DESC, created_at, rowid
     LIMIT ?`,
  );
  return writeTransaction(db, () => {
    const ids = (select.all(provider, options.now, paused, options.limit) as { id: string }[]).map((row) => row.id);
    const claimed: JobRecord[] = [];
    for (const id of ids) {
      const result = applyInTransaction(
        db,
        id,
        {
          type: 'dispatch',
          leaseOwner: options.leaseOwner,
          leaseExpiresAt: options.now + options.leaseMs,
        },
        options.now,
      );
      if (result.ok) claimed.push(result.job);
    }
    return claimed;
  });
}

/** Extends the lease of a job this worker holds; false if it no longer holds it. */
export function renewLease(db: Db, id: string, leaseOwner: string, leaseExpiresAt: number): boolean {
  const info = statement(db, 'UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?').run(
    leaseExpiresAt,
    id,
    leaseOwner,
  );
  return info.changes === 1;
}

/** Jobs held by a worker whose lease has run out (the worker died, or this is a restart). */
export function jobsWithExpiredLease(db: Db, now: number): JobRecord[] {
  const rows = statement(
    db,
    `SELECT * FROM jobs WHERE state IN (${sqlList(ACTIVE_STATES)})
       AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`,
  ).all(now) as JobRow[];
  return rows.map(toRecord);
}

/** The soonest time a queued job of one of these providers becomes due, for the scheduler's sleep. */
export function nextDueAt(db: Db, providers: readonly string[], pausedShoots: readonly string[]): number | null {
  const row = statement(
    db,
    `SELECT MIN(COALESCE(next_attempt_at, 0)) AS due FROM jobs
       WHERE state = 'queued' AND provider IN (SELECT value FROM json_each(?))
         AND (shoot_id IS NULL OR shoot_id NOT IN (SELECT value FROM json_each(?)))`,
  ).get(JSON.stringify(providers), JSON.stringify(pausedShoots)) as { due: number | null };
  return row.due;
}
