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

/** The most bytes one `shoots.addFile` call carries (as base64, under the WebSocket's 1 MB frame). */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

/** A photo's file name as it lands in a shoot's folder: one name, never a path. */
const UploadNameSchema = z
  .string()
  .min(1, 'A file needs a name.')
  .max(255, 'A file name can be at most 255 characters.')
  .refine((name) => !/[/\\]/.test(name), 'A file name cannot contain / or \\.')
  .refine((name) => name !== '.' && name !== '..' && !name.startsWith('.'), 'A file name cannot start with a dot.')
  .refine(
    (name) => ![...name].some((char) => (char.codePointAt(0) ?? 0) < 0x20 || char === '\u007f'),
    'A file name cannot contain control characters.',
  );

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
  /**
   * Adds a photo to a shoot that has a folder, in pieces (`offset` is where this one starts; the
   * first is 0). The file is written hidden beside the shoot's photos and takes its name only when
   * `done`, so ingest never sees half a file; a name already there becomes "name (2).jpg".
   */
  'shoots.addFile': {
    args: z
      .object({
        id,
        upload: z
          .string()
          .max(64)
          .regex(/^[\w-]{8,64}$/, 'An upload id is 8 to 64 letters, digits, - or _.'),
        name: UploadNameSchema,
        offset: z.number().int().min(0),
        data: z
          .string()
          .max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4, `A piece carries at most ${UPLOAD_CHUNK_BYTES} bytes.`)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'A piece is base64.'),
        done: z.boolean(),
      })
      .strict(),
    result: z.object({ received: z.number().int(), file: z.string().nullable() }),
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
