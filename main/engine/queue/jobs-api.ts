import { randomUUID } from 'node:crypto';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { isWaiting, transition } from '../../../shared/job-model';
import { writeTransaction } from '../db/connection';
import { listSteps } from '../db/job-steps-repo';
import {
  applyInTransaction,
  listJobEvents,
  listJobs,
  maxQueuedPriority,
  resetSubmit,
  setJobPriority,
} from '../db/jobs-repo';
import { decodeCursor, encodeCursor } from '../cursor';
import { QueueApiSupport, type QueueApiContext } from './api-context';
import { toJobView } from './job-view';
import { REMOTE_FAILED } from './job-run';

type JobMethods =
  | 'jobs.list'
  | 'jobs.get'
  | 'jobs.cancel'
  | 'jobs.retry'
  | 'jobs.resolveReview'
  | 'jobs.moveToTop'
  | 'jobs.provideInput';

/** Jobs: list and read them, and what a user may do to one (cancel, retry, resolve a review, move up). */
export function createJobsApi(context: QueueApiContext): Pick<ApiHandlers, JobMethods> {
  const { db, runner, now } = context;
  const support = new QueueApiSupport(context);
  return {
    'jobs.list': ({ shootId, states, provider, limit, cursor }) => {
      const page = cursor ? decodeCursor(cursor, 'number') : undefined;
      const after = page ? { createdAt: page.key, seq: page.seq } : undefined;
      const jobs = listJobs(db, { shootId, states, provider, limit, after });
      const last = jobs.at(-1);
      return {
        jobs: jobs.map(toJobView),
        nextCursor: jobs.length === limit && last ? encodeCursor(last.createdAt, last.seq) : null,
      };
    },

    'jobs.get': ({ id }) => {
      const job = support.requireJob(id);
      return {
        ...toJobView(job),
        steps: listSteps(db, id).map((step) => ({
          step: step.step,
          state: step.state,
          remoteId: step.remoteId,
          updatedAt: step.updatedAt,
        })),
        events: listJobEvents(db, id).map(({ id: _eventId, ...event }) => event),
      };
    },

    'jobs.cancel': ({ id }) => {
      const view = support.act(
        id,
        { type: 'cancel' },
        (job) => `This job is already ${job.state}; there is nothing to cancel.`,
      );
      runner.abortJob(id);
      return view;
    },

    'jobs.retry': ({ id }) => {
      const job = support.requireJob(id);
      if (!transition(job, { type: 'retry' }).ok) {
        throw new AppError('conflict', `Only a failed or canceled job can be retried; this one is ${job.state}.`);
      }
      // Only a job the provider itself reported as failed needs a fresh submit (and a new charge, so
      // it asks for approval again if the budget says so); anything else resumes with the same key.
      const lastEvent = listJobEvents(db, id).at(-1);
      const freshSubmit = job.remote !== null && lastEvent?.detail === REMOTE_FAILED;
      const result = writeTransaction(db, () => {
        if (freshSubmit) resetSubmit(db, id, randomUUID(), now());
        let retried = applyInTransaction(db, id, { type: 'retry' }, now());
        if (freshSubmit && retried.ok && support.needsApproval(retried.job)) {
          retried = applyInTransaction(db, id, { type: 'await_input', waitingFor: 'approval' }, now());
        }
        return retried;
      });
      if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
      const view = support.announce(result.job);
      runner.wake();
      return view;
    },

    'jobs.provideInput': ({ id, input }) => {
      const job = support.giver.provide(id, input, now());
      support.announceAll([job]);
      return toJobView(job);
    },

    'jobs.resolveReview': ({ id, action }) => {
      const job = support.requireJob(id);
      if (job.state !== 'needs_review')
        throw new AppError('conflict', `This job is ${job.state}, not waiting for review.`);
      if (action === 'discard') {
        return support.act(id, { type: 'discard' }, () => 'This job can no longer be discarded.');
      }
      const result = runner.resend(id);
      if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
      return toJobView(result.job);
    },

    'jobs.moveToTop': ({ id }) => {
      const job = support.requireJob(id);
      if (!isWaiting(job.state)) {
        throw new AppError('conflict', `Only a waiting job can be moved; this one is ${job.state}.`);
      }
      setJobPriority(db, id, maxQueuedPriority(db) + 1, now());
      runner.wake();
      return support.announce(support.requireJob(id));
    },
  };
}
