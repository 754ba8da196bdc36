import { z } from 'zod';

/**
 * What a job works on, by role. Each role is optional; which ones an operation takes is its
 * declaration (OperationSpec.inputs on the engine side):
 *   source      the photo (a pinned version of an asset) or earlier result (a variant) it works on
 *   garment     the garment photo a try-on dresses the person in (an asset or a variant)
 *   mask        the painted area, as the mask version the job was planned with
 *   firstFrame  the picture a video starts from
 *   reference   a picture that guides a new one (a product's shape): the results are the shoot's, not its
 *   variants    a whole shoot's approved variants, in order (a listing video, a publish)
 * A job with no role at all (a prompt that makes images) belongs to its shoot.
 */

const Id = z.string().min(1).max(200);

/** An asset at the version the job was planned on, or a variant (with the photo it came from, if any). */
export const InputRefSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('asset'),
      assetId: Id,
      version: z.number().int().positive(),
      /** Quarter turns the user had given the photo when the job was planned (absent: none). */
      turn: z.number().int().min(0).max(3).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('variant'), variantId: Id, assetId: Id.nullable() }).strict(),
]);
export type InputRef = z.infer<typeof InputRefSchema>;

/** A mask as one of its immutable versions: editing the mask later does not change what the job sends. */
export const MaskRefSchema = z.object({ maskId: Id, version: z.number().int().positive() }).strict();
export type MaskRef = z.infer<typeof MaskRefSchema>;

export const JobInputsSchema = z
  .object({
    source: InputRefSchema.optional(),
    garment: InputRefSchema.optional(),
    mask: MaskRefSchema.optional(),
    firstFrame: InputRefSchema.optional(),
    reference: InputRefSchema.optional(),
    variants: z.array(Id).max(1_000).optional(),
  })
  .strict();
export type JobInputs = z.infer<typeof JobInputsSchema>;

/** What a user points at when giving a job an input: a photo or a result, by id. */
export const InputTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('asset'), id: Id }).strict(),
  z.object({ kind: z.literal('variant'), id: Id }).strict(),
]);
export type InputTarget = z.infer<typeof InputTargetSchema>;

/** An input given to a waiting job (`jobs.provideInput`): a garment, a mask, or the approval of its spend. */
export const ProvidedInputSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('garment'), target: InputTargetSchema }).strict(),
  z.object({ role: z.literal('mask'), maskId: Id }).strict(),
  z.object({ role: z.literal('approval') }).strict(),
]);
export type ProvidedInput = z.infer<typeof ProvidedInputSchema>;

/**
 * The photo a job's results belong to: its source's asset (directly, or the photo the source
 * variant was made from), else its first frame's. Null for a job that starts from nothing.
 */
export function inputAssetId(inputs: JobInputs): string | null {
  return inputs.source?.assetId ?? inputs.firstFrame?.assetId ?? null;
}

/** The asset version a job's results were made from, when its source is a photo. */
export function inputAssetVersion(inputs: JobInputs): number | null {
  return inputs.source?.kind === 'asset' ? inputs.source.version : null;
}

/**
 * The name a result without a photo of its own goes by (in the grid, in `{name}` on export):
 * stable, because it comes from the job that made it and its place among that job's outputs.
 */
export function generatedName(variant: { jobId: string; outputIndex: number }): string {
  return `Generated ${variant.jobId.slice(0, 8)}-${variant.outputIndex + 1}`;
}
