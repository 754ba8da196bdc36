import { getAssetSize } from '../db/assets-repo';
import { AppError } from '../../../shared/errors';
import { fitsBudget } from '../../../shared/job-model';
import type { JobInputs, ProvidedInput } from '../../../shared/job-inputs';
import { committedSpend, getBudget, jobsAwaitingApproval, saveBudget } from '../db/budgets-repo';
import { writeTransaction, type Db } from '../db/connection';
import { applyInTransaction, getJob, jobsWaitingForMask, setJobInputs, type JobRecord } from '../db/jobs-repo';
import { getMask } from '../db/masks-repo';
import { operationOf, type OperationSpec, type ProviderModule } from '../providers/contract';
import { nextWait, pinTarget } from './job-inputs-plan';

/**
 * The one way a waiting job is given what it waits for — a garment, a mask, or the approval of
 * its spend — and moves on: to the next thing it waits for, or to the queue. A saved mask, the
 * user's `jobs.provideInput` and `jobs.approveBudget` all come through here, inside one write
 * transaction each, so a job is never released twice nor past its shoot's budget.
 */
export class InputGiver {
  constructor(
    private readonly db: Db,
    private readonly providers: ReadonlyMap<string, ProviderModule>,
  ) {}

  specOf(job: JobRecord): OperationSpec | undefined {
    const module = this.providers.get(job.provider);
    return module ? operationOf(module, job.operation) : undefined;
  }

  /** Would this paid job, counted as committed, take its shoot past what it may spend at that provider? */
  needsApproval(job: Pick<JobRecord, 'shootId' | 'provider'>, spec: OperationSpec | undefined): boolean {
    if (!spec?.paid || !job.shootId) return false;
    const budget = getBudget(this.db, job.shootId, job.provider);
    return !fitsBudget(budget, committedSpend(this.db, job.shootId, job.provider), 0);
  }

  /** `jobs.provideInput`: checks the input fits what the job waits for, then gives it. */
  provide(jobId: string, input: ProvidedInput, at: number): JobRecord {
    return writeTransaction(this.db, () => {
      const job = getJob(this.db, jobId);
      if (!job) throw new AppError('not_found', `No job ${jobId}.`);
      const spec = this.specOf(job);
      if (!spec) throw new AppError('conflict', `Job ${jobId}'s operation is no longer offered.`);
      if (job.state !== 'awaiting_input' || job.waitingFor !== input.role) {
        const waiting = job.state === 'awaiting_input' ? `waits for ${job.waitingFor ?? 'nothing'}` : `is ${job.state}`;
        throw new AppError('conflict', `Job ${jobId} ${waiting}, not for ${describeRole(input.role)}.`);
      }
      if (input.role === 'approval') {
        this.approveOne(job, at);
        return this.advance(job, {}, true, at, 'spend approved');
      }
      if (input.role === 'garment') {
        return this.advance(
          job,
          { garment: pinTarget(this.db, input.target) },
          false,
          at,
          `garment ${input.target.id}`,
        );
      }
      const mask = getMask(this.db, input.maskId);
      if (!mask) throw new AppError('not_found', `No mask ${input.maskId}.`);
      const photo = job.inputs.source?.assetId ?? null;
      if (mask.assetId !== photo || mask.purpose !== spec.inputs.mask?.purpose) {
        throw new AppError(
          'invalid_input',
          `Mask ${mask.id} is a ${mask.purpose} mask of another photo; this job needs a ${spec.inputs.mask?.purpose ?? 'different'} mask of its own photo.`,
        );
      }
      return this.advance(job, this.maskGiven(job, mask), false, at, `mask ${mask.id} v${mask.version}`);
    });
  }

  /**
   * A mask was saved on a photo: each job on that photo waiting for a mask of that purpose takes
   * this version. Inside the caller's write transaction.
   */
  giveMask(mask: { id: string; assetId: string; purpose: string; version: number }, at: number): JobRecord[] {
    const moved: JobRecord[] = [];
    for (const job of jobsWaitingForMask(this.db, mask.assetId)) {
      if (this.specOf(job)?.inputs.mask?.purpose !== mask.purpose) continue;
      moved.push(this.advance(job, this.maskGiven(job, mask), false, at, `mask ${mask.id} v${mask.version}`));
    }
    return moved;
  }

  /**
   * Raises what the shoot approved at a provider by `amount` (default: what its waiting jobs there
   * need), refusing to pass the cap, then releases the waiting jobs that now fit, oldest first.
   */
  approveBudget(shootId: string, provider: string, amount: number | undefined, at: number): JobRecord[] {
    return writeTransaction(this.db, () => {
      const budget = getBudget(this.db, shootId, provider);
      const waiting = jobsAwaitingApproval(this.db, shootId, provider);
      const wanted = amount ?? waiting.reduce((sum, job) => sum + job.estimate, 0);
      if (wanted === 0) return [];
      const approved = Math.max(budget.approved, committedSpend(this.db, shootId, provider)) + wanted;
      this.checkCap(budget.cap, approved, provider);
      saveBudget(this.db, { ...budget, approved }, at);
      return this.releaseFitting(shootId, provider, at);
    });
  }

  /** Jobs waiting for approval that the shoot's budget at that provider now covers move on, oldest first. */
  releaseFitting(shootId: string, provider: string, at: number): JobRecord[] {
    const budget = getBudget(this.db, shootId, provider);
    let committed = committedSpend(this.db, shootId, provider);
    const released: JobRecord[] = [];
    for (const waiting of jobsAwaitingApproval(this.db, shootId, provider)) {
      if (!fitsBudget(budget, committed, waiting.estimate)) break;
      const job = getJob(this.db, waiting.id);
      if (!job) continue;
      released.push(this.advance(job, {}, true, at, 'within the approved budget'));
      committed += waiting.estimate;
    }
    return released;
  }

  /** The approval of one job's spend: what the shoot approved at its provider grows by its estimate. */
  private approveOne(job: JobRecord, at: number): void {
    if (!job.shootId) return;
    const budget = getBudget(this.db, job.shootId, job.provider);
    const approved =
      Math.max(budget.approved, committedSpend(this.db, job.shootId, job.provider)) + (job.costEstimate ?? 0);
    this.checkCap(budget.cap, approved, job.provider);
    saveBudget(this.db, { ...budget, approved }, at);
  }

  private checkCap(cap: number | null, approved: number, provider: string): void {
    if (cap !== null && approved > cap + 1e-9) {
      const name = this.providers.get(provider)?.name ?? provider;
      throw new AppError(
        'conflict',
        `Approving that would take this shoot to ${approved} at ${name}, past its cap of ${cap}. Raise the cap first.`,
        { cap, approved, provider },
      );
    }
  }

  /**
   * A mask is painted on the photo as it is turned now: a job that waited for it takes the photo at
   * that turn too, so the mask and the picture it is laid on match.
   */
  private maskGiven(job: JobRecord, mask: { id: string; version: number }): Partial<JobInputs> {
    const given: Partial<JobInputs> = { mask: { maskId: mask.id, version: mask.version } };
    const source = job.inputs.source;
    if (source?.kind !== 'asset') return given;
    const turn = getAssetSize(this.db, source.assetId)?.turn ?? 0;
    const { turn: _pinned, ...unturned } = source;
    return { ...given, source: turn === 0 ? unturned : { ...unturned, turn } };
  }

  /**
   * Records what the job was given and moves it on: queued when it waits for nothing more, else
   * waiting for the next input (a garment after its mask, an approval when its spend does not fit).
   */
  private advance(job: JobRecord, given: Partial<JobInputs>, approved: boolean, at: number, detail: string): JobRecord {
    const inputs: JobInputs = { ...job.inputs, ...given };
    if (Object.keys(given).length > 0) setJobInputs(this.db, job.id, inputs);
    const spec = this.specOf(job);
    const queued = applyInTransaction(this.db, job.id, { type: 'input_given' }, at, { detail });
    if (!queued.ok) throw new AppError('conflict', `Job ${job.id} changed meanwhile; try again.`);
    const next = spec ? nextWait(spec, { ...job, inputs, estimate: job.costEstimate ?? 0 }, 'approved') : null;
    const waitingFor = next ?? (!approved && this.needsApproval(job, spec) ? 'approval' : null);
    if (!waitingFor) return queued.job;
    const waiting = applyInTransaction(this.db, job.id, { type: 'await_input', waitingFor }, at);
    return waiting.ok ? waiting.job : queued.job;
  }
}

function describeRole(role: ProvidedInput['role']): string {
  return role === 'approval' ? 'an approval' : `a ${role}`;
}
