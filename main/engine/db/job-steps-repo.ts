import { statement, type Db } from './connection';

export type StepState = 'pending' | 'sending' | 'done';

export interface JobStep {
  jobId: string;
  step: string;
  idempotencyKey: string;
  state: StepState;
  remoteId: string | null;
  result: unknown;
  updatedAt: number;
}

interface StepRow {
  job_id: string;
  step: string;
  idempotency_key: string;
  state: StepState;
  remote_id: string | null;
  result_json: string | null;
  updated_at: number;
}

const toStep = (row: StepRow): JobStep => ({
  jobId: row.job_id,
  step: row.step,
  idempotencyKey: row.idempotency_key,
  state: row.state,
  remoteId: row.remote_id,
  result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
  updatedAt: row.updated_at,
});

export function listSteps(db: Db, jobId: string): JobStep[] {
  return (statement(db, 'SELECT * FROM job_steps WHERE job_id = ? ORDER BY rowid').all(jobId) as StepRow[]).map(toStep);
}

export function getStep(db: Db, jobId: string, step: string): JobStep | null {
  const row = statement(db, 'SELECT * FROM job_steps WHERE job_id = ? AND step = ?').get(jobId, step) as
    StepRow | undefined;
  return row ? toStep(row) : null;
}

/** Records that a step has begun (nothing sent yet), so its outcome is kept even if it sends nothing. */
export function openStep(db: Db, jobId: string, step: string, idempotencyKey: string, now: number): void {
  statement(
    db,
    `INSERT INTO job_steps (job_id, step, idempotency_key, state, updated_at) VALUES (?, ?, ?, 'pending', ?)
     ON CONFLICT (job_id, step) DO NOTHING`,
  ).run(jobId, step, idempotencyKey, now);
}

/**
 * Written (and made durable: the connection runs synchronous=FULL) before a paid request leaves
 * the machine. If we crash after this, recovery knows the request may have been received.
 */
export function markStepSending(db: Db, jobId: string, step: string, idempotencyKey: string, now: number): void {
  statement(
    db,
    `INSERT INTO job_steps (job_id, step, idempotency_key, state, updated_at) VALUES (?, ?, ?, 'sending', ?)
     ON CONFLICT (job_id, step) DO UPDATE SET state = 'sending', updated_at = excluded.updated_at`,
  ).run(jobId, step, idempotencyKey, now);
}

export function markStepDone(
  db: Db,
  jobId: string,
  step: string,
  remoteId: string | null,
  result: unknown,
  now: number,
): void {
  statement(
    db,
    `UPDATE job_steps SET state = 'done', remote_id = ?, result_json = ?, updated_at = ? WHERE job_id = ? AND step = ?`,
  ).run(remoteId, result === undefined ? null : JSON.stringify(result), now, jobId, step);
}

/** The request certainly did not leave (refused before sending), or the editor chose to resend. */
export function markStepPending(db: Db, jobId: string, step: string, now: number): void {
  statement(
    db,
    `UPDATE job_steps SET state = 'pending', updated_at = ? WHERE job_id = ? AND step = ? AND state = 'sending'`,
  ).run(now, jobId, step);
}

/** The steps whose request may have reached the provider without us recording the answer. */
export function sendingSteps(db: Db, jobId: string): JobStep[] {
  return listSteps(db, jobId).filter((step) => step.state === 'sending');
}

/** Of these remote ids at a provider, the ones a job (or one of its steps) already holds. */
export function claimedRemoteIds(db: Db, provider: string, remoteIds: readonly string[]): Set<string> {
  const claimed = new Set<string>();
  // One lookup per id on the indexed columns; a listing page holds at most a hundred.
  const byJob = statement(db, 'SELECT 1 FROM jobs WHERE provider = ? AND remote_id = ? LIMIT 1');
  const byStep = statement(
    db,
    `SELECT 1 FROM job_steps s JOIN jobs j ON j.id = s.job_id WHERE j.provider = ? AND s.remote_id = ? LIMIT 1`,
  );
  for (const id of new Set(remoteIds)) {
    if (byJob.get(provider, id) !== undefined || byStep.get(provider, id) !== undefined) claimed.add(id);
  }
  return claimed;
}

/**
 * Other jobs of the provider, not ended, with a request possibly sent and unanswered: each could
 * own what a lost submit finds. The provider's module judges which of them sent the same request.
 */
export function rivalSends(
  db: Db,
  provider: string,
  jobId: string,
): { operation: string; params: Record<string, unknown> }[] {
  const rows = statement(
    db,
    `SELECT DISTINCT j.id, j.operation, j.params_json FROM jobs j JOIN job_steps s ON s.job_id = j.id
     WHERE j.provider = ? AND j.id <> ? AND s.state = 'sending' AND j.state NOT IN ('done', 'failed', 'canceled')`,
  ).all(provider, jobId) as { operation: string; params_json: string }[];
  return rows.map((row) => ({
    operation: row.operation,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
  }));
}
