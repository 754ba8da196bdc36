/**
 * What went wrong in a job's run, sorted into the kinds the queue treats differently. The runner
 * sorts an error into one of these (job-failure.ts); `decideFailure` says what becomes of the job.
 */
export const FAILURE_CLASSIFICATIONS = [
  /** The user canceled the job (already written) or the engine is stopping (recovered at start). */
  'aborted',
  /** A provider request was canceled under us (its own timeout signal, not ours). */
  'request_canceled',
  /** The provider accepted a paid job, its answer could not be read, and the work was not found. */
  'unreadable_paid_answer',
  /** A request of this job may have reached the provider in an earlier attempt. */
  'possibly_sent',
  /** The job cannot be done as asked (a mask too large, a photo that is gone): retrying changes nothing. */
  'refused',
  /** The machine, not the job (a worker that stopped, a render that overran). */
  'machine_unavailable',
  /** Not an error we know (a bug, an answer no reader expected). */
  'unexpected',
  /** The provider could not be reached: the request never left. */
  'unreachable',
  /** The provider answered with a passing trouble (5xx, 429, a reset after sending an unpaid call). */
  'transient',
  /** A paid request left and no answer came back: it may have been taken. */
  'ambiguous',
  /** The provider says the account has no credits left. */
  'credits',
  /** The provider refused the key. */
  'auth',
  /** The provider refused the job itself (a 4xx that is not about the key or credits). */
  'permanent',
] as const;
export type FailureClassification = (typeof FAILURE_CLASSIFICATIONS)[number];

export const RUN_STAGES = ['prepare', 'submit', 'poll', 'fetch'] as const;
/** Where in its run a job was: each stage is one held state of the job (preparing, submitting, remote, fetching). */
export type RunStage = (typeof RUN_STAGES)[number];

/** What the provider can do that changes the answer. */
export interface FailureCapabilities {
  /** Its submit can be sent again without a second charge (idempotent, or it can find the job it made). */
  canResendSafely: boolean;
  /** The operation costs money: a job sent to review may have been charged. */
  paid: boolean;
  /** It is reached over the network (the local provider is not), so "unreachable" means wait for it. */
  remote: boolean;
}

/** Why a job goes to review; the runner says it in words. */
export type ReviewReason = 'unreadable_answer' | 'possibly_sent' | 'unexplained_after_send' | 'ambiguous';

/**
 * What becomes of the job, as a closed set. Each names the job event it applies; the side effects
 * that come with it (pausing the provider, marking it unreachable) are named too, so the whole
 * decision is here and the runner only carries it out.
 */
export type FailureDecision =
  | { action: 'ignore'; event: null }
  | { action: 'review'; event: 'outcome_unknown'; reason: ReviewReason; possibleCharge: boolean }
  | { action: 'fail'; event: 'permanent_error' }
  | { action: 'retry'; event: 'transient_error'; honourRetryAfter: boolean }
  | { action: 'wait_for_provider'; event: 'hold' }
  | { action: 'pause_provider'; event: 'hold'; reason: 'credits' | 'auth' };

const IGNORE: FailureDecision = { action: 'ignore', event: null };
const FAIL: FailureDecision = { action: 'fail', event: 'permanent_error' };
const RETRY: FailureDecision = { action: 'retry', event: 'transient_error', honourRetryAfter: false };

/**
 * The queue's failure rules in one pure table: from the kind of failure, the stage the job was in,
 * what the provider can do and whether a paid step of this job may have left (`sentSteps`, the
 * steps still marked sending), the one thing that happens to the job.
 *
 * Review (a person decides whether to send again) exists only for a job being submitted: once a
 * provider has taken the job (it has a remote id), polling and fetching again are free, so
 * nothing after the submit needs a person.
 */
export function decideFailure(
  classification: FailureClassification,
  stage: RunStage,
  capabilities: FailureCapabilities,
  sentSteps: number,
): FailureDecision {
  const review = (reason: ReviewReason): FailureDecision =>
    stage === 'submit'
      ? { action: 'review', event: 'outcome_unknown', reason, possibleCharge: capabilities.paid }
      : RETRY;
  const mayHaveCreated = sentSteps > 0 && !capabilities.canResendSafely;
  switch (classification) {
    case 'aborted':
    case 'request_canceled':
      return IGNORE;
    case 'unreadable_paid_answer':
      return review('unreadable_answer');
    case 'possibly_sent':
      return review('possibly_sent');
    case 'refused':
      return FAIL;
    case 'permanent':
      // A refusal of something else (the listing a reconcile reads) while a paid request of this job
      // may have been taken: failing would drop a possible charge; a person decides.
      return sentSteps > 0 && stage === 'submit' && capabilities.paid ? review('ambiguous') : FAIL;
    case 'machine_unavailable':
      return RETRY;
    case 'unexpected':
      // After a submit request left, an unexplained failure may hide a job the provider created.
      return mayHaveCreated ? review('unexplained_after_send') : RETRY;
    case 'unreachable':
      // Waiting costs no attempt; the provider's gate probes and wakes the queue when it answers.
      return capabilities.remote ? { action: 'wait_for_provider', event: 'hold' } : RETRY;
    case 'transient':
      // A Retry-After holds the whole provider (provider-calls); the job waits at least as long.
      return { action: 'retry', event: 'transient_error', honourRetryAfter: true };
    case 'ambiguous':
      return mayHaveCreated ? review('ambiguous') : RETRY;
    case 'credits':
    case 'auth':
      // Every job of the provider would fail alike: pause the provider instead of failing them one by one.
      return { action: 'pause_provider', event: 'hold', reason: classification };
    default: {
      const unknown: never = classification;
      throw new Error(`unhandled failure classification ${String(unknown)}`);
    }
  }
}
