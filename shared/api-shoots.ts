import { z } from 'zod';
import { ShootDetailSchema, ShootListItemSchema, ShootNameSchema, ShootSchema } from './domain';
import { VariantSchema } from './jobs';

const id = z.string().min(1).max(200);

/** What deleting a shoot will do, said before it is done. */
export const ShootDeletePlanSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Photos in the shoot: their files on disk are never touched. */
  photos: z.number().int(),
  /** Variants whose files in the library are removed. */
  variants: z.number().int(),
  /** Jobs not finished yet, which are canceled. */
  openJobs: z.number().int(),
  /**
   * Jobs a cloud provider already has: canceling here cannot call them back, and the provider may
   * still charge for them.
   */
  notRecallable: z.array(
    z.object({ jobId: z.string(), fileName: z.string().nullable(), provider: z.string(), operation: z.string() }),
  ),
  /** The hot-folder subfolder that is ignored from then on (until restored), if the shoot has one. */
  hotFolder: z.object({ id: z.string(), name: z.string(), folder: z.string() }).nullable(),
});
export type ShootDeletePlan = z.infer<typeof ShootDeletePlanSchema>;

/** Managing shoots (shared/api.ts spreads it into the one method table). */
export const SHOOT_METHODS = {
  /** Live shoots, newest first, with their counts and progress. */
  'shoots.list': { args: z.object({}).strict(), result: z.array(ShootListItemSchema) },
  'shoots.get': {
    args: z.object({ id }).strict(),
    result: ShootDetailSchema.extend({
      /** Results with no photo of their own (made from a prompt), which belong to the shoot itself. */
      generated: z.array(VariantSchema),
    }),
  },
  /**
   * A new shoot. With a hot folder: its subfolder of that name is made, so photos copied there join
   * it. Without: a shoot with no folder (for work made from a prompt), never offered photos.
   */
  'shoots.create': {
    args: z.object({ name: ShootNameSchema, hotFolderId: id.optional() }).strict(),
    result: ShootSchema,
  },
  'shoots.rename': { args: z.object({ id, name: ShootNameSchema }).strict(), result: ShootSchema },
  'shoots.deletePlan': { args: z.object({ id }).strict(), result: ShootDeletePlanSchema },
  /** Deletes as the plan said; returns what was done. */
  'shoots.delete': { args: z.object({ id }).strict(), result: ShootDeletePlanSchema },
  /** Moves every photo and job of `from` into `into`; `from` is gone afterwards. */
  'shoots.merge': {
    args: z
      .object({ from: id, into: id })
      .strict()
      .refine((merge) => merge.from !== merge.into, 'A shoot cannot be merged into itself.'),
    result: ShootListItemSchema,
  },
  /** Watches a deleted shoot's subfolder again: its photos come back as a new shoot. */
  'hotFolders.restoreFolder': {
    args: z.object({ id, folder: z.string().max(1000) }).strict(),
    result: z.object({ id: z.string(), folder: z.string() }),
  },
} as const;

export const SHOOT_EVENTS = {
  'shoots.updated': ShootSchema,
  /** A shoot left the list: deleted, or merged into `mergedInto`. */
  'shoots.deleted': z.object({ id: z.string(), mergedInto: z.string().nullable() }),
} as const;
