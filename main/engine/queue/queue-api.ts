import { randomUUID } from 'node:crypto';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { Job, PauseScope, QueueStats, Recipe } from '../../../shared/jobs';
import { cullAsset, existingAssetIds } from '../db/assets-repo';
import { committedSpend, getBudget, jobsAwaitingApproval, saveBudget } from '../db/budgets-repo';
import { writeTransaction, type Db } from '../db/connection';
import { listSteps } from '../db/job-steps-repo';
import {
  applyInTransaction,
  applyJobEvent,
  averageRecentRunMs,
  countJobsByState,
  getJob,
  listJobEvents,
  listJobs,
  maxQueuedPriority,
  resetSubmit,
  jobsWaitingForMask,
  setJobInputs,
  setJobPriority,
  type JobRecord,
} from '../db/jobs-repo';
import { getMask, listMasks, saveMask } from '../db/masks-repo';
import { activePauses, clearPause, setPause } from '../db/pauses-repo';
import { providerPausedReasons, setProviderPausedReason } from '../db/provider-accounts-repo';
import { deleteRecipe, getRecipe, listRecipes, saveRecipe } from '../db/recipes-repo';
import { listVariants, updateVariant } from '../db/variants-repo';
import { shootExists } from '../db/shoots-repo';
import type { EventHub } from '../events';
import { operationOf, type ProviderModule } from '../providers/contract';
import { decodeCursor, encodeCursor } from '../cursor';
import { enqueueRecipe, enqueueShootOperation, resolveOperation, validParams, type EnqueuedRun } from './enqueue';
import { REMOTE_FAILED, type QueueRunner } from './runner';
import { fitsBudget, isWaiting, MOVING_STATES, transition, type JobEvent } from '../../../shared/job-model';

type QueueMethods =
  | 'jobs.list'
  | 'jobs.get'
  | 'jobs.cancel'
  | 'jobs.retry'
  | 'jobs.resolveReview'
  | 'jobs.moveToTop'
  | 'jobs.approveBudget'
  | 'queue.pause'
  | 'queue.resume'
  | 'queue.stats'
  | 'recipes.list'
  | 'recipes.create'
  | 'recipes.update'
  | 'recipes.delete'
  | 'recipes.run'
  | 'recipes.estimate'
  | 'shoots.runOperation'
  | 'variants.list'
  | 'variants.update'
  | 'assets.cull'
  | 'masks.save'
  | 'masks.get'
  | 'masks.list';

export interface QueueApiContext {
  db: Db;
  runner: QueueRunner;
  providers: ReadonlyMap<string, ProviderModule>;
  events: EventHub;
  now: () => number;
}

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
    remoteId: job.remoteId,
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

/** The queue's part of the API: jobs, pauses, recipes, budgets, variants, culling and masks. */
export function createQueueApi(context: QueueApiContext): Pick<ApiHandlers, QueueMethods> {
  const { db, runner, events, now } = context;

  const requireJob = (id: string): JobRecord => {
    const job = getJob(db, id);
    if (!job) throw new AppError('not_found', `No job ${id}.`);
    return job;
  };

  const requireShoot = (id: string): void => {
    if (!shootExists(db, id)) throw new AppError('not_found', `No shoot ${id}.`);
  };

  /** A pause names a provider or shoot that exists, so a typo never leaves an invisible pause behind. */
  const requirePauseTarget = (scope: PauseScope, id: string | undefined): void => {
    if (scope === 'shoot' && id !== undefined) requireShoot(id);
    if (scope === 'provider' && id !== undefined && !context.providers.has(id)) {
      throw new AppError('not_found', `No provider named ${id}.`);
    }
  };

  /** Applies a user's request to a job, refusing (not crashing on) one its state does not allow. */
  const act = (id: string, event: JobEvent, refusal: (job: JobRecord) => string): Job => {
    const job = requireJob(id);
    if (!transition(job, event).ok) throw new AppError('conflict', refusal(job));
    const result = applyJobEvent(db, id, event, now());
    if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
    const view = toJobView(result.job);
    events.emit('job.updated', view);
    return view;
  };

  const operation = (provider: string, name: string) => resolveOperation(context.providers, provider, name);

  /** Announces a run's new jobs, wakes the queue, and says what was started. */
  const started = (planned: EnqueuedRun) => {
    for (const job of planned.jobs) {
      const record = getJob(db, job.id);
      if (record) events.emit('job.updated', toJobView(record));
    }
    runner.wake();
    return {
      jobIds: planned.jobs.map((job) => job.id),
      totalEstimate: planned.totalEstimate,
      awaitingApproval: planned.awaitingApproval,
      awaitingInput: planned.awaitingInput,
    };
  };

  const specOf = (job: JobRecord) => {
    const module = context.providers.get(job.provider);
    return module ? operationOf(module, job.operation) : undefined;
  };

  const stats = (): QueueStats => queueStats(db, runner.reachability());

  /** Would this paid job, started now, take its shoot past what the user approved (or auto-approves)? */
  const needsApproval = (job: JobRecord): boolean => {
    const spec = specOf(job);
    if (!spec?.paid || !job.shootId) return false;
    return !fitsBudget(getBudget(db, job.shootId), committedSpend(db, job.shootId), 0);
  };

  /** Jobs waiting for approval that the shoot's budget now covers, oldest first, go to the queue. */
  const releaseApproved = (shootId: string): number => {
    const budget = getBudget(db, shootId);
    let committed = committedSpend(db, shootId);
    let released = 0;
    for (const waiting of jobsAwaitingApproval(db, shootId)) {
      if (!fitsBudget(budget, committed, waiting.estimate)) break;
      const result = applyJobEvent(db, waiting.id, { type: 'input_given' }, now());
      if (result.ok) {
        committed += waiting.estimate;
        released += 1;
        events.emit('job.updated', toJobView(result.job));
      }
    }
    return released;
  };

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
      const job = requireJob(id);
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
      const view = act(
        id,
        { type: 'cancel' },
        (job) => `This job is already ${job.state}; there is nothing to cancel.`,
      );
      runner.abortJob(id);
      return view;
    },

    'jobs.retry': ({ id }) => {
      const job = requireJob(id);
      if (!transition(job, { type: 'retry' }).ok) {
        throw new AppError('conflict', `Only a failed or canceled job can be retried; this one is ${job.state}.`);
      }
      // Only a job the provider itself reported as failed needs a fresh submit (and a new charge, so
      // it asks for approval again if the budget says so); anything else resumes with the same key.
      const lastEvent = listJobEvents(db, id).at(-1);
      const freshSubmit = job.remoteId !== null && lastEvent?.detail === REMOTE_FAILED;
      const result = writeTransaction(db, () => {
        if (freshSubmit) resetSubmit(db, id, randomUUID(), now());
        let retried = applyInTransaction(db, id, { type: 'retry' }, now());
        if (freshSubmit && retried.ok && needsApproval(retried.job)) {
          retried = applyInTransaction(db, id, { type: 'await_input', waitingFor: 'approval' }, now());
        }
        return retried;
      });
      if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
      const view = toJobView(result.job);
      events.emit('job.updated', view);
      runner.wake();
      return view;
    },

    'jobs.resolveReview': ({ id, action }) => {
      const job = requireJob(id);
      if (job.state !== 'needs_review')
        throw new AppError('conflict', `This job is ${job.state}, not waiting for review.`);
      if (action === 'discard') {
        return act(id, { type: 'discard' }, () => 'This job can no longer be discarded.');
      }
      const result = runner.resend(id);
      if (!result.ok) throw new AppError('conflict', `Job ${id} changed meanwhile; try again.`);
      return toJobView(result.job);
    },

    'jobs.moveToTop': ({ id }) => {
      const job = requireJob(id);
      if (!isWaiting(job.state)) {
        throw new AppError('conflict', `Only a waiting job can be moved; this one is ${job.state}.`);
      }
      setJobPriority(db, id, maxQueuedPriority(db) + 1, now());
      runner.wake();
      const view = toJobView(requireJob(id));
      events.emit('job.updated', view);
      return view;
    },

    'jobs.approveBudget': ({ shootId, amount }) => {
      requireShoot(shootId);
      const budget = getBudget(db, shootId);
      const waiting = jobsAwaitingApproval(db, shootId).reduce((sum, job) => sum + job.estimate, 0);
      const approved = Math.max(budget.approved, committedSpend(db, shootId)) + (amount ?? waiting);
      if (budget.cap !== null && approved > budget.cap + 1e-9) {
        throw new AppError(
          'conflict',
          `Approving ${approved} credits would exceed this shoot's cap of ${budget.cap}. Raise the cap first.`,
          { cap: budget.cap, approved },
        );
      }
      saveBudget(db, { ...budget, approved }, now());
      const released = releaseApproved(shootId);
      runner.wake();
      return { approved, released };
    },

    'queue.pause': ({ scope, id }) => {
      requirePauseTarget(scope, id);
      setPause(db, scope, id ?? '', 'paused by the user', now());
      const result = stats();
      events.emit('queue.stats', result);
      return result;
    },

    'queue.resume': ({ scope, id }) => {
      requirePauseTarget(scope, id);
      clearPause(db, scope, id ?? '');
      // Resuming a provider also lifts a pause the queue made itself (credits topped up, key fixed).
      if (scope === 'provider' && id) setProviderPausedReason(db, id, null, now());
      runner.wake();
      const result = stats();
      events.emit('queue.stats', result);
      return result;
    },

    'queue.stats': () => stats(),

    'recipes.list': () => listRecipes(db),

    'recipes.create': ({ name, provider, operation: operationName, params }) => {
      const { spec } = operation(provider, operationName);
      const at = now();
      const recipe: Recipe = {
        id: randomUUID(),
        name,
        provider,
        operation: operationName,
        params: validParams(spec, params),
        createdAt: at,
        updatedAt: at,
      };
      saveRecipe(db, recipe);
      return recipe;
    },

    'recipes.update': ({ id, ...change }) => {
      const current = getRecipe(db, id);
      if (!current) throw new AppError('not_found', `No recipe ${id}.`);
      const merged = { ...current, ...change, updatedAt: now() };
      const { spec } = operation(merged.provider, merged.operation);
      const recipe: Recipe = { ...merged, params: validParams(spec, merged.params) };
      saveRecipe(db, recipe);
      return recipe;
    },

    'recipes.delete': ({ id }) => {
      if (!deleteRecipe(db, id)) throw new AppError('not_found', `No recipe ${id}.`);
      return { id };
    },

    'recipes.estimate': ({ recipeId, assetIds }) => {
      const recipe = getRecipe(db, recipeId);
      if (!recipe) throw new AppError('not_found', `No recipe ${recipeId}.`);
      // Plans the run with the very rules a real run applies, inside a transaction that is rolled back.
      let planned: ReturnType<typeof enqueueRecipe> | null = null;
      try {
        writeTransaction(db, () => {
          planned = enqueueRecipe(db, context.providers, recipe, assetIds, now());
          throw ESTIMATE_ONLY;
        });
      } catch (error) {
        if (error !== ESTIMATE_ONLY) throw error;
      }
      const plan = planned as ReturnType<typeof enqueueRecipe> | null;
      return {
        jobs: plan?.jobs.length ?? 0,
        totalEstimate: plan?.totalEstimate ?? 0,
        awaitingApproval: plan?.awaitingApproval ?? 0,
        awaitingInput: plan?.awaitingInput ?? 0,
      };
    },
    'recipes.run': ({ recipeId, assetIds }) => {
      const recipe = getRecipe(db, recipeId);
      if (!recipe) throw new AppError('not_found', `No recipe ${recipeId}.`);
      const known = existingAssetIds(db, assetIds);
      const missing = assetIds.filter((assetId) => !known.has(assetId));
      if (missing.length > 0) throw new AppError('not_found', `No asset ${missing.join(', ')}.`, { missing });
      const planned = writeTransaction(db, () => enqueueRecipe(db, context.providers, recipe, assetIds, now()));
      return started(planned);
    },

    'shoots.runOperation': ({ shootId, provider, operation, params }) => {
      requireShoot(shootId);
      const planned = writeTransaction(db, () =>
        enqueueShootOperation(db, context.providers, { shootId, provider, operation, params }, now()),
      );
      return started(planned);
    },
    'variants.list': (filter) => listVariants(db, filter),

    'variants.update': ({ id, ...change }) => {
      const variant = updateVariant(db, id, change, now());
      if (!variant) throw new AppError('not_found', `No variant ${id}.`);
      events.emit('variant.updated', variant);
      return variant;
    },

    'assets.cull': ({ id, ...change }) => {
      const asset = cullAsset(db, id, change, now());
      if (!asset) throw new AppError('not_found', `No asset ${id}.`);
      return asset;
    },

    'masks.save': ({ assetId, purpose, drawing }) => {
      if (!existingAssetIds(db, [assetId]).has(assetId)) throw new AppError('not_found', `No asset ${assetId}.`);
      const at = now();
      // One transaction: the mask, and every job on this asset that waited for this kind of mask
      // moving on: to the queue, or to the approval of its spend if the shoot's budget says so.
      const { mask, changed } = writeTransaction(db, () => {
        const saved = saveMask(db, assetId, purpose, drawing, at);
        const moved: JobRecord[] = [];
        for (const job of jobsWaitingForMask(db, assetId)) {
          if (specOf(job)?.inputs.mask !== purpose) continue;
          setJobInputs(db, job.id, { ...job.inputs, maskId: saved.id });
          let result = applyInTransaction(db, job.id, { type: 'input_given' }, at, { detail: `mask ${saved.id}` });
          if (result.ok && needsApproval(job)) {
            result = applyInTransaction(db, job.id, { type: 'await_input', waitingFor: 'approval' }, at);
          }
          if (result.ok) moved.push(result.job);
        }
        return { mask: saved, changed: moved };
      });
      for (const job of changed) events.emit('job.updated', toJobView(job));
      if (changed.length > 0) runner.wake();
      return mask;
    },

    'masks.get': ({ assetId, purpose }) => {
      const mask = getMask(db, assetId, purpose);
      if (!mask) throw new AppError('not_found', `Asset ${assetId} has no ${purpose} mask.`);
      return mask;
    },

    'masks.list': ({ assetId }) => listMasks(db, assetId),
  };
}

/** Thrown to roll back the planning transaction of an estimate. */
const ESTIMATE_ONLY = new Error('estimate only');

export function queueStats(db: Db, reachability: ReadonlyMap<string, boolean> = new Map()): QueueStats {
  const byState: Record<string, number> = {};
  const byProvider: Record<string, Record<string, number>> = {};
  for (const row of countJobsByState(db)) {
    byState[row.state] = (byState[row.state] ?? 0) + row.count;
    const provider = (byProvider[row.provider] ??= {});
    provider[row.state] = row.count;
  }
  const pauses = activePauses(db);
  const remaining = MOVING_STATES.reduce((sum, state) => sum + (byState[state] ?? 0), 0);
  const recentRunMs = averageRecentRunMs(db, 50);
  return {
    byState,
    byProvider,
    paused: {
      global: pauses.global,
      providers: [...pauses.providers],
      shoots: [...pauses.shoots],
      providerReasons: Object.fromEntries(providerPausedReasons(db)),
    },
    // Jobs run about four at a time per provider (the default concurrency).
    etaMs: remaining === 0 ? 0 : recentRunMs === null ? null : Math.round((remaining * recentRunMs) / 4),
    unreachable: [...reachability].filter(([, reachable]) => !reachable).map(([id]) => id),
  };
}
