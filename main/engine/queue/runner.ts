import os from 'node:os';
import path from 'node:path';
import { NEEDS_REVIEW_MESSAGE, type Variant } from '../../../shared/jobs';
import { AppError } from '../../../shared/errors';
import { isTerminal, type JobEvent } from '../../../shared/job-model';
import { writeTransaction, type Db } from '../db/connection';
import { applyJobEvent, type ApplyResult, type JobRecord, type TransitionExtras } from '../db/jobs-repo';
import { claimDueJobs, jobsWithExpiredLease, nextDueAt } from '../db/job-claims-repo';
import { markStepPending, sendingSteps } from '../db/job-steps-repo';
import { recentProviderRequests, recordProviderRequest } from '../db/provider-requests-repo';
import { activePauses } from '../db/pauses-repo';
import { providerPausedReasons } from '../db/provider-accounts-repo';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { HostResolver } from '../net/network';
import { operationOf, type ProviderContext, type ProviderInputs, type ProviderModule } from '../providers/contract';
import type { BoundAccount } from './key-binding';
import { ProviderGate } from './provider-gate';
import { canResendSafely, probeBaseUrl, providerContext, type CallDeps } from './provider-calls';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { runJob, type JobRunDeps, type OutputSink } from './job-run';
import { JobNewsBox, type JobNews } from './job-news';
import { RunAborted } from './job-failure';

export { REMOTE_FAILED, type StoredOutput } from './job-run';

export interface QueueRunnerOptions {
  db: Db;
  providers: readonly ProviderModule[];
  clock: Clock;
  log: Logger;
  /** Names this runner's leases; a new one per engine start. */
  workerId: string;
  /** A provider's API key and the origin it was entered for (the engine's SecretStore). */
  account?: (provider: ProviderModule) => Promise<BoundAccount | null>;
  /** Where a provider is reached (the engine resolves environment, settings and the module's default). */
  baseUrl?: (provider: ProviderModule) => string;
  /** The user's staging storage for URL-only providers (null while none is set up). */
  stage?: (jobId: string | null) => ProviderContext['stage'];
  /** Where providers read a job's photos and masks from (the engine's; queue tests need none). */
  inputs?: ProviderInputs;
  /** Where outputs become variants' files; must be idempotent per (job, index). */
  outputs: OutputSink;
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
  image: (ref) => Promise.reject(new AppError('not_found', `No picture ${JSON.stringify(ref)} can be read here.`)),
  mask: (ref) => Promise.reject(new AppError('not_found', `No mask ${ref.maskId} can be read here.`)),
  variant: (variantId) => Promise.reject(new AppError('not_found', `No variant ${variantId} can be read here.`)),
};

const MIN_WAKE_MS = 50;

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
  private readonly news = new JobNewsBox();
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

  /** The network may be back: every unreachable provider is probed now, not after its back-off. */
  probeUnreachableNow(): void {
    for (const gate of this.gates.values()) if (!gate.reachable) gate.probeNow();
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
            provider && operationOf(provider, job.operation)?.paid
              ? { possibleCharge: { provider: provider.id, amount: job.costEstimate ?? 0 } }
              : {},
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
    entry.done = this.run(job, controller.signal)
      .catch((error: unknown) => this.options.log.error('queue.run_crashed', { jobId: job.id, error }))
      .finally(() => {
        if (this.running.get(job.id) === entry) this.running.delete(job.id);
        this.pump();
      });
  }

  private async run(job: JobRecord, signal: AbortSignal): Promise<void> {
    const provider = this.providers.get(job.provider);
    const gate = this.gates.get(job.provider);
    if (!provider || !gate) {
      this.apply(job.id, {
        type: 'permanent_error',
        error: { code: 'not_found', message: `No provider named ${job.provider} is installed.` },
      });
      return;
    }
    await runJob(this.jobRunDeps(), provider, gate, job, signal);
  }

  private apply(jobId: string, event: JobEvent, extras: TransitionExtras = {}): ApplyResult {
    const result = applyJobEvent(this.options.db, jobId, event, this.options.clock.now(), extras);
    if (result.ok) this.options.onJobUpdated?.(result.job);
    if (result.ok && isTerminal(result.job.state)) this.news.forget(jobId);
    return result;
  }

  private applyUnlocked(jobId: string, event: JobEvent): ApplyResult {
    return applyJobEvent(this.options.db, jobId, event, this.options.clock.now());
  }

  private jobRunDeps(): JobRunDeps {
    const { db, clock, log, outputs, hooks } = this.options;
    return {
      db,
      clock,
      log,
      outputs,
      policy: this.policy,
      leaseMs: this.leaseMs,
      random: this.options.random ?? Math.random,
      callDeps: this.callDeps(),
      apply: (jobId, event, extras) => this.apply(jobId, event, extras),
      contextFor: (providerId, signal) => this.contextFor(providerId, signal),
      isStopping: () => this.stopping,
      onVariantStored: this.options.onVariantStored,
      afterFetched: hooks?.afterFetched,
      news: this.news,
    };
  }

  /** A webhook's news for a remote job: its status (signed), or that it changed (the job polls at once). */
  tell(jobId: string, news: JobNews): void {
    this.news.tell(jobId, news);
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
      account: this.options.account ?? (() => Promise.resolve(null)),
      baseUrl: this.options.baseUrl ?? ((provider) => provider.baseUrl ?? ''),
      stage: this.options.stage ?? (() => null),
      resolve: this.options.resolve,
      downloadsDir: this.options.downloadsDir ?? path.join(os.tmpdir(), 'shootline-downloads'),
      hooks: this.options.hooks,
    };
  }
}
