import { AppError } from '../../../shared/errors';
import { fitsBudget } from '../../../shared/job-model';
import type { InputRef, InputTarget, JobInputs, MaskRef } from '../../../shared/job-inputs';
import type { WaitingFor } from '../../../shared/jobs';
import type { MaskPurpose } from '../../../shared/mask';
import { getAssetSize } from '../db/assets-repo';
import { committedSpend, getBudget } from '../db/budgets-repo';
import type { Db } from '../db/connection';
import { defaultMask } from '../db/masks-repo';
import { getVariant } from '../db/variants-repo';
import type { OperationSpec } from '../providers/contract';

/**
 * How a job's inputs are pinned and what it still waits for: the one place enqueue, a saved mask
 * and `jobs.provideInput` all ask.
 */

/** What a user points at (a photo, a result), pinned: a photo at its current version and turn. */
export function pinTarget(db: Db, target: InputTarget): InputRef {
  if (target.kind === 'asset') {
    const asset = getAssetSize(db, target.id);
    if (!asset) throw new AppError('not_found', `No photo ${target.id}.`);
    // The turn is part of the photo as pinned: turning it later changes later jobs, not this one.
    return { kind: 'asset', assetId: target.id, version: asset.version, ...(asset.turn ? { turn: asset.turn } : {}) };
  }
  const variant = getVariant(db, target.id);
  if (!variant) throw new AppError('not_found', `No result ${target.id}.`);
  if (variant.kind !== 'image') throw new AppError('invalid_input', `Result ${target.id} is not a picture.`);
  return { kind: 'variant', variantId: variant.id, assetId: variant.assetId };
}

/** The photo's current mask of a purpose, pinned at its current version; null when it has none. */
export function pinDefaultMask(db: Db, assetId: string | null, purpose: MaskPurpose): MaskRef | null {
  if (!assetId) return null;
  const mask = defaultMask(db, assetId, purpose);
  return mask ? { maskId: mask.id, version: mask.version } : null;
}

/** Refuses an item an operation cannot take as its picture ("works on photos", "works from a prompt"). */
export function checkPictureFits(spec: OperationSpec, target: InputTarget): void {
  const { source, firstFrame } = spec.inputs;
  if (source === 'none' && !firstFrame) {
    throw new AppError('invalid_input', `${spec.label} starts from a prompt: run it on a shoot, not on a selection.`);
  }
  if (source === 'photo' && target.kind === 'variant') {
    throw new AppError('invalid_input', `${spec.label} works on photos, not on results.`);
  }
  if (source === 'variant' && target.kind === 'asset') {
    throw new AppError('invalid_input', `${spec.label} works on results (variants), not on photos.`);
  }
}

/**
 * The inputs of a job on one picture (or none), with its mask pinned if there is one to pin: the
 * one chosen for its photo, else the photo's latest mask of the purpose.
 */
export function planInputs(
  db: Db,
  spec: OperationSpec,
  picture: InputTarget | null,
  garment: InputTarget | undefined,
  chosenMasks: ReadonlyMap<string, MaskRef> = new Map(),
): JobInputs {
  const pinned = picture ? pinTarget(db, picture) : null;
  const inputs: JobInputs = {};
  if (pinned) {
    if (spec.inputs.firstFrame) inputs.firstFrame = pinned;
    else inputs.source = pinned;
  }
  if (garment && spec.inputs.garment) inputs.garment = pinTarget(db, garment);
  if (spec.inputs.mask) {
    const assetId = pinned?.assetId ?? null;
    const mask = (assetId && chosenMasks.get(assetId)) || pinDefaultMask(db, assetId, spec.inputs.mask.purpose);
    if (mask) inputs.mask = mask;
  }
  return inputs;
}

/**
 * What a shoot has committed to spend at each provider, read once and then kept as jobs are planned
 * (a run of a thousand jobs must not ask SQLite a thousand times, nor count itself twice).
 */
export class SpendTracker {
  private readonly committed = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /** Does this paid job fit its shoot's budget at its provider? If so, it is counted. */
  reserve(shootId: string, provider: string, estimate: number): boolean {
    const key = `${shootId}\u0000${provider}`;
    const committed = this.committed.get(key) ?? committedSpend(this.db, shootId, provider);
    if (!fitsBudget(getBudget(this.db, shootId, provider), committed, estimate)) return false;
    this.committed.set(key, committed + estimate);
    return true;
  }
}

/**
 * What a job still waits for, in the order a person gives them: a required mask, then a garment,
 * then (for paid work beyond what its shoot approved at that provider) the approval of its spend.
 * Null when it can run.
 */
export function nextWait(
  spec: OperationSpec,
  job: { shootId: string | null; provider: string; inputs: JobInputs; estimate: number; uncertain?: boolean },
  spend: SpendTracker | 'approved',
): WaitingFor | null {
  if (spec.inputs.mask?.required && !job.inputs.mask) return 'mask';
  if (spec.inputs.garment && !job.inputs.garment) return 'garment';
  if (spend === 'approved' || !spec.paid || !job.shootId) return null;
  // A price nobody could know is not approved by a budget: a person reads it first.
  if (job.uncertain) return 'approval';
  return spend.reserve(job.shootId, job.provider, job.estimate) ? null : 'approval';
}
