import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { cullAsset } from '../db/assets-repo';
import { listVariants, updateVariant } from '../db/variants-repo';
import type { QueueApiContext } from './api-context';

type VariantMethods = 'variants.list' | 'variants.update' | 'assets.cull';

/** The results and the editor's verdicts on them: variants (pick, rate, approve) and culling the photos. */
export function createVariantsApi(context: QueueApiContext): Pick<ApiHandlers, VariantMethods> {
  const { db, events, now } = context;
  return {
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
  };
}
