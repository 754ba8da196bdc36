import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { existingAssetIds } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import { applyInTransaction, jobsWaitingForMask, setJobInputs, type JobRecord } from '../db/jobs-repo';
import { getMask, listMasks, saveMask } from '../db/masks-repo';
import { QueueApiSupport, type QueueApiContext } from './api-context';

type MaskMethods = 'masks.save' | 'masks.get' | 'masks.list';

/** Masks painted on a photo; saving one moves on every job that waited for it. */
export function createMasksApi(context: QueueApiContext): Pick<ApiHandlers, MaskMethods> {
  const { db, runner, now } = context;
  const support = new QueueApiSupport(context);
  return {
    'masks.save': ({ assetId, purpose, drawing }) => {
      if (!existingAssetIds(db, [assetId]).has(assetId)) throw new AppError('not_found', `No asset ${assetId}.`);
      const at = now();
      // One transaction: the mask, and every job on this asset that waited for this kind of mask
      // moving on: to the queue, or to the approval of its spend if the shoot's budget says so.
      const { mask, changed } = writeTransaction(db, () => {
        const saved = saveMask(db, assetId, purpose, drawing, at);
        const moved: JobRecord[] = [];
        for (const job of jobsWaitingForMask(db, assetId)) {
          if (support.specOf(job)?.inputs.mask !== purpose) continue;
          setJobInputs(db, job.id, { ...job.inputs, maskId: saved.id });
          let result = applyInTransaction(db, job.id, { type: 'input_given' }, at, { detail: `mask ${saved.id}` });
          if (result.ok && support.needsApproval(job)) {
            result = applyInTransaction(db, job.id, { type: 'await_input', waitingFor: 'approval' }, at);
          }
          if (result.ok) moved.push(result.job);
        }
        return { mask: saved, changed: moved };
      });
      for (const job of changed) support.announce(job);
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
