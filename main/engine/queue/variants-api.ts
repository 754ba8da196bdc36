import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { cullAssets } from '../db/assets-repo';
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

    'assets.cull': ({ marks }) => {
      const result = cullAssets(db, marks, now());
      if (result.culled.length === 0) {
        throw new AppError('not_found', `No photo ${marks.length === 1 ? marks[0]?.id : 'of these'} exists.`);
      }
      events.emit('assets.culled', { culled: result.culled });
      return result;
    },
  };
}
