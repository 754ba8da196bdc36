import { AppError } from '../../../shared/errors';
import { NEEDS_REVIEW_MESSAGE, type JobError } from '../../../shared/jobs';
import { getJob, type JobRecord, type TransitionExtras } from '../db/jobs-repo';
import { sendingSteps } from '../db/job-steps-repo';
import { refuseOperation, setProviderPausedReason } from '../db/provider-accounts-repo';
import { ProviderRequestError } from '../net/http';
import { operationOf, UnreadablePaidAnswer, type ProviderModule } from '../providers/contract';
import type { JobRunDeps } from './job-run';
import type { ProviderGate } from './provider-gate';
import { canResendSafely, isBeforeSend, LookupFailed, PossiblySent } from './provider-calls';
import { classifyFailure, errorCodeForClass, nextAttemptDelayMs, parseRetryAfter } from './retry-policy';
import { decideFailure, type FailureClassification, type FailureDecision, type RunStage } from './decide-failure';

/** Why a job's run stopped early without an error of its own: the user canceled it, or the engine is stopping. */
export class RunAborted extends Error {}

/** Errors a provider raises about the job itself, never worth a retry. */
const REFUSALS = new Set<string>(['invalid_input', 'not_found', 'conflict']);

/** What the queue was doing, in words for a message. */
const STAGE_WORDS: Record<RunStage, string> = {
  prepare: 'preparing the job',
  submit: 'sending it',
  poll: 'checking on it',
  fetch: 'fetching its results',
};

/** Sorts an error thrown in a job's run into the kinds `decideFailure` knows. */
export function classifyError(error: unknown, stage: RunStage, signal: AbortSignal): FailureClassification {
  if (error instanceof RunAborted || signal.aborted) return 'aborted';
  if (error instanceof UnreadablePaidAnswer) return 'unreadable_paid_answer';
  if (error instanceof PossiblySent) return 'possibly_sent';
  if (error instanceof AppError && REFUSALS.has(error.code)) return 'refused';
  if (error instanceof AppError && error.code === 'unavailable') return 'machine_unavailable';
  if (!(error instanceof ProviderRequestError)) return 'unexpected';
  const kind = classifyFailure(error.failure, { paid: stage === 'submit' && !(error instanceof LookupFailed) });
  if (kind === 'canceled') return 'request_canceled';
  if (kind === 'transient' && isBeforeSend(error)) return 'unreachable';
  return kind;
}

export interface FailedRun {
  job: JobRecord;
  provider: ProviderModule;
  gate: ProviderGate;
  stage: RunStage;
  error: unknown;
  signal: AbortSignal;
  owner: string;
}

/** Carries out what `decideFailure` decides for a failed run, with the words the user will read. */
export function handleFailure(deps: JobRunDeps, run: FailedRun): void {
  const { job, provider, stage, error, signal, owner } = run;
  const classification = classifyError(error, stage, signal);
  if (classification === 'aborted') return; // canceled (already written) or stopping (recovered at start)
  const current = getJob(deps.db, job.id);
  if (!current || current.leaseOwner !== owner) return;
  const paid = operationOf(provider, job.operation)?.paid ?? false;
  const decision = decideFailure(
    classification,
    stage,
    { canResendSafely: canResendSafely(provider), paid, remote: Boolean(provider.baseUrl) },
    sendingSteps(deps.db, job.id).length,
  );
  logFailure(deps, classification, job, stage, error);
  rememberRefusedOperation(deps, provider, job, error);
  carryOut(deps, run, decision, describe(classification, provider, stage, error));
}

/** A paid request of this job may have been taken and was never answered. */
function mayHaveBeenCharged(deps: JobRunDeps, run: FailedRun): boolean {
  const paid = operationOf(run.provider, run.job.operation)?.paid ?? false;
  return paid && sendingSteps(deps.db, run.job.id).length > 0;
}

/** A submit refused for the key's rights (a missing scope): the operation is shown unavailable with the provider's words. */
function rememberRefusedOperation(deps: JobRunDeps, provider: ProviderModule, job: JobRecord, error: unknown): void {
  if (!(error instanceof ProviderRequestError) || error.failure.kind !== 'http') return;
  if (error.failure.providerCode !== 'insufficient_scope') return;
  refuseOperation(deps.db, provider.id, job.operation, error.message, deps.clock.now());
}

function logFailure(
  deps: JobRunDeps,
  classification: FailureClassification,
  job: JobRecord,
  stage: RunStage,
  error: unknown,
): void {
  if (classification === 'unexpected') deps.log.error('queue.job_error', { jobId: job.id, stage, error });
  if (classification === 'machine_unavailable') deps.log.warn('queue.job_unavailable', { jobId: job.id, stage, error });
}

/** The error the job will show, and the detail its event keeps. */
function describe(
  classification: FailureClassification,
  provider: ProviderModule,
  stage: RunStage,
  error: unknown,
): { error: JobError; detail: string; reviewMessage: string } {
  const message = error instanceof Error ? error.message : String(error);
  switch (classification) {
    case 'unreadable_paid_answer': {
      const words = error instanceof UnreadablePaidAnswer ? error.providerWords : message;
      return {
        error: { code: 'unavailable', message },
        detail: message,
        reviewMessage: `${provider.name} accepted this job but its answer could not be read, and the work was not found: ${words}. Resend (may be charged again) or discard.`,
      };
    }
    case 'possibly_sent':
      return {
        error: { code: 'unavailable', message },
        detail: 'a request of this job may have reached the provider before',
        reviewMessage: NEEDS_REVIEW_MESSAGE,
      };
    case 'refused':
      return {
        error: { code: (error as AppError).code, message },
        detail: message,
        reviewMessage: NEEDS_REVIEW_MESSAGE,
      };
    case 'machine_unavailable':
      return { error: { code: 'unavailable', message }, detail: message, reviewMessage: NEEDS_REVIEW_MESSAGE };
    case 'unexpected': {
      const words = `Unexpected error while ${STAGE_WORDS[stage]}. The details are in the log.`;
      return { error: { code: 'internal', message: words }, detail: words, reviewMessage: NEEDS_REVIEW_MESSAGE };
    }
    case 'aborted':
      return { error: { code: 'canceled', message }, detail: message, reviewMessage: NEEDS_REVIEW_MESSAGE };
    case 'request_canceled':
    case 'unreachable':
    case 'transient':
    case 'ambiguous':
    case 'credits':
    case 'auth':
    case 'permanent': {
      const request = error as ProviderRequestError;
      const kind = classifyFailure(request.failure, { paid: stage === 'submit' });
      const words = `${provider.name}: ${message}`;
      return {
        error: { code: errorCodeForClass(kind, request.failure), message: words },
        detail: words,
        reviewMessage: NEEDS_REVIEW_MESSAGE,
      };
    }
  }
}

function carryOut(
  deps: JobRunDeps,
  run: FailedRun,
  decision: FailureDecision,
  words: { error: JobError; detail: string; reviewMessage: string },
): void {
  const { job, provider, gate, error, owner, stage } = run;
  const { db, clock } = deps;
  const held: TransitionExtras = { leaseOwner: owner };
  switch (decision.action) {
    case 'ignore':
      return;
    case 'review':
      deps.apply(
        job.id,
        { type: 'outcome_unknown', error: { code: 'unavailable', message: words.reviewMessage } },
        {
          ...held,
          detail: words.detail,
          ...(decision.possibleCharge
            ? { possibleCharge: { provider: provider.id, amount: job.costEstimate ?? 0 } }
            : {}),
        },
      );
      return;
    case 'fail':
      deps.apply(job.id, { type: 'permanent_error', error: words.error }, held);
      return;
    case 'retry': {
      const attemptsNow = getJob(db, job.id)?.attempts ?? job.attempts;
      if (attemptsNow + 1 >= job.maxAttempts && stage === 'submit' && mayHaveBeenCharged(deps, run)) {
        // Out of attempts while a paid request may have been taken (a reconcile that could not read
        // the provider's list): never "failed" with a charge nobody recorded.
        deps.apply(
          job.id,
          { type: 'outcome_unknown', error: { code: 'unavailable', message: words.reviewMessage } },
          { ...held, detail: words.detail, possibleCharge: { provider: provider.id, amount: job.costEstimate ?? 0 } },
        );
        return;
      }
      const retryAfter =
        decision.honourRetryAfter && error instanceof ProviderRequestError
          ? parseRetryAfter(error.response?.header('retry-after'), clock.now())
          : null;
      const delay = nextAttemptDelayMs(attemptsNow, deps.policy, retryAfter, deps.random);
      deps.apply(job.id, { type: 'transient_error', error: words.error, nextAttemptAt: clock.now() + delay }, held);
      return;
    }
    case 'wait_for_provider':
      // The provider is unreachable: wait for it without spending attempts; the gate probes.
      gate.markUnreachable();
      deps.apply(job.id, { type: 'hold', reason: 'provider unreachable', nextAttemptAt: null }, held);
      return;
    case 'pause_provider': {
      // A refused key is said in the provider's words: expired, revoked and not allowed from this
      // address each need something else of the user.
      const said = error instanceof Error && error.message ? `: ${error.message.replace(/\.?$/, '.')}` : '.';
      const why =
        decision.reason === 'credits'
          ? `${provider.name} has run out of credits. Top up, then resume it.`
          : `${provider.name} refused the API key${said} Check it in Settings, then resume.`;
      setProviderPausedReason(db, provider.id, why, clock.now());
      const reason = decision.reason === 'credits' ? 'insufficient credits' : 'provider refused the key';
      deps.apply(job.id, { type: 'hold', reason, nextAttemptAt: null }, { ...held, detail: words.detail });
      return;
    }
    default: {
      const unknown: never = decision;
      throw new Error(`unhandled failure decision ${JSON.stringify(unknown)}`);
    }
  }
}
