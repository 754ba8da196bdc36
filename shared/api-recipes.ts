import { z } from 'zod';
import { InputTargetSchema } from './job-inputs';

const id = z.string().min(1).max(200);

/** Pictures a run leaves out because the operation would refuse them, and the reason it would give. */
export const RefusedPicturesSchema = z.array(z.object({ id: z.string(), reason: z.string() }));

/**
 * What a recipe runs on: photos, earlier results, or both; one job per item. A garment, when given,
 * goes to every job of a try-on (each still waits for one otherwise).
 */
export const RunTargetsSchema = z
  .object({
    recipeId: id,
    assetIds: z.array(id).max(10_000).default([]),
    variantIds: z.array(id).max(10_000).default([]),
    garment: InputTargetSchema.optional(),
    /** Masks chosen for the run, each of one photo; a photo with none chosen takes its latest mask of the purpose. */
    masks: z.array(id).max(10_000).default([]),
  })
  .strict()
  .refine((run) => run.assetIds.length + run.variantIds.length > 0, {
    message: 'Choose at least one photo or result to run the recipe on.',
    path: ['assetIds'],
  });

/** Running a recipe, and knowing first what the run would do (shared/api.ts spreads it into the one method table). */
export const RECIPE_RUN_METHODS = {
  /** What `recipes.run` would do (cost, jobs waiting for approval or a mask), without doing it. */
  'recipes.estimate': {
    args: RunTargetsSchema,
    result: z.object({
      jobs: z.number().int(),
      totalEstimate: z.number(),
      awaitingApproval: z.number().int(),
      awaitingInput: z.number().int(),
      refused: RefusedPicturesSchema,
      /**
       * Photos (or results) this recipe already made exactly this result for, on a provider that
       * gives the same bytes each time: running them again only makes identical copies.
       */
      repeats: z.array(z.string()),
    }),
  },
  'recipes.run': {
    args: RunTargetsSchema,
    result: z.object({
      jobIds: z.array(z.string()),
      totalEstimate: z.number(),
      awaitingApproval: z.number().int(),
      awaitingInput: z.number().int(),
      refused: RefusedPicturesSchema,
    }),
  },
} as const;
