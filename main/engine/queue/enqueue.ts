import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { fitsBudget } from '../../../shared/job-model';
import { parseOrThrow } from '../../../shared/validation';
import type { Recipe } from '../../../shared/jobs';
import { assetShoot } from '../db/assets-repo';
import { claimAutoRun, defaultRecipeFor, recordAutoRunJob } from '../db/auto-runs-repo';
import { committedSpend, getBudget } from '../db/budgets-repo';
import { writeTransaction, type Db } from '../db/connection';
import { getJob, insertJobs, type JobRecord, type NewJob } from '../db/jobs-repo';
import { getMask } from '../db/masks-repo';
import { getRecipe } from '../db/recipes-repo';
import { listVariants } from '../db/variants-repo';
import { operationOf, type OperationSpec, type ProviderModule } from '../providers/contract';
import { retryLimitSetting } from '../db/settings-service';

export function resolveOperation(
  providers: ReadonlyMap<string, ProviderModule>,
  provider: string,
  name: string,
): { module: ProviderModule; spec: OperationSpec } {
  const module = providers.get(provider);
  if (!module) throw new AppError('invalid_input', `No provider named ${provider}.`);
  const spec = operationOf(module, name);
  if (!spec) throw new AppError('invalid_input', `${module.name} has no operation named ${name}.`);
  return { module, spec };
}

export function validParams(spec: OperationSpec, params: Record<string, unknown>): Record<string, unknown> {
  return parseOrThrow(spec.params, params, 'params');
}

export interface EnqueuedRun {
  jobs: NewJob[];
  totalEstimate: number;
  awaitingApproval: number;
  awaitingInput: number;
}

/**
 * One job per asset for a recipe, inside the caller's write transaction. A job whose operation
 * needs a mask the asset lacks waits for it; a paid job beyond what its shoot approved (or
 * auto-approves, up to the cap) waits for approval. The same rules apply whether the user ran
 * the recipe or a hot folder did.
 */
export function enqueueRecipe(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  recipe: Recipe,
  assetIds: readonly string[],
  now: number,
): EnqueuedRun {
  const { module, spec } = resolveOperation(providers, recipe.provider, recipe.operation);
  if (spec.inputs.shootVariants || spec.inputs.shoot) {
    throw new AppError('invalid_input', `${spec.label} works on a whole shoot: run it from the shoot, not on photos.`);
  }
  if (spec.inputs.garment) {
    // Nothing can supply a garment photo to a job yet; refuse rather than leave jobs waiting forever.
    throw new AppError('invalid_input', `${spec.label} needs a garment photo, which a recipe cannot give yet.`);
  }
  const params = validParams(spec, recipe.params);
  const run: EnqueuedRun = { jobs: [], totalEstimate: 0, awaitingApproval: 0, awaitingInput: 0 };
  const spend = new Map<string, number>();
  const maxAttempts = retryLimitSetting(db);
  for (const assetId of assetIds) {
    const shootId = assetShoot(db, assetId);
    const mask = spec.inputs.mask ? getMask(db, assetId, spec.inputs.mask) : null;
    const inputs = { assetIds: [assetId], ...(mask ? { maskId: mask.id } : {}) };
    const estimate = module.estimateCost(recipe.operation, params, inputs).credits;
    run.totalEstimate += estimate;
    let waitingFor: NewJob['waitingFor'] = null;
    if (spec.inputs.mask && !mask) waitingFor = 'mask';
    else if (spec.paid && shootId && !withinBudget(db, spend, shootId, estimate)) waitingFor = 'approval';
    if (waitingFor === 'approval') run.awaitingApproval += 1;
    else if (waitingFor) run.awaitingInput += 1;
    run.jobs.push({
      id: randomUUID(),
      shootId,
      recipeId: recipe.id,
      provider: recipe.provider,
      operation: recipe.operation,
      inputs,
      params,
      idempotencyKey: randomUUID(),
      maxAttempts,
      costEstimate: estimate,
      priority: 0,
      waitingFor,
    });
  }
  insertJobs(db, run.jobs, now);
  return run;
}

/**
 * Is a paid job of `estimate` credits within what its shoot approved (or auto-approves, up to the
 * cap)? `spend` carries what this enqueue already committed per shoot; it is updated when it fits.
 */
function withinBudget(db: Db, spend: Map<string, number>, shootId: string, estimate: number): boolean {
  const committed = spend.get(shootId) ?? committedSpend(db, shootId);
  if (!fitsBudget(getBudget(db, shootId), committed, estimate)) return false;
  spend.set(shootId, committed + estimate);
  return true;
}

/**
 * One job for an operation on a whole shoot (an AIXpose video or publish): its inputs are the
 * shoot's approved image variants, in the order they were made. Nothing approved, nothing to do.
 */
export function enqueueShootOperation(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  request: { shootId: string; provider: string; operation: string; params: Record<string, unknown> },
  now: number,
): EnqueuedRun {
  const { module, spec } = resolveOperation(providers, request.provider, request.operation);
  if (!spec.inputs.shootVariants && !spec.inputs.shoot) {
    throw new AppError('invalid_input', `${spec.label} works on photos: run it on a selection, not on a shoot.`);
  }
  const params = validParams(spec, request.params);
  const variantIds = spec.inputs.shootVariants
    ? listVariants(db, { shootId: request.shootId })
        .filter((variant) => variant.approved && variant.kind === 'image')
        .map((variant) => variant.id)
    : [];
  if (spec.inputs.shootVariants && variantIds.length === 0) {
    throw new AppError('invalid_input', `Approve at least one variant of this shoot before "${spec.label}".`);
  }
  const inputs = { assetIds: [], variantIds };
  const estimate = module.estimateCost(request.operation, params, inputs).credits;
  const waitingFor: NewJob['waitingFor'] =
    spec.paid && !withinBudget(db, new Map(), request.shootId, estimate) ? 'approval' : null;
  const job: NewJob = {
    id: randomUUID(),
    shootId: request.shootId,
    recipeId: null,
    provider: request.provider,
    operation: request.operation,
    inputs,
    params,
    idempotencyKey: randomUUID(),
    maxAttempts: retryLimitSetting(db),
    costEstimate: estimate,
    priority: 0,
    waitingFor,
  };
  insertJobs(db, [job], now);
  return {
    jobs: [job],
    totalEstimate: estimate,
    awaitingApproval: waitingFor === 'approval' ? 1 : 0,
    awaitingInput: 0,
  };
}

/**
 * Runs the asset's hot folder default recipe on a freshly decoded photo, once per content: a
 * rescan, a restart or a duplicate never enqueues it again. Null when there is nothing to run.
 * A recipe that cannot run (its provider is gone, its parameters no longer valid) is refused
 * here and reported by the caller; the photo itself stays ingested.
 */
export function enqueueDefaultRecipe(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  assetId: string,
  now: number,
): JobRecord | null {
  const jobId = writeTransaction(db, () => {
    const wanted = defaultRecipeFor(db, assetId);
    if (!wanted) return null;
    const recipe = getRecipe(db, wanted.recipeId);
    if (!recipe) return null;
    if (!claimAutoRun(db, assetId, wanted.contentHash, recipe.id, now)) return null;
    const run = enqueueRecipe(db, providers, recipe, [assetId], now);
    const job = run.jobs[0];
    if (job) recordAutoRunJob(db, assetId, wanted.contentHash, recipe.id, job.id);
    return job?.id ?? null;
  });
  return jobId ? getJob(db, jobId) : null;
}
