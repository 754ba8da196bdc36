import type { JobError, JobState, WaitingFor } from './jobs';

/**
 * The job vocabulary, in one place for the engine and the UI: the state machine (DESIGN.md, "The
 * queue"), the groups of states everything else speaks of, the actions a user may take on a job
 * in each state (derived from the machine, so the UI can never offer what it would refuse), and
 * the budget rule that decides when a paid job waits for approval.
 */

// ---------------------------------------------------------------------------------------------
// Groups of states

/** Held by a worker, in flight: what "running" means. */
export const ACTIVE_STATES = ['preparing', 'submitting', 'remote', 'fetching'] as const satisfies readonly JobState[];
/** Not started yet: waiting for its turn, or for something from the user (a mask, an approval). */
export const WAITING_STATES = ['awaiting_input', 'queued'] as const satisfies readonly JobState[];
/** States a job never leaves by itself (a retry may bring failed and canceled jobs back). */
export const TERMINAL_STATES = ['done', 'failed', 'canceled'] as const satisfies readonly JobState[];
/** Everything a job can still be canceled from. */
export const NON_TERMINAL_STATES = [
  ...WAITING_STATES,
  ...ACTIVE_STATES,
  'needs_review',
] as const satisfies readonly JobState[];
/**
 * States that move on without the user: what "N jobs waiting" counts for an unreachable provider
 * and what an ETA covers (awaiting_input and needs_review wait for the user instead).
 */
export const MOVING_STATES = ['queued', ...ACTIVE_STATES] as const satisfies readonly JobState[];

const has = (list: readonly JobState[], state: JobState): boolean => list.includes(state);
export const isActive = (state: JobState): boolean => has(ACTIVE_STATES, state);
export const isWaiting = (state: JobState): boolean => has(WAITING_STATES, state);
export const isTerminal = (state: JobState): boolean => has(TERMINAL_STATES, state);

// ---------------------------------------------------------------------------------------------
// The state machine

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
      if (!from(ACTIVE_STATES)) return illegal();
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
      if (!from(ACTIVE_STATES)) return illegal();
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
      if (!from(['queued', ...ACTIVE_STATES])) return illegal();
      return ok({ ...job, ...released, state: 'failed', lastError: event.error, nextAttemptAt: null });

    case 'cancel':
      if (!from(NON_TERMINAL_STATES)) return illegal();
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

// ---------------------------------------------------------------------------------------------
// What a user may do with a job

export const USER_ACTIONS = ['approve', 'resend', 'discard', 'retry', 'moveToTop', 'cancel'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** A job as the user's actions see it. */
export type ActionableJob = Pick<JobSnapshot, 'state' | 'waitingFor'> & { shootId: string | null };

const PROBE: Omit<JobSnapshot, 'state' | 'waitingFor'> = {
  attempts: 0,
  maxAttempts: 1,
  nextAttemptAt: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  lastError: null,
};

const allows = (job: ActionableJob, event: JobEvent): boolean =>
  transition({ ...PROBE, state: job.state, waitingFor: job.waitingFor }, event).ok;

const LEASE = { leaseOwner: 'user', leaseExpiresAt: 0 };

/**
 * The actions a job offers, in the order the UI shows them, each one the machine allows. A job in
 * needs_review offers Resend and Discard rather than Cancel (discarding is how it is canceled).
 * Approval is per shoot, so a job without a shoot cannot offer it; moving to the top reorders
 * work that has not started.
 */
export function userActions(job: ActionableJob): UserAction[] {
  const offered: Record<UserAction, boolean> = {
    approve: job.state === 'awaiting_input' && job.waitingFor === 'approval' && job.shootId !== null,
    resend: allows(job, { type: 'resend', ...LEASE }),
    discard: allows(job, { type: 'discard' }),
    retry: allows(job, { type: 'retry' }),
    moveToTop: isWaiting(job.state),
    cancel: job.state !== 'needs_review' && allows(job, { type: 'cancel' }),
  };
  return USER_ACTIONS.filter((action) => offered[action]);
}

/** The event a user action applies to the job itself (approval and reordering act on the queue, not the job). */
export const ACTION_EVENTS: Readonly<Partial<Record<UserAction, JobEvent['type']>>> = {
  resend: 'resend',
  discard: 'discard',
  retry: 'retry',
  cancel: 'cancel',
};

// ---------------------------------------------------------------------------------------------
// The budget rule

export interface BudgetRule {
  /** The shoot's spending cap, or null for none. */
  cap: number | null;
  /** What the user approved so far. */
  approved: number;
  /** Spend up to the cap without asking. */
  autoApprove: boolean;
}

/**
 * Where a paid job not charged yet still counts against its shoot's budget (as does one awaiting
 * an input other than the approval itself): it will be charged unless the user stops it.
 */
export const COMMITTED_STATES = [
  'queued',
  'preparing',
  'submitting',
  'needs_review',
] as const satisfies readonly JobState[];

/** How much a shoot may have committed: the cap when it auto-approves, else what the user approved. */
export function spendLimit(budget: BudgetRule): number {
  return budget.autoApprove ? (budget.cap ?? Number.POSITIVE_INFINITY) : budget.approved;
}

/**
 * Does a paid job of `estimate` fit, on top of what the shoot has `committed`? (A hair of float
 * tolerance, so 0.1 + 0.2 credits fit in 0.3.)
 */
export function fitsBudget(budget: BudgetRule, committed: number, estimate: number): boolean {
  return committed + estimate <= spendLimit(budget) + 1e-9;
}
