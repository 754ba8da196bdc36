import type { Job } from '../../../shared/jobs';
import type { JobRecord } from '../db/jobs-repo';

/** A job as the UI sees it: the record without the queue's bookkeeping (lease, idempotency key, seq). */
export function toJobView(job: JobRecord): Job {
  return {
    id: job.id,
    shootId: job.shootId,
    recipeId: job.recipeId,
    provider: job.provider,
    operation: job.operation,
    inputs: job.inputs,
    params: job.params,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    nextAttemptAt: job.nextAttemptAt,
    remoteId: job.remote?.id ?? null,
    costEstimate: job.costEstimate,
    costCharged: job.costCharged,
    lastError: job.lastError,
    priority: job.priority,
    waitingFor: job.waitingFor,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}
