import type { JobError, JobState, WaitingFor } from '../../../shared/jobs';

/** The part of a job the state machine reads and writes. */
export interface JobSnapshot {
  state: JobState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: JobError | null;
  waitingFor: WaitingFor | null;
}

interface Lease {
  leaseOwner: string;
  leaseExpiresAt: number;
}

/** Everything that can happen to a job. A closed union: each case is handled below, or the build fails. */
export type JobEvent =
  | { type: 'input_given' }
  | { type: 'await_input'; waitingFor: WaitingFor }
  | ({ type: 'dispatch' } & Lease)
  | { type: 'prepared' }
  | { type: 'accepted' }
  | { type: 'remote_done' }
  | { type: 'fetched' }
  | { type: 'transient_error'; error: JobError; nextAttemptAt: number }
  | { type: 'hold'; reason: string; nextAttemptAt: number | null }
  | { type: 'outcome_unknown'; error: JobError }
  | ({ type: 'resend' } & Lease)
  | { type: 'discard' }
  | { type: 'permanent_error'; error: JobError }
  | { type: 'cancel' }
  | { type: 'retry' };

export type JobEventType = JobEvent['type'];

export type TransitionResult = { ok: true; job: JobSnapshot } | { ok: false; reason: string };

const ACTIVE: readonly JobState[] = ['preparing', 'submitting', 'remote', 'fetching'];
const NON_TERMINAL: readonly JobState[] = ['awaiting_input', 'queued', ...ACTIVE, 'needs_review'];

/**
 * The queue's one state machine: `(job, event) → job | illegal`. Pure: no clock, no I/O; the
 * caller writes the result and its job_event in one transaction. Every edge out of a worker-held
 * state drops the lease.
 */
export function transition(job: JobSnapshot, event: JobEvent): TransitionResult {
  const illegal = (): TransitionResult => ({ ok: false, reason: `${event.type} is not allowed from ${job.state}` });
  const from = (allowed: readonly JobState[]): boolean => allowed.includes(job.state);
  const released = { leaseOwner: null, leaseExpiresAt: null };

  switch (event.type) {
    case 'input_given':
      if (!from(['awaiting_input'])) return illegal();
      return ok({ ...job, state: 'queued', waitingFor: null, nextAttemptAt: null });

    case 'await_input':
      // A queued job finds at dispatch that its input is missing (mask deleted, budget spent).
      if (!from(['queued'])) return illegal();
      return ok({ ...job, state: 'awaiting_input', waitingFor: event.waitingFor });

    case 'dispatch':
      if (!from(['queued'])) return illegal();
      return ok({ ...job, state: 'preparing', leaseOwner: event.leaseOwner, leaseExpiresAt: event.leaseExpiresAt });

    case 'prepared':
      if (!from(['preparing'])) return illegal();
      return ok({ ...job, state: 'submitting' });

    case 'accepted':
      if (!from(['submitting'])) return illegal();
      return ok({ ...job, state: 'remote', lastError: null });

    case 'remote_done':
      if (!from(['remote'])) return illegal();
      return ok({ ...job, state: 'fetching' });

    case 'fetched':
      if (!from(['fetching'])) return illegal();
      return ok({ ...job, ...released, state: 'done', nextAttemptAt: null, lastError: null });

    case 'transient_error': {
      if (!from(ACTIVE)) return illegal();
      const attempts = job.attempts + 1;
      if (attempts >= job.maxAttempts) {
        return ok({ ...job, ...released, state: 'failed', attempts, lastError: event.error, nextAttemptAt: null });
      }
      return ok({
        ...job,
        ...released,
        state: 'queued',
        attempts,
        lastError: event.error,
        nextAttemptAt: event.nextAttemptAt,
      });
    }

    case 'hold':
      // Offline, out of credits, waiting for the rate limit, or recovered after a crash: back to the
      // queue without spending an attempt.
      if (!from(ACTIVE)) return illegal();
      return ok({ ...job, ...released, state: 'queued', nextAttemptAt: event.nextAttemptAt });

    case 'outcome_unknown':
      if (!from(['submitting'])) return illegal();
      return ok({ ...job, ...released, state: 'needs_review', lastError: event.error, nextAttemptAt: null });

    case 'resend':
      // The editor chose to send again, knowing it may be charged twice.
      if (!from(['needs_review'])) return illegal();
      return ok({ ...job, state: 'submitting', leaseOwner: event.leaseOwner, leaseExpiresAt: event.leaseExpiresAt });

    case 'discard':
      if (!from(['needs_review'])) return illegal();
      return ok({ ...job, ...released, state: 'canceled', nextAttemptAt: null });

    case 'permanent_error':
      if (!from(['queued', ...ACTIVE])) return illegal();
      return ok({ ...job, ...released, state: 'failed', lastError: event.error, nextAttemptAt: null });

    case 'cancel':
      if (!from(NON_TERMINAL)) return illegal();
      return ok({ ...job, ...released, state: 'canceled', nextAttemptAt: null, waitingFor: null });

    case 'retry':
      if (!from(['failed', 'canceled'])) return illegal();
      return ok({ ...job, ...released, state: 'queued', attempts: 0, nextAttemptAt: null, lastError: null });

    default:
      return assertNever(event);
  }
}

function ok(job: JobSnapshot): TransitionResult {
  return { ok: true, job };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled job event: ${JSON.stringify(value)}`);
}
