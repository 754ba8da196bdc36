import { AppError } from '../../../shared/errors';
import { transition, type JobEvent } from '../../../shared/job-model';
import type { Job, PauseScope } from '../../../shared/jobs';
import type { Db } from '../db/connection';
import { applyJobEvent, getJob, type JobRecord } from '../db/jobs-repo';
import { shootExists } from '../db/shoots-repo';
import type { EventHub } from '../events';
import { operationOf, type ProviderModule } from '../providers/contract';
import type { EnqueuedRun } from './enqueue';
import { toJobView } from './job-view';
import { InputGiver } from './provide-input';
import type { QueueRunner } from './runner';

/** What the queue's API handlers share: the library, the runner, the providers and the event hub. */
export interface QueueApiContext {
  db: Db;
  runner: QueueRunner;
  providers: ReadonlyMap<string, ProviderModule>;
  events: EventHub;
  now: () => number;
  /** The preview file of a photo (made again if the cache dropped it), for selections computed from its pixels. */
  previewOf: (assetId: string) => Promise<string | null>;
}

/** The checks and steps several of the queue's handlers take alike. */
export class QueueApiSupport {
  /** Gives waiting jobs what they wait for (a mask, a garment, an approval). */
  readonly giver: InputGiver;

  constructor(private readonly context: QueueApiContext) {
    this.giver = new InputGiver(context.db, context.providers);
  }

  requireJob(id: string): JobRecord {
    const job = getJob(this.context.db, id);
    if (!job) throw new AppError('not_found', `No job ${id}.`);
    return job;
  }

  requireShoot(id: string): void {
    if (!shootExists(this.context.db, id)) throw new AppError('not_found', `No shoot ${id}.`);
  }

  /** A pause names a provider or shoot that exists, so a typo never leaves an invisible pause behind. */
  requirePauseTarget(scope: PauseScope, id: string | undefined): void {
    if (scope === 'shoot' && id !== undefined) this.requireShoot(id);
    if (scope === 'provider' && id !== undefined && !this.context.providers.has(id)) {
      throw new AppError('not_found', `No provider named ${id}.`);
    }
  }

  /** Applies a user's request to a job, refusing (not crashing on) one its state does not allow. */
  act(id: string, event: JobEvent, refusal: (job: JobRecord) => string): Job {
    const { db, now } = this.context;
    const job = this.requireJob(id);
    if (!transition(job, event).ok) throw new AppError('conflict', refusal(job));
    const result = applyJobEvent(db, id, event, now());
    if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
    return this.announce(result.job);
  }

  /** Tells the UI a job changed, and hands back its view. */
  announce(job: JobRecord): Job {
    const view = toJobView(job);
    this.context.events.emit('job.updated', view);
    return view;
  }

  /** Announces a run's new jobs, wakes the queue, and says what was started. */
  started(planned: EnqueuedRun) {
    for (const job of planned.jobs) {
      const record = getJob(this.context.db, job.id);
      if (record) this.announce(record);
    }
    this.context.runner.wake();
    return {
      jobIds: planned.jobs.map((job) => job.id),
      totalEstimate: planned.totalEstimate,
      awaitingApproval: planned.awaitingApproval,
      awaitingInput: planned.awaitingInput,
      refused: planned.refused,
    };
  }

  /**
   * Approves the spend of a run's jobs that wait for it (the user read the cost and asked), inside
   * the caller's transaction: these jobs only, never older ones waiting in the same shoot. A cap
   * it would pass refuses the whole run.
   */
  approveRun(run: EnqueuedRun): void {
    const at = this.context.now();
    for (const job of run.jobs) {
      if (job.waitingFor !== 'approval') continue;
      this.giver.provide(job.id, { role: 'approval' }, at);
      job.waitingFor = null;
      run.awaitingApproval -= 1;
    }
  }

  specOf(job: JobRecord) {
    const module = this.context.providers.get(job.provider);
    return module ? operationOf(module, job.operation) : undefined;
  }

  /** Would this paid job, started now, take its shoot past what it may spend at its provider? */
  needsApproval(job: JobRecord): boolean {
    return this.giver.needsApproval(job, this.specOf(job));
  }

  /** Tells the UI about jobs that changed together, and wakes the queue if any did. */
  announceAll(jobs: readonly JobRecord[]): void {
    for (const job of jobs) this.announce(job);
    if (jobs.length > 0) this.context.runner.wake();
  }
}
