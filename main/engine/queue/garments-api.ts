import type { ApiHandlers } from '../../../shared/api';
import type { PlannedPair } from '../../../shared/api-garments';
import { AppError } from '../../../shared/errors';
import { existingAssetIds, getAsset, listGarments, setGarmentType } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import type { NewJob } from '../db/jobs-repo';
import { setShootGarments } from '../db/shoots-repo';
import { QueueApiSupport, type QueueApiContext } from './api-context';
import { enqueueOnPictures, type EnqueuedRun } from './enqueue';

type GarmentMethods =
  'assets.markGarment' | 'shoots.setGarments' | 'garments.list' | 'operations.estimate' | 'operations.run';

/** Most garments the try-on dialog lists (a library's garments, newest shoots first). */
const LISTED_GARMENTS = 2_000;

/** How many unknown ids an error names. */
const MISSING_NAMED = 5;

/** Thrown to roll back the planning transaction of an estimate. */
const ESTIMATE_ONLY = new Error('estimate only');

/**
 * Garments (photos marked with their product type, or a garment shoot's) and operations chosen in
 * a dialog rather than a saved recipe: a try-on matrix of persons and garments, a description.
 * Estimates plan with the very rules a run applies, then roll back.
 */
export function createGarmentsApi(context: QueueApiContext): Pick<ApiHandlers, GarmentMethods> {
  const { db, providers, events, now } = context;
  const support = new QueueApiSupport(context);

  type Request = Parameters<ApiHandlers['operations.run']>[0];

  /** Refuses ids that are no photo, naming the first few. */
  const requirePhotos = (ids: readonly string[]): void => {
    const known = existingAssetIds(db, ids);
    const missing = ids.filter((assetId) => !known.has(assetId));
    if (missing.length === 0) return;
    const named = missing.slice(0, MISSING_NAMED).join(', ');
    const more = missing.length > MISSING_NAMED ? ` and ${missing.length - MISSING_NAMED} more` : '';
    throw new AppError('not_found', `No photo ${named}${more}.`, { missing: missing.slice(0, 100) });
  };
  const plan = (request: Request): EnqueuedRun =>
    enqueueOnPictures(
      db,
      providers,
      {
        id: null,
        provider: request.provider,
        operation: request.operation,
        params: request.params,
        fillProductType: true,
      },
      request,
      now(),
    );

  return {
    'assets.markGarment': ({ ids, mark }) => {
      requirePhotos(ids);
      writeTransaction(db, () => setGarmentType(db, ids, mark, now()));
      const assets = ids.flatMap((assetId) => getAsset(db, assetId) ?? []);
      for (const asset of assets) events.emit('asset.updated', asset);
      return { assets };
    },

    'shoots.setGarments': ({ id, productType }) => {
      if (!setShootGarments(db, id, productType)) throw new AppError('not_found', `No shoot ${id}.`);
      return { id, garmentType: productType };
    },

    'garments.list': () => listGarments(db, LISTED_GARMENTS),

    'operations.estimate': (request) => {
      let planned: EnqueuedRun | null = null;
      try {
        writeTransaction(db, () => {
          planned = plan(request);
          throw ESTIMATE_ONLY;
        });
      } catch (error) {
        if (error !== ESTIMATE_ONLY) throw error;
      }
      const run = planned as EnqueuedRun | null;
      if (!run) throw new AppError('internal', 'The run could not be planned.');
      return summary(run);
    },

    'operations.run': (request) => {
      requirePhotos(request.assetIds);
      // Planned and (when asked) approved in one transaction: a refused approval queues nothing.
      const planned = writeTransaction(db, () => {
        const run = plan(request);
        if (request.approve) support.approveRun(run);
        return run;
      });
      return { ...summary(planned), ...support.started(planned) };
    },
  };
}

function summary(run: EnqueuedRun) {
  return {
    jobs: run.jobs.length,
    totalEstimate: run.totalEstimate,
    awaitingApproval: run.awaitingApproval,
    awaitingInput: run.awaitingInput,
    refused: run.refused,
    pairs: run.jobs.map(pairOf),
  };
}

/** The picture, garment and mask a planned job will send, by id. */
function pairOf(job: NewJob): PlannedPair {
  const { source, garment, mask } = job.inputs;
  const picture = source ? (source.kind === 'asset' ? source.assetId : source.variantId) : '';
  return {
    picture,
    garment: garment ? (garment.kind === 'asset' ? garment.assetId : garment.variantId) : null,
    mask: mask ? { id: mask.maskId, version: mask.version } : null,
  };
}
