import fs from 'node:fs';
import type { Variant } from '../../../shared/jobs';
import type { JobEvent } from '../../../shared/job-model';
import type { Db } from '../db/connection';
import { watchUntilSettled } from './job-watch';
import type { JobNewsBox } from './job-news';
import { getJob, type ApplyResult, type JobRecord, type TransitionExtras } from '../db/jobs-repo';
import { renewLease } from '../db/job-claims-repo';
import { setProviderBalance, getProviderAccount } from '../db/provider-accounts-repo';
import { insertVariant } from '../db/variants-repo';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { ProviderRequestError } from '../net/http';
import {
  operationOf,
  type FetchedOutput,
  type OutputRef,
  type ProviderContext,
  type ProviderModule,
} from '../providers/contract';
import type { ProviderGate } from './provider-gate';
import { isBeforeSend, providerContext, submitJob, type CallDeps } from './provider-calls';
import { classifyFailure, nextAttemptDelayMs, parseRetryAfter, type RetryPolicy } from './retry-policy';
import { handleFailure, RunAborted } from './job-failure';
import type { RunStage } from './decide-failure';

export interface StoredOutput {
  mediaId: string;
  /** The stored file's size, after anything written into it (carried metadata). */
  sizeBytes: number;
}

/** Where outputs become variants' files; must be idempotent per (job, index). */
export interface OutputSink {
  store: (job: JobRecord, output: FetchedOutput) => Promise<StoredOutput>;
}

/** What a job's run needs from the runner that started it. */
export interface JobRunDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  policy: RetryPolicy;
  leaseMs: number;
  random: () => number;
  outputs: OutputSink;
  callDeps: CallDeps;
  /** Applies an event and tells the listeners (the runner's `apply`). */
  apply: (jobId: string, event: JobEvent, extras?: TransitionExtras) => ApplyResult;
  /** A context for a call outside the job (a balance read), through the provider's gate. */
  contextFor: (providerId: string, signal: AbortSignal) => ProviderContext | null;
  isStopping: () => boolean;
  onVariantStored?: (variant: Variant) => void;
  afterFetched?: (jobId: string) => void;
  /** What webhooks said about remote jobs; a poll loop's sleep ends early when there is news. */
  news: JobNewsBox;
}

const BALANCE_MAX_AGE_MS = 60_000;
/** The balance is read again after paid calls at most this often per provider (each read is a request). */
const BALANCE_REFRESH_MS = 10_000;
const BALANCE_READ_TIMEOUT_MS = 15_000;
const MAX_POLL_FAILURES = 20;
/** Marks the failure a provider itself reported for a remote job (a retry then needs a fresh submit). */
export const REMOTE_FAILED = 'provider reported the job failed';

/**
 * One job's run, from the state it was claimed in to done: prepare (reserve credits), submit,
 * poll, fetch and store. Every step is one transaction through `apply`; a failure at any point is
 * handed to job-failure.ts, which decides by the table in decide-failure.ts.
 */
export async function runJob(
  deps: JobRunDeps,
  provider: ProviderModule,
  gate: ProviderGate,
  claimed: JobRecord,
  signal: AbortSignal,
): Promise<void> {
  const { clock, db } = deps;
  const owner = claimed.leaseOwner ?? '';
  // Renew the lease a few times per lease period for as long as the run lasts.
  const renewal = { cancel: (): void => undefined };
  const renew = (): void => {
    renewLease(db, claimed.id, owner, clock.now() + deps.leaseMs);
    renewal.cancel = clock.setTimer(renew, deps.leaseMs / 3);
  };
  renewal.cancel = clock.setTimer(renew, deps.leaseMs / 3);
  let stage: RunStage = 'prepare';
  try {
    let job = claimed;
    const context = providerContext(deps.callDeps, gate, signal, null);
    if (job.state === 'preparing') {
      // A job accepted before (resumed after a crash or a failed poll) was paid for already.
      if (!job.remote) await reserveCredits(deps, provider, gate, job, context);
      job = advance(deps, job, { type: 'prepared' }, {}, owner);
    }
    if (job.state === 'submitting') {
      stage = 'submit';
      const submitted = await submitJob(deps.callDeps, provider, gate, job, signal);
      const paid = operationOf(provider, job.operation)?.paid ?? false;
      // What the provider's answer says it charged wins over our price table.
      const charge =
        paid && !submitted.chargeUnknown
          ? {
              provider: provider.id,
              amount: submitted.charged ?? job.costEstimate ?? 0,
              ...(submitted.balance === undefined ? {} : { balanceAfter: submitted.balance }),
            }
          : undefined;
      // Whether it cost anything nobody can say: the ledger brackets it (charges ≤ billed ≤ + possible).
      const possibleCharge =
        paid && submitted.chargeUnknown ? { provider: provider.id, amount: job.costEstimate ?? 0 } : undefined;
      job = advance(deps, job, { type: 'accepted' }, { remote: submitted.remote, charge, possibleCharge }, owner);
      if (paid) balanceAfterCharge(deps, provider, gate, submitted.balance);
    }
    if (job.state === 'remote') {
      stage = 'poll';
      const outputs = await pollUntilDone(deps, provider, job, context, owner);
      if (!outputs) return;
      job = advance(deps, job, { type: 'remote_done' }, { detail: JSON.stringify(outputs) }, owner);
      stage = 'fetch';
      await fetchAndStore(deps, provider, job, context, outputs);
      advance(deps, job, { type: 'fetched' }, {}, owner);
      deps.afterFetched?.(job.id);
    }
  } catch (error) {
    handleFailure(deps, { job: claimed, provider, gate, stage, error, signal, owner });
  } finally {
    renewal.cancel();
  }
}

async function fetchAndStore(
  deps: JobRunDeps,
  provider: ProviderModule,
  job: JobRecord,
  context: ProviderContext,
  outputs: OutputRef[],
): Promise<void> {
  const remote = job.remote ?? getJob(deps.db, job.id)?.remote;
  if (!remote) throw new Error(`job ${job.id} has outputs without a remote job`);
  const fetched = await provider.fetchOutputs(context, remote, outputs);
  try {
    for (const output of fetched) {
      const stored = await deps.outputs.store(job, output);
      const variant = insertVariant(deps.db, job, output, stored, deps.clock.now());
      if (variant) deps.onVariantStored?.(variant);
    }
  } finally {
    // Downloads not stored (a failure part way) are not left in the temporary folder.
    for (const output of fetched) if (output.file) fs.rmSync(output.file, { force: true });
  }
}

/** Applies an event the run itself caused; if the job was taken from us meanwhile, stop quietly. */
function advance(deps: JobRunDeps, job: JobRecord, event: JobEvent, extras: TransitionExtras, owner: string) {
  const result = deps.apply(job.id, event, { ...extras, leaseOwner: owner });
  if (!result.ok) throw new RunAborted(`job ${job.id}: ${result.reason}`);
  return result.job;
}

/**
 * Where a provider reports its balance, a paid job checks it before sending: a job the balance
 * cannot cover pauses the provider (with the reason) instead of failing at the provider. The
 * balance is read at most once a minute; jobs reserve their estimate from it meanwhile.
 */
async function reserveCredits(
  deps: JobRunDeps,
  provider: ProviderModule,
  gate: ProviderGate,
  job: JobRecord,
  context: ProviderContext,
): Promise<void> {
  const readBalance = provider.account?.balance;
  if (!readBalance || !operationOf(provider, job.operation)?.paid) return;
  const estimate = job.costEstimate ?? 0;
  const now = deps.clock.now();
  if (!gate.balance || now - gate.balance.readAt > BALANCE_MAX_AGE_MS || gate.balance.credits < estimate) {
    const credits = await readBalance(context);
    gate.balance = { credits, readAt: now };
    setProviderBalance(deps.db, provider.id, credits, now);
  }
  if (gate.balance.credits < estimate) {
    throw new ProviderRequestError(`${gate.balance.credits} credits left; this job needs ${estimate}.`, {
      kind: 'http',
      status: 402,
    });
  }
  gate.balance.credits -= estimate;
}

/**
 * After a paid call the balance shown must not go stale: the one the answer stated, else one read
 * again (at most once per BALANCE_REFRESH_MS per provider, as each read spends a request).
 */
function balanceAfterCharge(
  deps: JobRunDeps,
  provider: ProviderModule,
  gate: ProviderGate,
  stated: number | undefined,
): void {
  const { db, clock, log } = deps;
  // Only what the user sees: the reservations paid jobs made from the balance stay as they are.
  // Answers to jobs running side by side arrive in any order; the lowest stated balance is the
  // latest, unless the one shown is old enough that a top-up may have raised it since.
  if (stated !== undefined) {
    const shown = getProviderAccount(db, provider.id);
    const old = shown.balanceAt === null || clock.now() - shown.balanceAt > BALANCE_REFRESH_MS;
    if (old || shown.balance === null || stated < shown.balance)
      setProviderBalance(db, provider.id, stated, clock.now());
    return;
  }
  const readBalance = provider.account?.balance;
  if (!readBalance || gate.balanceRefreshPending) return;
  // At most one read per BALANCE_REFRESH_MS; a charge meanwhile is picked up by a read at its end.
  const wait = Math.max(0, gate.balanceRefreshedAt + BALANCE_REFRESH_MS - clock.now());
  gate.balanceRefreshPending = true;
  const read = (): void => {
    gate.balanceRefreshPending = false;
    if (deps.isStopping()) return;
    gate.balanceRefreshedAt = clock.now();
    const context = deps.contextFor(provider.id, AbortSignal.timeout(BALANCE_READ_TIMEOUT_MS));
    if (!context) return;
    readBalance(context)
      .then((credits) => setProviderBalance(db, provider.id, credits, clock.now()))
      .catch((error: unknown) => log.warn('queue.balance_refresh_failed', { provider: provider.id, error }));
  };
  if (wait === 0) read();
  else clock.setTimer(read, wait);
}

/**
 * Polls until the provider is done. A failed poll costs nothing, so it is retried here with
 * backoff instead of spending the job's attempts (which would fail a job already paid for); only
 * an unreachable provider, or a long run of failures, hands the job back to the queue.
 */
async function pollUntilDone(
  deps: JobRunDeps,
  provider: ProviderModule,
  job: JobRecord,
  context: ProviderContext,
  owner: string,
): Promise<OutputRef[] | null> {
  const remote = job.remote ?? getJob(deps.db, job.id)?.remote;
  if (!remote) throw new Error(`job ${job.id} is remote without a remote job`);
  let failures = 0;
  // A provider that streams its status is heard that way first; polling takes over if it gives up.
  let streamed = await watchUntilSettled(deps, provider, context, remote);
  for (;;) {
    let result: Awaited<ReturnType<ProviderModule['poll']>>;
    try {
      const news = deps.news.take(job.id);
      result = streamed ?? (news && news !== 'changed' ? news : await provider.poll(context, remote));
      streamed = null;
      failures = 0;
    } catch (error) {
      if (!pollWorthRepeating(error, context.signal) || failures >= MAX_POLL_FAILURES) throw error;
      failures += 1;
      const request = error instanceof ProviderRequestError ? error : null;
      const retryAfter = parseRetryAfter(request?.response?.header('retry-after'), deps.clock.now());
      await deps.clock.sleep(nextAttemptDelayMs(failures, deps.policy, retryAfter, deps.random), context.signal);
      continue;
    }
    if (result.status === 'done') return result.outputs;
    if (result.status === 'failed') {
      // The provider took the work and failed it: its words (and code), and any refund against the charge.
      const code = result.providerCode ? ` (${result.providerCode})` : '';
      advance(
        deps,
        job,
        {
          type: 'permanent_error',
          error: { code: 'provider_failed', message: `${provider.name}: ${result.message}${code}` },
        },
        {
          detail: REMOTE_FAILED,
          ...(result.refunded === undefined
            ? {}
            : { refund: { provider: provider.id, amount: result.refunded === true ? null : result.refunded } }),
        },
        owner,
      );
      return null;
    }
    await deps.news.waitFor(job.id, result.retryAfterMs ?? provider.pollIntervalMs, deps.clock, context.signal);
  }
}

/**
 * Anything but a cancel, an unreachable provider or a refused key is worth polling again: a 5xx,
 * a reset, an answer the module could not read.
 */
function pollWorthRepeating(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted || error instanceof RunAborted) return false;
  if (!(error instanceof ProviderRequestError)) return true;
  return classifyFailure(error.failure, { paid: false }) === 'transient' && !isBeforeSend(error);
}
