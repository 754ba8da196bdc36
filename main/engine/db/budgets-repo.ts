import { COMMITTED_STATES } from '../../../shared/job-model';
import { sqlList } from './sql-list';
import { statement, type Db } from './connection';

/** What a shoot may spend at one provider, in that provider's unit. */
export interface Budget {
  shootId: string;
  provider: string;
  cap: number | null;
  approved: number;
  autoApprove: boolean;
}

/**
 * The shoot's budget at a provider. Until one is set there, a shoot from a hot folder follows the
 * folder's spending rule (its cap read in that provider's unit); any other shoot asks before any spend.
 */
export function getBudget(db: Db, shootId: string, provider: string): Budget {
  const row = statement(
    db,
    `SELECT cap, approved, auto_approve FROM (
       SELECT 0 AS rank, b.cap, b.approved, b.auto_approve FROM provider_budgets b
         WHERE b.shoot_id = @shootId AND b.provider = @provider
       UNION ALL
       SELECT 1, h.spending_cap, 0, h.auto_approve FROM shoots s JOIN hot_folders h ON h.id = s.hot_folder_id
         WHERE s.id = @shootId
     ) ORDER BY rank LIMIT 1`,
  ).get({ shootId, provider }) as { cap: number | null; approved: number; auto_approve: number } | undefined;
  return {
    shootId,
    provider,
    cap: row?.cap ?? null,
    approved: row?.approved ?? 0,
    autoApprove: row?.auto_approve === 1,
  };
}

export function saveBudget(db: Db, budget: Budget, now: number): void {
  statement(
    db,
    `INSERT INTO provider_budgets (shoot_id, provider, cap, approved, auto_approve, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (shoot_id, provider) DO UPDATE SET cap = excluded.cap, approved = excluded.approved,
       auto_approve = excluded.auto_approve, updated_at = excluded.updated_at`,
  ).run(budget.shootId, budget.provider, budget.cap, budget.approved, budget.autoApprove ? 1 : 0, now);
}

/** The providers a shoot has a budget for or work at, in name order. */
export function shootProviders(db: Db, shootId: string): string[] {
  return (
    statement(
      db,
      `SELECT provider FROM provider_budgets WHERE shoot_id = ?
       UNION SELECT provider FROM jobs WHERE shoot_id = ? ORDER BY provider`,
    ).all(shootId, shootId) as { provider: string }[]
  ).map((row) => row.provider);
}

/**
 * What the shoot is committed to spend at a provider: every charge recorded for its jobs there (and
 * the possible charge of work a provider took without saying what it cost), less what the provider
 * refunded, plus the estimates of its jobs there that may still be charged (waiting for an input other than
 * approval, queued, being sent or in review). Jobs awaiting approval, canceled, failed before a
 * charge, or done are not counted twice.
 */
export function committedSpend(db: Db, shootId: string, provider: string): number {
  const row = statement(
    db,
    `SELECT
       (SELECT COALESCE(SUM(CASE l.kind WHEN 'refund' THEN -l.amount ELSE l.amount END), 0)
          FROM credit_ledger l JOIN jobs j ON j.id = l.job_id
          WHERE j.shoot_id = @shootId AND j.provider = @provider
            AND (l.kind IN ('charge', 'refund')
                 -- Work the provider took whose price nobody can tell (an iacrea variation) counts in full.
                 OR (l.kind = 'possible_charge' AND j.state IN ('remote', 'fetching', 'done', 'failed'))))
     + (SELECT COALESCE(SUM(COALESCE(cost_estimate, 0)), 0) FROM jobs
          WHERE shoot_id = @shootId AND provider = @provider AND cost_charged IS NULL
            AND (state IN (${sqlList(COMMITTED_STATES)})
                 OR (state = 'awaiting_input' AND waiting_for != 'approval'))) AS spend`,
  ).get({ shootId, provider }) as { spend: number };
  return row.spend;
}

/** Jobs of the shoot at a provider waiting for a spend approval, oldest first, with their estimates. */
export function jobsAwaitingApproval(db: Db, shootId: string, provider: string): { id: string; estimate: number }[] {
  return statement(
    db,
    `SELECT id, COALESCE(cost_estimate, 0) AS estimate FROM jobs
       WHERE shoot_id = ? AND provider = ? AND state = 'awaiting_input' AND waiting_for = 'approval'
       ORDER BY created_at, rowid`,
  ).all(shootId, provider) as { id: string; estimate: number }[];
}
