import { sqlList } from './sql-list';
import { JOB_STATES, type JobError, type JobState, type WaitingFor } from '../../../shared/jobs';
import { isTerminal, transition, WAITING_STATES, type JobEvent, type JobSnapshot } from '../../../shared/job-model';
import { recordJobMoney, type JobMoney } from './credit-ledger-repo';
import { statement, writeTransaction, type Db } from './connection';
import type { JobInputs } from '../../../shared/job-inputs';
import { remoteJobOf, type RemoteJob } from '../remote-job';

export type { JobInputs } from '../../../shared/job-inputs';

export interface JobRecord extends JobSnapshot {
  id: string;
  shootId: string | null;
  recipeId: string | null;
  provider: string;
  operation: string;
  inputs: JobInputs;
  params: Record<string, unknown>;
  idempotencyKey: string;
  /** The work the provider accepted (its id and what its module keeps to find it), once it has. */
  remote: RemoteJob | null;
  costEstimate: number | null;
  costCharged: number | null;
  priority: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** What a new job is made with; the rest of its record starts empty and is the queue's to fill. */
export type NewJob = Pick<
  JobRecord,
  | 'id'
  | 'shootId'
  | 'recipeId'
  | 'provider'
  | 'operation'
  | 'inputs'
  | 'params'
  | 'idempotencyKey'
  | 'maxAttempts'
  | 'costEstimate'
  | 'priority'
  | 'waitingFor'
>;

/** A jobs row as SQLite returns it (for the repositories that read jobs). */
export interface JobRow {
  id: string;
  shoot_id: string | null;
  recipe_id: string | null;
  provider: string;
  operation: string;
  inputs_json: string;
  params_json: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  idempotency_key: string;
  remote_id: string | null;
  remote_data_json: string | null;
  cost_estimate: number | null;
  cost_charged: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  priority: number;
  waiting_for: WaitingFor | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    shootId: row.shoot_id,
    recipeId: row.recipe_id,
    provider: row.provider,
    operation: row.operation,
    inputs: JSON.parse(row.inputs_json) as JobInputs,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    idempotencyKey: row.idempotency_key,
    remote: remoteJobOf(row.remote_id, row.remote_data_json),
    costEstimate: row.cost_estimate,
    costCharged: row.cost_charged,
    lastError:
      row.last_error_code === null
        ? null
        : ({ code: row.last_error_code, message: row.last_error_message ?? '' } as JobError),
    priority: row.priority,
    waitingFor: row.waiting_for,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function insertJobs(db: Db, jobs: readonly NewJob[], now: number): void {
  const insert = statement(
    db,
    `INSERT INTO jobs (id, shoot_id, recipe_id, provider, operation, inputs_json, params_json, state, attempts,
       max_attempts, idempotency_key, cost_estimate, priority, waiting_for, created_at, updated_at)
     VALUES (@id, @shootId, @recipeId, @provider, @operation, @inputs, @params, @state, 0,
       @maxAttempts, @idempotencyKey, @costEstimate, @priority, @waitingFor, @now, @now)`,
  );
  const event = statement(
    db,
    `INSERT INTO job_events (job_id, at, event, from_state, to_state, attempt) VALUES (?, ?, 'created', NULL, ?, 0)`,
  );
  writeTransaction(db, () => {
    for (const job of jobs) {
      const state: JobState = job.waitingFor ? 'awaiting_input' : 'queued';
      insert.run({
        ...job,
        inputs: JSON.stringify(job.inputs),
        params: JSON.stringify(job.params),
        state,
        now,
      });
      event.run(job.id, now, state);
    }
  });
}

export function getJob(db: Db, id: string): JobRecord | null {
  const row = statement(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row ? toRecord(row) : null;
}

export type ApplyResult = { ok: true; job: JobRecord } | { ok: false; reason: 'not_found' | 'lease_lost' };

/** What else changes with a transition, decided by the caller (e.g. the remote job on `accepted`). */
export interface TransitionExtras {
  remote?: RemoteJob;
  /** Money the transition records in the credit ledger (see credit-ledger-repo.ts). */
  charge?: JobMoney['charge'];
  possibleCharge?: JobMoney['possibleCharge'];
  refund?: JobMoney['refund'];
  detail?: string;
  /** Only apply if this worker still holds the job: a worker whose lease ran out must not write. */
  leaseOwner?: string;
}

/**
 * Applies one event to one job: the pure transition, the row update and the job_event, in one
 * BEGIN IMMEDIATE transaction. An illegal edge is a bug in the caller and throws.
 */
export function applyJobEvent(
  db: Db,
  id: string,
  event: JobEvent,
  now: number,
  extras: TransitionExtras = {},
): ApplyResult {
  return writeTransaction(db, () => applyInTransaction(db, id, event, now, extras));
}

/** The same, for callers already inside a write transaction (e.g. claiming many jobs at once). */
export function applyInTransaction(
  db: Db,
  id: string,
  event: JobEvent,
  now: number,
  extras: TransitionExtras = {},
): ApplyResult {
  const before = getJob(db, id);
  if (!before) return { ok: false, reason: 'not_found' };
  if (extras.leaseOwner !== undefined && before.leaseOwner !== extras.leaseOwner)
    return { ok: false, reason: 'lease_lost' };
  const result = transition(before, event);
  if (!result.ok) throw new Error(`Illegal job transition for ${id}: ${result.reason}`);
  const after = result.job;
  const finished = isTerminal(after.state);
  statement(
    db,
    `UPDATE jobs SET state = @state, attempts = @attempts, next_attempt_at = @nextAttemptAt, lease_owner = @leaseOwner,
       lease_expires_at = @leaseExpiresAt, last_error_code = @errorCode, last_error_message = @errorMessage,
       waiting_for = @waitingFor, remote_id = COALESCE(@remoteId, remote_id),
       remote_data_json = CASE WHEN @remoteId IS NULL THEN remote_data_json ELSE @remoteData END,
       cost_charged = COALESCE(cost_charged, @costCharged), updated_at = @now,
       finished_at = CASE WHEN @finished THEN @now ELSE NULL END
     WHERE id = @id`,
  ).run({
    id,
    state: after.state,
    attempts: after.attempts,
    nextAttemptAt: after.nextAttemptAt,
    leaseOwner: after.leaseOwner,
    leaseExpiresAt: after.leaseExpiresAt,
    errorCode: after.lastError?.code ?? null,
    errorMessage: after.lastError?.message ?? null,
    waitingFor: after.waitingFor,
    remoteId: extras.remote?.id ?? null,
    remoteData: extras.remote?.data ? JSON.stringify(extras.remote.data) : null,
    costCharged: extras.charge?.amount ?? null,
    now,
    finished: finished ? 1 : 0,
  });
  const error = 'error' in event ? event.error : null;
  statement(
    db,
    `INSERT INTO job_events (job_id, at, event, from_state, to_state, attempt, error_code, error_message, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    now,
    event.type,
    before.state,
    after.state,
    after.attempts,
    error?.code ?? null,
    error?.message ?? null,
    extras.detail ?? ('reason' in event ? event.reason : null),
  );
  recordJobMoney(db, id, before.idempotencyKey, extras, now);
  const job = getJob(db, id);
  return job ? { ok: true, job } : { ok: false, reason: 'not_found' };
}

export function setJobPriority(db: Db, id: string, priority: number, now: number): void {
  statement(db, 'UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?').run(priority, now, id);
}

export function maxQueuedPriority(db: Db): number {
  const row = statement(
    db,
    `SELECT MAX(priority) AS top FROM jobs WHERE state IN (${sqlList(WAITING_STATES)})`,
  ).get() as {
    top: number | null;
  };
  return row.top ?? 0;
}

export interface JobEventRecord {
  id: number;
  at: number;
  event: string;
  fromState: JobState | null;
  toState: JobState;
  attempt: number;
  error: JobError | null;
  detail: string | null;
}

export function listJobEvents(db: Db, jobId: string): JobEventRecord[] {
  const rows = statement(db, 'SELECT * FROM job_events WHERE job_id = ? ORDER BY id').all(jobId) as {
    id: number;
    at: number;
    event: string;
    from_state: JobState | null;
    to_state: JobState;
    attempt: number;
    error_code: string | null;
    error_message: string | null;
    detail: string | null;
  }[];
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    event: row.event,
    fromState: row.from_state,
    toState: row.to_state,
    attempt: row.attempt,
    error: row.error_code === null ? null : ({ code: row.error_code, message: row.error_message ?? '' } as JobError),
    detail: row.detail,
  }));
}

export interface JobFilter {
  shootId?: string;
  states?: readonly JobState[];
  provider?: string;
  limit: number;
  /** Where the previous page ended (keyset pagination: stable while jobs are added). */
  after?: { createdAt: number; seq: number };
}

/**
 * A page of jobs, oldest first. Each state asked for (every state when none is) reads its own
 * ordered slice of an index that starts with the state (by shoot or provider when asked), and
 * SQLite merges the slices in order, reading no more than the page: a library of half a million
 * jobs is never read whole or sorted for a page of a hundred.
 */
export function listJobs(db: Db, filter: JobFilter): (JobRecord & { seq: number })[] {
  const where = ['state = ?'];
  const values: (string | number)[] = [];
  if (filter.shootId !== undefined) {
    where.push('shoot_id = ?');
    values.push(filter.shootId);
  }
  if (filter.provider !== undefined) {
    where.push('provider = ?');
    values.push(filter.provider);
  }
  if (filter.after) {
    where.push('(created_at, rowid) > (?, ?)');
    values.push(filter.after.createdAt, filter.after.seq);
  }
  const states = [...new Set(filter.states ?? JOB_STATES)];
  if (states.length === 0) return [];
  const slice = `SELECT *, rowid AS seq FROM jobs WHERE ${where.join(' AND ')}`;
  const rows = statement(db, `${states.map(() => slice).join(' UNION ALL ')} ORDER BY created_at, seq LIMIT ?`).all(
    ...states.flatMap((state) => [state, ...values]),
    filter.limit,
  ) as (JobRow & { seq: number })[];
  return rows.map((row) => ({ ...toRecord(row), seq: row.seq }));
}

export function countJobsByState(db: Db): { provider: string; state: JobState; count: number }[] {
  return statement(db, 'SELECT provider, state, n AS count FROM job_counts WHERE n > 0').all() as {
    provider: string;
    state: JobState;
    count: number;
  }[];
}

export function setJobInputs(db: Db, id: string, inputs: JobInputs): void {
  statement(db, 'UPDATE jobs SET inputs_json = ? WHERE id = ?').run(JSON.stringify(inputs), id);
}

/** Mean time from (last) dispatch to done over the most recent finished jobs; null with no history. */
export function averageRecentRunMs(db: Db, recent: number): number | null {
  const row = statement(
    db,
    // The newest finished jobs through the jobs_finished index (state, finished_at), then each one's
    // last dispatch: never every finished job of the library sorted for the fifty newest.
    `SELECT AVG(duration) AS avg FROM (
       SELECT j.finished_at - (SELECT MAX(e.at) FROM job_events e WHERE e.job_id = j.id AND e.event = 'dispatch')
         AS duration
       FROM jobs j WHERE j.state = 'done' AND j.finished_at IS NOT NULL ORDER BY j.finished_at DESC LIMIT ?)`,
  ).get(recent) as { avg: number | null };
  return row.avg;
}

/**
 * Before retrying a job the provider already accepted (and then failed), its submit starts over:
 * a new idempotency key (the old one would return the failed remote job), no recorded steps, no
 * remote id, no charge yet. The user chose this retry, and with it a new charge.
 */
export function resetSubmit(db: Db, id: string, idempotencyKey: string, now: number): void {
  statement(db, 'DELETE FROM job_steps WHERE job_id = ?').run(id);
  statement(
    db,
    'UPDATE jobs SET idempotency_key = ?, remote_id = NULL, remote_data_json = NULL, cost_charged = NULL, updated_at = ? WHERE id = ?',
  ).run(idempotencyKey, now, id);
}

/** Jobs on this asset waiting for a mask (the asset is the job's first input). */
export function jobsWaitingForMask(db: Db, assetId: string): JobRecord[] {
  const rows = statement(
    db,
    `SELECT * FROM jobs WHERE state = 'awaiting_input' AND waiting_for = 'mask'
       AND json_extract(inputs_json, '$.source.assetId') = ? ORDER BY created_at, rowid`,
  ).all(assetId) as JobRow[];
  return rows.map(toRecord);
}

/** The job a provider knows by this remote id, while it is still waiting on the provider. */
export function findRemoteJob(db: Db, provider: string, remoteId: string): JobRecord | null {
  const row = statement(
    db,
    `SELECT * FROM jobs WHERE provider = ? AND remote_id = ? AND state IN ('remote', 'submitting')
     ORDER BY created_at DESC LIMIT 1`,
  ).get(provider, remoteId) as JobRow | undefined;
  return row ? toRecord(row) : null;
}

/**
 * Of these just-planned jobs, the ones an earlier job already did exactly (same provider, operation,
 * settings and pinned inputs) and finished with results: on a deterministic provider running them
 * again makes the same bytes. Answers the photo (or result) each one works on.
 */
export function repeatedJobTargets(db: Db, jobIds: readonly string[]): string[] {
  if (jobIds.length === 0) return [];
  const rows = statement(
    db,
    `SELECT COALESCE(json_extract(n.inputs_json, '$.source.variantId'), json_extract(n.inputs_json, '$.source.assetId'))
         AS target
       FROM jobs n
       WHERE n.id IN (SELECT value FROM json_each(?))
         AND EXISTS (SELECT 1 FROM jobs o
           WHERE o.id <> n.id AND o.state = 'done' AND o.provider = n.provider AND o.operation = n.operation
             AND o.params_json = n.params_json AND o.inputs_json = n.inputs_json
             AND EXISTS (SELECT 1 FROM variants v WHERE v.job_id = o.id))`,
  ).all(JSON.stringify(jobIds)) as { target: string | null }[];
  return rows.flatMap((row) => (row.target ? [row.target] : []));
}
