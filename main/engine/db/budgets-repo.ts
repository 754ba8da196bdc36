import { COMMITTED_STATES } from '../../../shared/job-model';
import { sqlList } from './sql-list';
import { statement, type Db } from './connection';

export interface Budget {
  shootId: string;
  cap: number | null;
  approved: number;
  autoApprove: boolean;
}

export function getBudget(db: Db, shootId: string): Budget {
  const row = statement(db, 'SELECT cap, approved, auto_approve FROM budgets WHERE shoot_id = ?').get(shootId) as
    { cap: number | null; approved: number; auto_approve: number } | undefined;
  return { shootId, cap: row?.cap ?? null, approved: row?.approved ?? 0, autoApprove: row?.auto_approve === 1 };
}

export function saveBudget(db: Db, budget: Budget, now: number): void {
  statement(
    db,
    `INSERT INTO budgets (shoot_id, cap, approved, auto_approve, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (shoot_id) DO UPDATE SET cap = excluded.cap, approved = excluded.approved,
       auto_approve = excluded.auto_approve, updated_at = excluded.updated_at`,
  ).run(budget.shootId, budget.cap, budget.approved, budget.autoApprove ? 1 : 0, now);
}

/**
 * What the shoot is committed to spend: every charge recorded for its jobs, plus the estimates of
 * its jobs that may still be charged (waiting for an input other than approval, queued, being sent
 * or in review). Jobs awaiting approval, canceled, failed before a charge, or done are not counted twice.
 */
export function committedSpend(db: Db, shootId: string): number {
  const row = statement(
    db,
    `SELECT
       (SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l JOIN jobs j ON j.id = l.job_id
          WHERE j.shoot_id = @shootId AND l.kind = 'charge')
     + (SELECT COALESCE(SUM(COALESCE(cost_estimate, 0)), 0) FROM jobs
          WHERE shoot_id = @shootId AND cost_charged IS NULL
            AND (state IN (${sqlList(COMMITTED_STATES)})
                 OR (state = 'awaiting_input' AND waiting_for != 'approval'))) AS spend`,
  ).get({ shootId }) as { spend: number };
  return row.spend;
}

/** Jobs of the shoot waiting for a spend approval, oldest first, with their estimates. */
export function jobsAwaitingApproval(db: Db, shootId: string): { id: string; estimate: number }[] {
  return statement(
    db,
    `SELECT id, COALESCE(cost_estimate, 0) AS estimate FROM jobs
       WHERE shoot_id = ? AND state = 'awaiting_input' AND waiting_for = 'approval' ORDER BY created_at, rowid`,
  ).all(shootId) as { id: string; estimate: number }[];
}
