import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';
import { MAX_JOBS_PER_RUN } from '../../../shared/api-garments';
import { PRODUCT_TYPE_PARAM } from '../../../shared/garments';
import type { InputRef, InputTarget, MaskRef } from '../../../shared/job-inputs';
import type { Recipe } from '../../../shared/jobs';
import { assetShoot, getAsset, getAssetSize } from '../db/assets-repo';
import { claimAutoRun, defaultRecipeFor, recordAutoRunJob } from '../db/auto-runs-repo';
import { writeTransaction, type Db } from '../db/connection';
import { getJob, insertJobs, type JobRecord, type NewJob } from '../db/jobs-repo';
import { getMask } from '../db/masks-repo';
import { refusedOperations } from '../db/provider-accounts-repo';
import { getRecipe } from '../db/recipes-repo';
import { getVariant, listVariants } from '../db/variants-repo';
import { cachedCatalog } from './provider-catalog';
import { operationOf, type CatalogEntry, type OperationSpec, type ProviderModule } from '../providers/contract';
import { retryLimitSetting } from '../db/settings-service';
import { checkPictureFits, nextWait, pinTarget, planInputs, SpendTracker } from './job-inputs-plan';

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
  /** Pictures left out because the operation would refuse them (known before sending), and why. */
  refused: { id: string; reason: string }[];
}

/**
 * What a run works on: photos and earlier results, one job each — or, with several garments, one
 * job per picture and garment (the try-on matrix); a single garment goes to every job.
 */
export interface RunTargets {
  assetIds: readonly string[];
  variantIds: readonly string[];
  garment?: InputTarget;
  garments?: readonly InputTarget[];
  /** Masks the user chose, by id (each is one photo's); other photos take their latest mask of the purpose. */
  masks?: readonly string[];
}

/**
 * One job per photo or result for a recipe, inside the caller's write transaction. Each job's
 * inputs are pinned (the photo's version, the mask's version); a job that lacks a required mask
 * or a garment waits for it, and a paid job beyond what its shoot approved at that provider (or
 * auto-approves, up to the cap) waits for approval. The same rules apply whether the user ran the
 * recipe or a hot folder did.
 */
export function enqueueRecipe(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  recipe: Recipe,
  targets: RunTargets,
  now: number,
  /**
   * Leave out the pictures the operation would refuse (a run the user asked for, who sees the list
   * first). A hot folder's automatic run keeps them, so the refusal shows on the photo as a failed job.
   */
  { leaveOutRefused = true }: { leaveOutRefused?: boolean } = {},
): EnqueuedRun {
  return enqueueOnPictures(db, providers, { ...recipe, fillProductType: false }, targets, now, { leaveOutRefused });
}

/** An operation to run on pictures: a saved recipe's, or one chosen in a dialog (no recipe). */
export interface PictureWork {
  id: string | null;
  provider: string;
  operation: string;
  params: Record<string, unknown>;
  /**
   * Fill the operation's product type, when the params leave it out, from each job's garment (a
   * try-on) or its photo (a description): what the user marked once is not asked again.
   */
  fillProductType: boolean;
}

/** The jobs of a run on pictures (see enqueueRecipe), inside the caller's write transaction. */
export function enqueueOnPictures(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  work: PictureWork,
  targets: RunTargets,
  now: number,
  { leaveOutRefused = true }: { leaveOutRefused?: boolean } = {},
): EnqueuedRun {
  const { module, spec } = resolveOperation(providers, work.provider, work.operation);
  if (spec.inputs.shootVariants || spec.inputs.shoot) {
    throw new AppError('invalid_input', `${spec.label} works on a whole shoot: run it from the shoot, not on photos.`);
  }
  // Each picture and garment once: the same photo twice in a request is one job, not two charges.
  const pictures: InputTarget[] = [
    ...unique(targets.assetIds).map((id) => ({ kind: 'asset' as const, id })),
    ...unique(targets.variantIds).map((id) => ({ kind: 'variant' as const, id })),
  ];
  for (const picture of pictures) checkPictureFits(spec, picture);
  const photos = new Set([
    ...targets.assetIds,
    ...targets.variantIds.flatMap((id) => getVariant(db, id)?.assetId ?? []),
  ]);
  const chosen = chosenMasks(db, spec, targets.masks ?? [], photos);
  const params = validParams(spec, work.params);
  const planner = new JobPlanner(db, module, spec, work, params);
  const listed = uniqueTargets(targets.garments ?? []);
  if (listed.length > 0 && !spec.inputs.garment) {
    throw new AppError('invalid_input', `${spec.label} takes no garment.`);
  }
  const garments: readonly (InputTarget | undefined)[] = listed.length > 0 ? listed : [targets.garment];
  const jobs = pictures.length * garments.length;
  if (jobs > MAX_JOBS_PER_RUN) {
    throw new AppError(
      'invalid_input',
      `This run would make ${jobs.toLocaleString('en-US')} jobs; one run makes at most ${MAX_JOBS_PER_RUN.toLocaleString('en-US')}. Run it in parts.`,
    );
  }
  for (const picture of pictures) {
    const refusal = leaveOutRefused ? refusalOf(db, spec, params, picture) : null;
    if (refusal) {
      planner.refuse(picture.id, refusal);
      continue;
    }
    for (const garment of garments) {
      // A try-on takes the garment's product type; anything else the picture's own.
      const about = spec.inputs.garment ? garment : picture;
      const typed = work.fillProductType && about ? withProductType(db, spec, work.params, about) : null;
      planner.add(shootOf(db, picture), picture, garment, {}, chosen, typed ?? params);
    }
  }
  return planner.insert(now);
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function uniqueTargets(targets: readonly InputTarget[]): InputTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.kind}:${target.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The params with the product type of the photo they concern (a garment's, or the picture's own
 * when it is a photo marked as a garment or product), when the user left it out and the operation
 * takes one; null to keep the params as they are.
 */
function withProductType(
  db: Db,
  spec: OperationSpec,
  raw: Record<string, unknown>,
  about: InputTarget,
): Record<string, unknown> | null {
  if (raw[PRODUCT_TYPE_PARAM] !== undefined) return null;
  // A result (a garment cut out earlier, a retouched product) has its photo's type.
  const assetId = about.kind === 'asset' ? about.id : getVariant(db, about.id)?.assetId;
  const type = assetId ? getAsset(db, assetId)?.garment : null;
  if (!type) return null;
  const typed = spec.params.safeParse({ ...raw, [PRODUCT_TYPE_PARAM]: type });
  return typed.success ? typed.data : null;
}

/** The masks a user chose for a run, by the photo each belongs to, pinned at their current version. */
function chosenMasks(
  db: Db,
  spec: OperationSpec,
  ids: readonly string[],
  photos: ReadonlySet<string>,
): ReadonlyMap<string, MaskRef> {
  const chosen = new Map<string, MaskRef>();
  for (const id of ids) {
    const mask = getMask(db, id);
    if (!mask) throw new AppError('not_found', `No mask ${id}.`);
    const wanted = spec.inputs.mask?.purpose;
    if (!wanted) throw new AppError('invalid_input', `${spec.label} takes no mask.`);
    if (mask.purpose !== wanted) {
      throw new AppError(
        'invalid_input',
        `“${mask.name}” is a ${mask.purpose} mask; ${spec.label} takes a ${wanted} mask.`,
      );
    }
    if (!photos.has(mask.assetId)) {
      throw new AppError('invalid_input', `“${mask.name}” is painted on a photo this run does not include.`);
    }
    if (chosen.has(mask.assetId)) throw new AppError('invalid_input', 'Choose one mask per photo.');
    chosen.set(mask.assetId, { maskId: mask.id, version: mask.version });
  }
  return chosen;
}

/**
 * One job for an operation on a whole shoot: an AIXpose video or publish (its inputs are the
 * shoot's approved image variants, in the order they were made), or an operation that starts from
 * nothing (a prompt makes images). Nothing approved, no video.
 */
export function enqueueShootOperation(
  db: Db,
  providers: ReadonlyMap<string, ProviderModule>,
  request: {
    shootId: string;
    provider: string;
    operation: string;
    params: Record<string, unknown>;
    garment?: InputTarget;
    /** A picture that guides what is made (a shape), for an operation that takes one. */
    reference?: InputTarget;
    /** How many jobs (each makes its own pictures): four product images are four requests. */
    count?: number;
  },
  now: number,
): EnqueuedRun {
  const { module, spec } = resolveOperation(providers, request.provider, request.operation);
  if (request.reference && !spec.inputs.reference) {
    throw new AppError('invalid_input', `${spec.label} takes no reference picture.`);
  }
  const reference = request.reference ? pinTarget(db, request.reference) : undefined;
  const onShoot = spec.inputs.shootVariants !== undefined || spec.inputs.shoot === true;
  if (!onShoot && (spec.inputs.source !== 'none' || spec.inputs.firstFrame)) {
    throw new AppError('invalid_input', `${spec.label} works on photos: run it on a selection, not on a shoot.`);
  }
  const recipe = { id: null, provider: request.provider, operation: request.operation };
  const planner = new JobPlanner(db, module, spec, recipe, validParams(spec, request.params));
  if (spec.inputs.shootVariants) {
    const variants = listVariants(db, { shootId: request.shootId })
      .filter((variant) => variant.approved && variant.kind === 'image')
      .map((variant) => variant.id);
    if (variants.length === 0) {
      throw new AppError('invalid_input', `Approve at least one variant of this shoot before "${spec.label}".`);
    }
    planner.add(request.shootId, null, request.garment, { variants });
  } else {
    for (let made = 0; made < (request.count ?? 1); made++) {
      planner.add(request.shootId, null, request.garment, reference ? { reference } : {});
    }
  }
  return planner.insert(now);
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
    const run = enqueueRecipe(db, providers, recipe, { assetIds: [assetId], variantIds: [] }, now, {
      leaveOutRefused: false,
    });
    const job = run.jobs[0];
    if (job) recordAutoRunJob(db, assetId, wanted.contentHash, recipe.id, job.id);
    return job?.id ?? null;
  });
  return jobId ? getJob(db, jobId) : null;
}

/** Why the operation would refuse this picture, when its size says so before anything is sent. */
function refusalOf(db: Db, spec: OperationSpec, params: Record<string, unknown>, picture: InputTarget): string | null {
  if (!spec.refuses) return null;
  const size = picture.kind === 'asset' ? getAssetSize(db, picture.id) : getVariant(db, picture.id);
  if (!size?.width || !size.height) return null; // not decoded yet: the run itself judges it
  return spec.refuses(params, { width: size.width, height: size.height });
}

/** The shoot a picture belongs to: a photo's, or the shoot of the job that made a result. */
function shootOf(db: Db, picture: InputTarget): string | null {
  if (picture.kind === 'asset') return assetShoot(db, picture.id);
  const variant = getVariant(db, picture.id);
  return variant ? (getJob(db, variant.jobId)?.shootId ?? null) : null;
}

/** Plans a run's jobs one by one (pinned inputs, estimate, what each waits for), then inserts them at once. */
class JobPlanner {
  private readonly run: EnqueuedRun = {
    jobs: [],
    totalEstimate: 0,
    awaitingApproval: 0,
    awaitingInput: 0,
    refused: [],
  };
  private readonly spend: SpendTracker;
  private readonly maxAttempts: number;
  /** Read once per run: prices of models the provider lists. */
  private readonly catalog: CatalogEntry[];

  constructor(
    private readonly db: Db,
    private readonly module: ProviderModule,
    private readonly spec: OperationSpec,
    private readonly recipe: { id: string | null; provider: string; operation: string },
    private readonly params: Record<string, unknown>,
  ) {
    const refused = refusedOperations(db, module.id).get(recipe.operation);
    if (refused) {
      throw new AppError(
        'invalid_input',
        `${module.name} refuses "${spec.label}" to the key set: ${refused} Set a key that may, in Settings › Providers.`,
      );
    }
    this.spend = new SpendTracker(db);
    this.maxAttempts = retryLimitSetting(db);
    this.catalog = cachedCatalog(db, module);
  }

  /** Leaves a picture out of the run, with the reason the operation would give. */
  refuse(id: string, reason: string): void {
    this.run.refused.push({ id, reason });
  }

  add(
    shootId: string | null,
    picture: InputTarget | null,
    garment: InputTarget | undefined,
    extra: { variants?: string[]; reference?: InputRef } = {},
    masks: ReadonlyMap<string, MaskRef> = new Map(),
    params: Record<string, unknown> = this.params,
  ): void {
    const inputs = { ...planInputs(this.db, this.spec, picture, garment, masks), ...extra };
    const cost = this.module.estimateCost(this.recipe.operation, params, inputs, this.catalog);
    const estimate = cost.credits;
    const waitingFor = nextWait(
      this.spec,
      { shootId, provider: this.recipe.provider, inputs, estimate, uncertain: cost.uncertain === true },
      this.spend,
    );
    this.run.totalEstimate += estimate;
    if (waitingFor === 'approval') this.run.awaitingApproval += 1;
    else if (waitingFor) this.run.awaitingInput += 1;
    this.run.jobs.push({
      id: randomUUID(),
      shootId,
      recipeId: this.recipe.id,
      provider: this.recipe.provider,
      operation: this.recipe.operation,
      inputs,
      params,
      idempotencyKey: randomUUID(),
      maxAttempts: this.maxAttempts,
      costEstimate: estimate,
      priority: 0,
      waitingFor,
    });
  }

  insert(now: number): EnqueuedRun {
    insertJobs(this.db, this.run.jobs, now);
    return this.run;
  }
}
