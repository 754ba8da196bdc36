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

/** What the shoot's paid jobs are committed to spend: every job not waiting for approval and not canceled. */
export function committedSpend(db: Db, shootId: string): number {
  const row = statement(
    db,
    `SELECT COALESCE(SUM(COALESCE(cost_charged, cost_estimate, 0)), 0) AS spend FROM jobs
     WHERE shoot_id = ? AND state != 'canceled' AND NOT (state = 'awaiting_input' AND waiting_for = 'approval')`,
  ).get(shootId) as { spend: number };
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
