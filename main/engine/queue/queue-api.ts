import type { ApiHandlers } from '../../../shared/api';
import type { QueueApiContext } from './api-context';
import { createBudgetsApi } from './budgets-api';
import { createJobsApi } from './jobs-api';
import { createMasksApi } from './masks-api';
import { createMaskSelectionApi } from './mask-selection-api';
import { createPhotoEditsApi } from './photo-edits-api';
import { createQueueControlApi } from './queue-control-api';
import { createRecipesApi } from './recipes-api';
import { createGarmentsApi } from './garments-api';
import { createVariantsApi } from './variants-api';

export type { QueueApiContext } from './api-context';

/** The queue's part of the API, one file per resource: jobs, the queue itself, recipes, variants, masks and budgets. */
export function createQueueApi(context: QueueApiContext) {
  return {
    ...createJobsApi(context),
    ...createQueueControlApi(context),
    ...createRecipesApi(context),
    ...createGarmentsApi(context),
    ...createVariantsApi(context),
    ...createMasksApi(context),
    ...createMaskSelectionApi(context),
    ...createPhotoEditsApi(context),
    ...createBudgetsApi(context),
  } satisfies Partial<ApiHandlers>;
}
