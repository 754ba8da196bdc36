import { z } from 'zod';
import { AssetSchema } from './domain';
import { ProductTypeSchema } from './garments';
import { InputTargetSchema } from './job-inputs';
import { VariantSchema } from './jobs';
import { RefusedPicturesSchema } from './api-recipes';
import { ParamsSchema } from './api-params';

const id = z.string().min(1).max(200);

/** Most photos one call marks (a whole flat-lay session at once). */
export const MAX_GARMENT_MARKS = 5_000;
/** Most garments one run pairs with its pictures. */
export const MAX_GARMENTS_PER_RUN = 100;
/** Most jobs one run plans (pictures × garments): a run that large is a mistake, not a catalogue. */
export const MAX_JOBS_PER_RUN = 10_000;
/** Longest description export carries into a file, in UTF-8 bytes (XMP packets and sidecars stay small). */
export const MAX_DESCRIPTION_BYTES = 64 * 1024;
/**
 * Longest description a user may type into a text variant, in UTF-16 units: at most 3 bytes each
 * in UTF-8 (a 4-byte character takes two units), so 60 KB, always within what export carries.
 */
export const MAX_DESCRIPTION_CHARS = 20_000;

/** How a photo is marked: a product type, not a garment, or as its shoot says (a garment shoot's type). */
export const GarmentMarkSchema = z.union([ProductTypeSchema, z.literal('none'), z.literal('shoot')]);
export type GarmentMark = z.infer<typeof GarmentMarkSchema>;

/**
 * An operation chosen in a dialog (no saved recipe) on pictures: one job per picture, or with
 * garments one per picture and garment. A product type left out of `params` is taken per job from
 * its garment, else its photo (what was marked once is not asked again).
 */
export const OperationRunSchema = z
  .object({
    provider: id,
    operation: id,
    params: ParamsSchema.default({}),
    assetIds: z.array(id).max(10_000).default([]),
    variantIds: z.array(id).max(10_000).default([]),
    garments: z.array(InputTargetSchema).max(MAX_GARMENTS_PER_RUN).default([]),
    /** Masks chosen for the run, each of one photo; a photo with none chosen takes its latest mask of the purpose. */
    masks: z.array(id).max(10_000).default([]),
    /** Approve the spend of this run's jobs beyond the shoot's budget now (the user read the cost). */
    approve: z.boolean().default(false),
  })
  .strict()
  .refine((run) => run.assetIds.length + run.variantIds.length > 0, {
    message: 'Choose at least one photo or result.',
    path: ['assetIds'],
  });

/** One job of a run as the dialog lists it: the picture, its garment and the mask it will send (null: none). */
export const PlannedPairSchema = z.object({
  picture: z.string(),
  garment: z.string().nullable(),
  mask: z.object({ id: z.string(), version: z.number().int() }).nullable(),
});
export type PlannedPair = z.infer<typeof PlannedPairSchema>;

const RunPlanSchema = z.object({
  jobs: z.number().int(),
  totalEstimate: z.number(),
  awaitingApproval: z.number().int(),
  awaitingInput: z.number().int(),
  refused: RefusedPicturesSchema,
  pairs: z.array(PlannedPairSchema),
});

/** A garment as the try-on dialog offers it, from this shoot or any other. */
export const GarmentSchema = z.object({ asset: AssetSchema, shootName: z.string() });
export type Garment = z.infer<typeof GarmentSchema>;

/** Garments, one-off operations on pictures, and descriptions (shared/api.ts spreads it into the one method table). */
export const GARMENT_METHODS = {
  /** Marks photos as garments (or products) of a type, as not garments, or as their shoot says; remembered per photo. */
  'assets.markGarment': {
    args: z.object({ ids: z.array(id).min(1).max(MAX_GARMENT_MARKS), mark: GarmentMarkSchema }).strict(),
    result: z.object({ assets: z.array(AssetSchema) }),
  },
  /** Makes a shoot a garment shoot: its photos are garments of this type unless one says otherwise (null: ordinary). */
  'shoots.setGarments': {
    args: z.object({ id, productType: ProductTypeSchema.nullable() }).strict(),
    result: z.object({ id: z.string(), garmentType: ProductTypeSchema.nullable() }),
  },
  /** Every readable garment photo in the library, for pairing with persons of any shoot. */
  'garments.list': { args: z.object({}).strict(), result: z.array(GarmentSchema) },
  /** What `operations.run` would do, without doing it: the count, the cost, each pair and its mask. */
  'operations.estimate': { args: OperationRunSchema, result: RunPlanSchema },
  'operations.run': { args: OperationRunSchema, result: RunPlanSchema.extend({ jobIds: z.array(z.string()) }) },
  /** One result by id (a garment or person that is an earlier result, shown by its media id). */
  'variants.get': { args: z.object({ id }).strict(), result: VariantSchema },
  /** A text variant's words (a product description). */
  'variants.text': { args: z.object({ id }).strict(), result: z.object({ text: z.string() }) },
  /** Replaces a text variant's words (a description edited by hand); the variant keeps its marks. */
  'variants.setText': {
    args: z
      .object({
        id,
        text: z
          .string()
          .trim()
          .min(1, 'A description cannot be empty.')
          .max(
            MAX_DESCRIPTION_CHARS,
            `A description is at most ${MAX_DESCRIPTION_CHARS.toLocaleString('en-US')} characters.`,
          ),
      })
      .strict(),
    result: VariantSchema,
  },
} as const;
