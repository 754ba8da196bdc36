import { randomUUID } from 'node:crypto';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { Recipe } from '../../../shared/jobs';
import { existingAssetIds } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import { repeatedJobTargets } from '../db/jobs-repo';
import { deleteRecipe, getRecipe, listRecipes, saveRecipe } from '../db/recipes-repo';
import { QueueApiSupport, type QueueApiContext } from './api-context';
import { enqueueRecipe, enqueueShootOperation, resolveOperation, validParams } from './enqueue';

type RecipeMethods =
  | 'recipes.list'
  | 'recipes.create'
  | 'recipes.update'
  | 'recipes.delete'
  | 'recipes.run'
  | 'recipes.estimate'
  | 'shoots.runOperation';

/** Thrown to roll back the planning transaction of an estimate. */
const ESTIMATE_ONLY = new Error('estimate only');

/** Recipes (a provider's operation with saved settings): keep them, estimate and run them; and one-off shoot operations. */
export function createRecipesApi(context: QueueApiContext): Pick<ApiHandlers, RecipeMethods> {
  const { db, providers, now } = context;
  const support = new QueueApiSupport(context);
  const operation = (provider: string, name: string) => resolveOperation(providers, provider, name);
  const requireRecipe = (id: string): Recipe => {
    const recipe = getRecipe(db, id);
    if (!recipe) throw new AppError('not_found', `No recipe ${id}.`);
    return recipe;
  };
  return {
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
      const merged = { ...requireRecipe(id), ...change, updatedAt: now() };
      const { spec } = operation(merged.provider, merged.operation);
      const recipe: Recipe = { ...merged, params: validParams(spec, merged.params) };
      saveRecipe(db, recipe);
      return recipe;
    },

    'recipes.delete': ({ id }) => {
      if (!deleteRecipe(db, id)) throw new AppError('not_found', `No recipe ${id}.`);
      return { id };
    },

    'recipes.estimate': ({ recipeId, ...targets }) => {
      const recipe = requireRecipe(recipeId);
      // Plans the run with the very rules a real run applies, inside a transaction that is rolled back.
      let planned: ReturnType<typeof enqueueRecipe> | null = null;
      let repeats: string[] = [];
      // A generative provider makes something new each time; a deterministic one (local) the same bytes.
      const deterministic = providers.get(recipe.provider)?.generative === false;
      try {
        writeTransaction(db, () => {
          planned = enqueueRecipe(db, providers, recipe, targets, now());
          if (deterministic)
            repeats = repeatedJobTargets(
              db,
              planned.jobs.map((job) => job.id),
            );
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
        refused: plan?.refused ?? [],
        repeats,
      };
    },

    'recipes.run': ({ recipeId, ...targets }) => {
      const recipe = requireRecipe(recipeId);
      const known = existingAssetIds(db, targets.assetIds);
      const missing = targets.assetIds.filter((assetId) => !known.has(assetId));
      if (missing.length > 0) throw new AppError('not_found', `No asset ${missing.join(', ')}.`, { missing });
      if (targets.assetIds.length + targets.variantIds.length === 0) {
        throw new AppError('invalid_input', 'Choose at least one photo or result to run the recipe on.');
      }
      const planned = writeTransaction(db, () => enqueueRecipe(db, providers, recipe, targets, now()));
      return support.started(planned);
    },

    'shoots.runOperation': ({ shootId, approve, ...request }) => {
      support.requireShoot(shootId);
      const planned = writeTransaction(db, () => {
        const run = enqueueShootOperation(db, providers, { shootId, ...request }, now());
        if (approve) support.approveRun(run);
        return run;
      });
      return support.started(planned);
    },
  };
}
