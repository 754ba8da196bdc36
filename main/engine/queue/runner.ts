import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NEEDS_REVIEW_MESSAGE, type JobError, type Variant } from '../../../shared/jobs';
import { writeTransaction, type Db } from '../db/connection';
import {
  applyJobEvent,
  claimDueJobs,
  getJob,
  jobsWithExpiredLease,
  nextDueAt,
  renewLease,
  type ApplyResult,
  type JobRecord,
  type TransitionExtras,
} from '../db/jobs-repo';
import { markStepPending, sendingSteps } from '../db/job-steps-repo';
import { recentProviderRequests, recordProviderRequest } from '../db/provider-requests-repo';
import { activePauses } from '../db/pauses-repo';
import {
  getProviderAccount,
  providerPausedReasons,
  setProviderBalance,
  setProviderPausedReason,
} from '../db/provider-accounts-repo';
import { insertVariant } from '../db/variants-repo';
import type { Logger } from '../log';
import { AppError } from '../../../shared/errors';
import {
  UnreadablePaidAnswer,
  operationOf,
  type FetchedOutput,
  type OutputRef,
  type ProviderContext,
  type ProviderInputs,
  type ProviderModule,
} from '../providers/contract';
import type { HostResolver } from '../net/network';
import type { BoundKey } from './key-binding';
import { ProviderRequestError } from '../net/http';
import type { Clock } from '../clock';
import { ProviderGate } from './provider-gate';
import {
  canResendSafely,
  isBeforeSend,
  PossiblySent,
  probeBaseUrl,
  providerContext,
  submitJob,
  type CallDeps,
} from './provider-calls';
import {
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  errorCodeForClass,
  nextAttemptDelayMs,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy';
import type { JobEvent } from '../../../shared/job-model';

export interface StoredOutput {
  mediaId: string;
  /** The stored file's size, after anything written into it (carried metadata). */
  sizeBytes: number;
}

export interface QueueRunnerOptions {
  db: Db;
  providers: readonly ProviderModule[];
  clock: Clock;
  log: Logger;
  /** Names this runner's leases; a new one per engine start. */
  workerId: string;
  /** A provider's API key and the origin it was entered for (the engine's SecretStore). */
  apiKey?: (provider: ProviderModule) => Promise<BoundKey | null>;
  /** Where a provider is reached (the engine resolves environment, settings and the module's default). */
  baseUrl?: (provider: ProviderModule) => string;
  /** The user's staging storage for URL-only providers (null while none is set up). */
  stage?: (jobId: string | null) => ProviderContext['stage'];
  /** Where providers read a job's photos and masks from (the engine's; queue tests need none). */
  inputs?: ProviderInputs;
  /** Where outputs become variants' files; must be idempotent per (job, index). */
  outputs: { store: (job: JobRecord, output: FetchedOutput) => Promise<StoredOutput> };
  onJobUpdated?: (job: JobRecord) => void;
  onVariantStored?: (variant: Variant) => void;
  policy?: RetryPolicy;
  leaseMs?: number;
  random?: () => number;
  /** Is the provider's base URL reachable? Any HTTP answer counts; the default asks the network. */
  probe?: (baseUrl: string, signal: AbortSignal) => Promise<boolean>;
  /** How provider host names become addresses (the system's DNS unless injected). */
  resolve?: HostResolver;
  /** Where downloads are streamed before they are stored (default: a folder in the system's temp). */
  downloadsDir?: string;
  /** Test seams for crash tests: called at the exact points where a crash is most dangerous. */
  hooks?: {
    afterStepMarkedSending?: (jobId: string, step: string) => void;
    /** Called on every scheduling pass (to prove the scheduler sleeps when there is nothing to do). */
    onDispatchPass?: () => void;
    /** Called right after a job is written as fetched (done), its variants stored. */
    afterFetched?: (jobId: string) => void;
  };
}

interface RunningJob {
  controller: AbortController;
  provider: string;
  done: Promise<void>;
}

/** For a runner without photos (queue tests): any attempt to read one is refused as a bad job. */
const NO_INPUTS: ProviderInputs = {
  photo: (assetId) => Promise.reject(new AppError('not_found', `No photo ${assetId} can be read here.`)),
  mask: (maskId) => Promise.reject(new AppError('not_found', `No mask ${maskId} can be read here.`)),
  variant: (variantId) => Promise.reject(new AppError('not_found', `No variant ${variantId} can be read here.`)),
};

const BALANCE_MAX_AGE_MS = 60_000;
/** Errors a provider raises about the job itself, never worth a retry. */
const REFUSALS = new Set<string>(['invalid_input', 'not_found', 'conflict']);
/** The balance is read again after paid calls at most this often per provider (each read is a request). */
const BALANCE_REFRESH_MS = 10_000;
const BALANCE_READ_TIMEOUT_MS = 15_000;
/** What the queue was doing, in words for a message. */
const STAGE_WORDS = {
  prepare: 'preparing the job',
  submit: 'sending it',
  poll: 'checking on it',
  fetch: 'fetching its results',
} as const;
const MIN_WAKE_MS = 50;
const MAX_POLL_FAILURES = 20;
/** Marks the failure a provider itself reported for a remote job (a retry then needs a fresh submit). */
export const REMOTE_FAILED = 'provider reported the job failed';

/** Why a job's run stopped early without an error of its own: the user canceled it, or the engine is stopping. */
class RunAborted extends Error {}

/**
 * The scheduler and its workers. Due jobs are claimed from SQLite under a lease (priority, then
 * age), per provider within its concurrency and while it is reachable and not paused; each one is
 * run from the state it is in to done, through the provider contract. Every change of state is one
 * transaction with its job_event, so killing the process at any moment loses nothing: `start()`
 * recovers what was in flight by the rules of DESIGN.md.
 */
export class QueueRunner {
  private readonly options: QueueRunnerOptions;
  private readonly policy: RetryPolicy;
  private readonly leaseMs: number;
  private readonly providers = new Map<string, ProviderModule>();
  private readonly gates = new Map<string, ProviderGate>();
  private readonly running = new Map<string, RunningJob>();
  private cancelWake: (() => void) | undefined;
  private leaseSeq = 0;
  private pumping = false;
  private pumpAgain = false;
  private started = false;
  private stopping = false;

  constructor(options: QueueRunnerOptions) {
    this.options = options;
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.leaseMs = options.leaseMs ?? 60_000;
    for (const provider of options.providers) {
      this.providers.set(provider.id, provider);
      this.gates.set(
        provider.id,
        new ProviderGate({
          provider,
          clock: options.clock,
          random: options.random ?? Math.random,
          // Probe where the provider is reached now (a sandbox, a regional endpoint), not its default.
          probe: (defaultUrl, signal) =>
            options.probe
              ? options.probe(options.baseUrl?.(provider) || defaultUrl, signal)
              : probeBaseUrl(options.baseUrl?.(provider) || defaultUrl, signal, options.resolve),
          onReachable: () => this.pump(),
          log: options.log,
          ...(provider.rateLimit ? { onRequestCounted: this.requestLogger(provider.id, provider.rateLimit) } : {}),
        }),
      );
      if (provider.rateLimit) {
        const window = provider.rateLimit.windowMs;
        this.gates
          .get(provider.id)
          ?.seedRequests(recentProviderRequests(options.db, provider.id, options.clock.now() - window));
      }
    }
  }

  /**
   * Writes each request counted against a rate limit, so that an engine started again (after a
   * quit or a crash) resumes inside the provider's window instead of with a fresh allowance.
   */
  private requestLogger(providerId: string, limit: { requests: number }): (at: number) => void {
    return (at) => {
      try {
        recordProviderRequest(this.options.db, providerId, at, limit.requests);
      } catch (error) {
        // Losing one record only makes a restart a little less careful; the request itself goes on.
        this.options.log.warn('queue.request_log_failed', { provider: providerId, error });
      }
    };
  }

  /** Recovers what a previous run left in flight, then starts dispatching. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.recover();
    this.pump();
  }

  /** Stops dispatching and aborts work in flight; what was running is recovered at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelWake?.();
    for (const gate of this.gates.values()) gate.stop();
    for (const job of this.running.values()) job.controller.abort(new RunAborted('engine stopping'));
    await Promise.allSettled([...this.running.values()].map((job) => job.done));
  }

  /** Re-evaluates the queue now (after an enqueue, a resume, a saved mask…). */
  wake(): void {
    this.pump();
  }

  /** Aborts the job's request in flight, if any. The caller has already written the cancel. */
  abortJob(jobId: string): void {
    this.running.get(jobId)?.controller.abort(new RunAborted('canceled'));
  }

  /** Runs a job the editor chose to resend, from `submitting`, under this runner's lease. */
  resend(jobId: string): ApplyResult {
    const result = writeTransaction(this.options.db, () => {
      for (const step of sendingSteps(this.options.db, jobId)) {
        markStepPending(this.options.db, jobId, step.step, this.options.clock.now());
      }
      return this.applyUnlocked(jobId, {
        type: 'resend',
        leaseOwner: this.newLeaseOwner(),
        leaseExpiresAt: this.options.clock.now() + this.leaseMs,
      });
    });
    if (result.ok) {
      this.options.onJobUpdated?.(result.job);
      this.startJob(result.job);
    }
    return result;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /**
   * Returns to the queue every job a worker held when it died: at start, all of them (only one
   * engine opens a library, so none is really running); later, those whose lease ran out.
   */
  private recover(leaseExpiredBefore = Number.MAX_SAFE_INTEGER): void {
    const { db, log } = this.options;
    const orphans = jobsWithExpiredLease(db, leaseExpiredBefore).filter((job) => !this.running.has(job.id));
    for (const job of orphans) {
      const provider = this.providers.get(job.provider);
      if (job.state === 'submitting' && sendingSteps(db, job.id).length > 0) {
        if (!provider || !canResendSafely(provider)) {
          this.apply(
            job.id,
            { type: 'outcome_unknown', error: { code: 'unavailable', message: NEEDS_REVIEW_MESSAGE } },
            provider ? this.possibleCharge(provider, job) : {},
          );
          continue;
        }
      }
      this.apply(job.id, {
        type: 'hold',
        reason: `recovered from ${job.state} (lease of ${job.leaseOwner ?? 'nobody'})`,
        nextAttemptAt: null,
      });
    }
    if (orphans.length > 0) log.info('queue.recovered', { jobs: orphans.length });
  }

  private pump(): void {
    if (!this.started || this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.dispatchDue();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private dispatchDue(): void {
    const { db, clock } = this.options;
    this.options.hooks?.onDispatchPass?.();
    this.recover(clock.now());
    const pauses = activePauses(db);
    if (pauses.global) {
      this.scheduleWake([], []);
      return;
    }
    const creditPauses = providerPausedReasons(db);
    const withRoom: string[] = [];
    for (const [id, provider] of this.providers) {
      const gate = this.gates.get(id);
      if (!gate || pauses.providers.has(id) || creditPauses.has(id) || !gate.reachable) continue;
      const room = gate.concurrency(provider) - this.busy(id);
      if (room <= 0) continue; // a finishing job pumps again
      const claimed = claimDueJobs(db, id, {
        now: clock.now(),
        limit: room,
        leaseOwner: this.newLeaseOwner(),
        leaseMs: this.leaseMs,
        providers: [id],
        pausedShoots: [...pauses.shoots],
      });
      for (const job of claimed) {
        this.options.onJobUpdated?.(job);
        this.startJob(job);
      }
      if (room - claimed.length > 0) withRoom.push(id);
    }
    this.scheduleWake(withRoom, [...pauses.shoots]);
  }

  /**
   * Sleeps until the next job that could start is due: of a provider with room, outside paused
   * shoots (or a minute, to look for orphaned leases). A pause, a full provider or a job in a paused
   * shoot must not make this spin: whatever frees them (a resume, a finishing job) pumps by itself.
   */
  private scheduleWake(providersWithRoom: readonly string[], pausedShoots: readonly string[]): void {
    this.cancelWake?.();
    const due = providersWithRoom.length > 0 ? nextDueAt(this.options.db, providersWithRoom, pausedShoots) : null;
    const wait = due === null ? 60_000 : Math.min(60_000, Math.max(MIN_WAKE_MS, due - this.options.clock.now()));
    this.cancelWake = this.options.clock.setTimer(() => this.pump(), wait);
  }

  private busy(providerId: string): number {
    let count = 0;
    for (const job of this.running.values()) if (job.provider === providerId) count += 1;
    return count;
  }

  private newLeaseOwner(): string {
    this.leaseSeq += 1;
    return `${this.options.workerId}#${this.leaseSeq}`;
  }

  private startJob(job: JobRecord): void {
    const controller = new AbortController();
    const entry: RunningJob = { controller, provider: job.provider, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.runJob(job, controller.signal)
      .catch((error: unknown) => this.options.log.error('queue.run_crashed', { jobId: job.id, error }))
      .finally(() => {
        if (this.running.get(job.id) === entry) this.running.delete(job.id);
        this.pump();
      });
  }

  private async runJob(claimed: JobRecord, signal: AbortSignal): Promise<void> {
    const provider = this.providers.get(claimed.provider);
    const gate = this.gates.get(claimed.provider);
    const owner = claimed.leaseOwner ?? '';
    if (!provider || !gate) {
      this.apply(claimed.id, {
        type: 'permanent_error',
        error: { code: 'not_found', message: `No provider named ${claimed.provider} is installed.` },
      });
      return;
    }
    const { clock, db } = this.options;
    // Renew the lease a few times per lease period for as long as the run lasts.
    const renewal = { cancel: (): void => undefined };
    const renew = (): void => {
      renewLease(db, claimed.id, owner, clock.now() + this.leaseMs);
      renewal.cancel = clock.setTimer(renew, this.leaseMs / 3);
    };
    renewal.cancel = clock.setTimer(renew, this.leaseMs / 3);
    let stage: 'prepare' | 'submit' | 'poll' | 'fetch' = 'prepare';
    try {
      let job = claimed;
      const context = providerContext(this.callDeps(), gate, signal, null);
      if (job.state === 'preparing') {
        // A job accepted before (resumed after a crash or a failed poll) was paid for already.
        if (!job.remoteId) await this.reserveCredits(provider, gate, job, context);
        job = this.advance(job, { type: 'prepared' }, {}, owner);
      }
      if (job.state === 'submitting') {
        stage = 'submit';
        const submitted = await submitJob(this.callDeps(), provider, gate, job, signal);
        const paid = operationOf(provider, job.operation)?.paid ?? false;
        // What the provider's answer says it charged wins over our price table.
        const charge = paid
          ? {
              provider: provider.id,
              amount: submitted.charged ?? job.costEstimate ?? 0,
              ...(submitted.balance === undefined ? {} : { balanceAfter: submitted.balance }),
            }
          : undefined;
        job = this.advance(job, { type: 'accepted' }, { remoteId: submitted.remoteId, charge }, owner);
        if (paid) this.balanceAfterCharge(provider, gate, submitted.balance);
      }
      if (job.state === 'remote') {
        stage = 'poll';
        const outputs = await this.pollUntilDone(provider, gate, job, context, owner);
        if (!outputs) return;
        job = this.advance(job, { type: 'remote_done' }, { detail: JSON.stringify(outputs) }, owner);
        stage = 'fetch';
        const fetched = await provider.fetchOutputs(context, job.remoteId ?? '', outputs);
        try {
          for (const output of fetched) {
            const stored = await this.options.outputs.store(job, output);
            const variant = insertVariant(db, job, output, stored, clock.now());
            if (variant) this.options.onVariantStored?.(variant);
          }
        } finally {
          // Downloads not stored (a failure part way) are not left in the temporary folder.
          for (const output of fetched) if (output.file) fs.rmSync(output.file, { force: true });
        }
        this.advance(job, { type: 'fetched' }, {}, owner);
        this.options.hooks?.afterFetched?.(job.id);
      }
    } catch (error) {
      this.handleFailure(claimed, provider, gate, stage, error, signal, owner);
    } finally {
      renewal.cancel();
    }
  }

  /** A paid job whose request may have been charged goes to review with that charge noted as possible. */
  private possibleCharge(provider: ProviderModule, job: JobRecord): Pick<TransitionExtras, 'possibleCharge'> {
    if (!operationOf(provider, job.operation)?.paid) return {};
    return { possibleCharge: { provider: provider.id, amount: job.costEstimate ?? 0 } };
  }

  /**
   * After a paid call the balance shown must not go stale: the one the answer stated, else one read
   * again (at most once per BALANCE_REFRESH_MS per provider, as each read spends a request).
   */
  private balanceAfterCharge(provider: ProviderModule, gate: ProviderGate, stated: number | undefined): void {
    const { db, clock, log } = this.options;
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
      if (this.stopping) return;
      gate.balanceRefreshedAt = clock.now();
      const context = this.contextFor(provider.id, AbortSignal.timeout(BALANCE_READ_TIMEOUT_MS));
      if (!context) return;
      readBalance(context)
        .then((credits) => setProviderBalance(db, provider.id, credits, clock.now()))
        .catch((error: unknown) => log.warn('queue.balance_refresh_failed', { provider: provider.id, error }));
    };
    if (wait === 0) read();
    else clock.setTimer(read, wait);
  }

  /** Applies an event the run itself caused; if the job was taken from us meanwhile, stop quietly. */
  private advance(job: JobRecord, event: JobEvent, extras: TransitionExtras, owner: string): JobRecord {
    const result = this.apply(job.id, event, { ...extras, leaseOwner: owner });
    if (!result.ok) throw new RunAborted(`job ${job.id}: ${result.reason}`);
    return result.job;
  }

  private apply(jobId: string, event: JobEvent, extras: TransitionExtras = {}): ApplyResult {
    const result = applyJobEvent(this.options.db, jobId, event, this.options.clock.now(), extras);
    if (result.ok) this.options.onJobUpdated?.(result.job);
    return result;
  }

  private applyUnlocked(jobId: string, event: JobEvent): ApplyResult {
    return applyJobEvent(this.options.db, jobId, event, this.options.clock.now());
  }

  /**
   * Where a provider reports its balance, a paid job checks it before sending: a job the balance
   * cannot cover pauses the provider (with the reason) instead of failing at the provider. The
   * balance is read at most once a minute; jobs reserve their estimate from it meanwhile.
   */
  private async reserveCredits(
    provider: ProviderModule,
    gate: ProviderGate,
    job: JobRecord,
    context: ProviderContext,
  ): Promise<void> {
    const readBalance = provider.account?.balance;
    if (!readBalance || !operationOf(provider, job.operation)?.paid) return;
    const { clock, db } = this.options;
    const estimate = job.costEstimate ?? 0;
    const now = clock.now();
    if (!gate.balance || now - gate.balance.readAt > BALANCE_MAX_AGE_MS || gate.balance.credits < estimate) {
      const credits = await readBalance(context);
      gate.balance = { credits, readAt: now };
      setProviderBalance(db, provider.id, credits, now);
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
   * Polls until the provider is done. A failed poll costs nothing, so it is retried here with
   * backoff instead of spending the job's attempts (which would fail a job already paid for); only
   * an unreachable provider, or a long run of failures, hands the job back to the queue.
   */
  private async pollUntilDone(
    provider: ProviderModule,
    gate: ProviderGate,
    job: JobRecord,
    context: ProviderContext,
    owner: string,
  ): Promise<OutputRef[] | null> {
    const remoteId = job.remoteId ?? getJob(this.options.db, job.id)?.remoteId;
    if (!remoteId) throw new Error(`job ${job.id} is remote without a remote id`);
    let failures = 0;
    for (;;) {
      let result: Awaited<ReturnType<ProviderModule['poll']>>;
      try {
        result = await provider.poll(context, remoteId);
        failures = 0;
      } catch (error) {
        // Anything but a cancel, an unreachable provider or a refused key is worth polling again:
        // a 5xx, a reset, an answer the module could not read.
        const request = error instanceof ProviderRequestError ? error : null;
        const retryable =
          !context.signal.aborted &&
          !(error instanceof RunAborted) &&
          (request === null ||
            (classifyFailure(request.failure, { paid: false }) === 'transient' && !isBeforeSend(request))) &&
          failures < MAX_POLL_FAILURES;
        if (!retryable) throw error;
        failures += 1;
        const retryAfter = parseRetryAfter(request?.response?.header('retry-after'), this.options.clock.now());
        const delay = nextAttemptDelayMs(failures, this.policy, retryAfter, this.options.random ?? Math.random);
        await this.options.clock.sleep(delay, context.signal);
        continue;
      }
      if (result.status === 'done') return result.outputs;
      if (result.status === 'failed') {
        this.advance(
          job,
          { type: 'permanent_error', error: { code: 'invalid_input', message: `${provider.name}: ${result.message}` } },
          { detail: REMOTE_FAILED },
          owner,
        );
        return null;
      }
      await this.options.clock.sleep(result.retryAfterMs ?? provider.pollIntervalMs, context.signal);
    }
  }

  private handleFailure(
    job: JobRecord,
    provider: ProviderModule,
    gate: ProviderGate,
    stage: 'prepare' | 'submit' | 'poll' | 'fetch',
    error: unknown,
    signal: AbortSignal,
    owner: string,
  ): void {
    const { log, clock, db } = this.options;
    if (error instanceof RunAborted || signal.aborted) return; // canceled (already written) or stopping (recovered at start)
    const current = getJob(db, job.id);
    if (!current || current.leaseOwner !== owner) return;
    const review = (detail: string, message = NEEDS_REVIEW_MESSAGE): void => {
      this.apply(
        job.id,
        { type: 'outcome_unknown', error: { code: 'unavailable', message } },
        { leaseOwner: owner, detail, ...this.possibleCharge(provider, job) },
      );
    };
    if (error instanceof UnreadablePaidAnswer) {
      review(
        error.message,
        `${provider.name} accepted this job but its answer could not be read, and the work was not found: ${error.providerWords}. Resend (may be charged again) or discard.`,
      );
      return;
    }
    if (error instanceof PossiblySent) {
      review('a request of this job may have reached the provider before');
      return;
    }
    if (error instanceof AppError && REFUSALS.has(error.code)) {
      // The job itself cannot be done as asked (a mask too large, beyond a size cap, a photo that is
      // gone): retrying changes nothing, the user has to change the job.
      this.apply(
        job.id,
        { type: 'permanent_error', error: { code: error.code, message: error.message } },
        { leaseOwner: owner },
      );
      return;
    }
    if (error instanceof AppError && error.code === 'unavailable') {
      // The machine, not the job (a worker that stopped, a render that overran): try again later.
      log.warn('queue.job_unavailable', { jobId: job.id, stage, error });
      this.retryLater(job.id, { code: 'unavailable', message: error.message }, null, owner);
      return;
    }
    if (!(error instanceof ProviderRequestError)) {
      log.error('queue.job_error', { jobId: job.id, stage, error });
      const message = `Unexpected error while ${STAGE_WORDS[stage]}. The details are in the log.`;
      // After a submit request left, an unexplained failure (an answer we could not read) may hide a created job.
      if (stage === 'submit' && sendingSteps(db, job.id).length > 0 && !canResendSafely(provider)) {
        review(message);
      } else {
        this.retryLater(job.id, { code: 'internal', message }, null, owner);
      }
      return;
    }
    const failure = error.failure;
    const kind = classifyFailure(failure, { paid: stage === 'submit' });
    const message = `${provider.name}: ${error.message}`;
    const jobError: JobError = { code: errorCodeForClass(kind, failure), message };
    switch (kind) {
      case 'canceled':
        return;
      case 'transient': {
        if (isBeforeSend(error) && provider.baseUrl) {
          // The provider is unreachable: wait for it without spending attempts; the gate probes.
          gate.markUnreachable();
          this.apply(
            job.id,
            { type: 'hold', reason: 'provider unreachable', nextAttemptAt: null },
            { leaseOwner: owner },
          );
          return;
        }
        // The provider itself was held at the moment it answered (see provider-calls); the job waits too.
        const retryAfter = parseRetryAfter(error.response?.header('retry-after'), clock.now());
        this.retryLater(job.id, jobError, retryAfter, owner);
        return;
      }
      case 'ambiguous':
        // Only a paid step that may have arrived makes it ambiguous; a failed unpaid call before it does not.
        if (canResendSafely(provider) || sendingSteps(db, job.id).length === 0) {
          this.retryLater(job.id, jobError, null, owner);
        } else review(message);
        return;
      case 'credits':
        setProviderPausedReason(
          db,
          provider.id,
          `${provider.name} has run out of credits. Top up, then resume it.`,
          clock.now(),
        );
        this.apply(
          job.id,
          { type: 'hold', reason: 'insufficient credits', nextAttemptAt: null },
          { leaseOwner: owner, detail: message },
        );
        return;
      case 'auth':
        // A refused key fails every job alike: pause the provider instead of failing them one by one.
        setProviderPausedReason(
          db,
          provider.id,
          `${provider.name} refused the API key. Check it in Settings, then resume.`,
          clock.now(),
        );
        this.apply(
          job.id,
          { type: 'hold', reason: 'provider refused the key', nextAttemptAt: null },
          { leaseOwner: owner, detail: message },
        );
        return;
      case 'permanent':
        this.apply(job.id, { type: 'permanent_error', error: jobError }, { leaseOwner: owner });
        return;
      default: {
        const unreachable: never = kind;
        throw new Error(`unhandled classification ${String(unreachable)}`);
      }
    }
  }

  /** Is each provider reachable right now (as far as the queue knows)? */
  reachability(): Map<string, boolean> {
    return new Map([...this.gates].map(([id, gate]) => [id, gate.reachable]));
  }

  /**
   * A context for a call outside any job (testing a key, reading a balance): through the
   * provider's gate like every other request, so it counts against the same rate limit.
   */
  contextFor(providerId: string, signal: AbortSignal): ProviderContext | null {
    const gate = this.gates.get(providerId);
    return gate ? providerContext(this.callDeps(), gate, signal, null) : null;
  }

  private callDeps(): CallDeps {
    return {
      db: this.options.db,
      clock: this.options.clock,
      inputs: this.options.inputs ?? NO_INPUTS,
      apiKey: this.options.apiKey ?? (() => Promise.resolve(null)),
      baseUrl: this.options.baseUrl ?? ((provider) => provider.baseUrl ?? ''),
      stage: this.options.stage ?? (() => null),
      resolve: this.options.resolve,
      downloadsDir: this.options.downloadsDir ?? path.join(os.tmpdir(), 'shootline-downloads'),
      hooks: this.options.hooks,
    };
  }

  private retryLater(jobId: string, error: JobError, retryAfterMs: number | null, owner: string): void {
    const job = getJob(this.options.db, jobId);
    if (!job) return;
    const delay = nextAttemptDelayMs(job.attempts, this.policy, retryAfterMs, this.options.random ?? Math.random);
    this.apply(
      jobId,
      { type: 'transient_error', error, nextAttemptAt: this.options.clock.now() + delay },
      { leaseOwner: owner },
    );
  }
}
