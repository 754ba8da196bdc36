import { z } from 'zod';
import {
  ColourSelectRequestSchema,
  MaskRasterSchema,
  MaskContentSchema,
  MaskNameSchema,
  MaskPurposeSchema,
  MaskRefineRequestSchema,
  MaskSchema,
  MaskSelectionSchema,
  MaskVersionSchema,
} from './mask';

const id = z.string().min(1).max(200);

/** The masks part of the contract (shared/api.ts spreads it into the one method table). */
export const MASK_METHODS = {
  /**
   * Saves a mask as a new version: of `maskId`, else of the photo's mask of that purpose named `name`
   * (or its latest one when no name is given), else as a new mask. Jobs on the photo waiting for a
   * mask of that purpose take this version; jobs planned before keep theirs.
   */
  'masks.save': {
    args: z
      .object({
        assetId: id,
        maskId: id.optional(),
        name: MaskNameSchema.optional(),
        purpose: MaskPurposeSchema,
        content: MaskContentSchema,
      })
      .strict(),
    result: MaskSchema,
  },
  /** A mask by id, or the photo's latest mask of a purpose. */
  'masks.get': {
    args: z.union([z.object({ id }).strict(), z.object({ assetId: id, purpose: MaskPurposeSchema }).strict()]),
    result: MaskSchema,
  },
  'masks.version': {
    args: z.object({ id, version: z.number().int().positive() }).strict(),
    result: MaskVersionSchema,
  },
  'masks.list': { args: z.object({ assetId: id }).strict(), result: z.array(MaskSchema) },
  /** Deletes a mask; versions an unfinished job was planned with stay until that job ends. */
  'masks.delete': { args: z.object({ id }).strict(), result: z.object({ id: z.string() }) },
  /** "Refine to edges": the drawing and/or a box snapped to the object's borders (GrabCut), as a layer to add. */
  'masks.refine': { args: MaskRefineRequestSchema, result: MaskSelectionSchema },
  /** A colour select at a point (connected pixels, or all of that colour), as a layer to add. */
  'masks.selectColour': { args: ColourSelectRequestSchema, result: MaskSelectionSchema },
  /** Renames a mask; another mask of the photo with the same purpose may not have that name. */
  'masks.rename': { args: z.object({ id, name: MaskNameSchema }).strict(), result: MaskSchema },
  /** A copy of a mask's current version as a new mask of the same photo, at version 1. */
  'masks.duplicate': { args: z.object({ id, name: MaskNameSchema.optional() }).strict(), result: MaskSchema },
  /**
   * A version (the current one by default) as an 8-bit grey PNG at the photo's size, base64: white
   * is selected, black is not, grey is partly selected (a soft edge).
   */
  'masks.export': {
    args: z.object({ id, version: z.number().int().positive().optional() }).strict(),
    result: MaskSelectionSchema,
  },
  /**
   * A PNG (its alpha, or its grey level when it has none: white selected) as a new version of the
   * photo's mask of that purpose and name; it must have the photo's aspect, within 1%.
   */
  'masks.import': {
    args: z
      .object({
        assetId: id,
        /** The mask to add the version to (the one open in the editor); else by name, or the latest of the purpose. */
        maskId: id.optional(),
        purpose: MaskPurposeSchema,
        name: MaskNameSchema.optional(),
        png: MaskRasterSchema.shape.png,
      })
      .strict(),
    result: MaskSchema,
  },
  /**
   * A mask on other photos of the same framing (a bracket, a repeated angle): each gets its own mask
   * (version 1, fitted to its size), so later edits stay local; a photo whose aspect differs by more
   * than 1% is refused with the reason.
   */
  'masks.apply': {
    args: z.object({ id, assetIds: z.array(id).min(1).max(1_000) }).strict(),
    result: z.object({
      applied: z.array(
        z.object({ assetId: z.string(), maskId: z.string(), name: z.string(), version: z.number().int() }),
      ),
      refused: z.array(z.object({ assetId: z.string(), reason: z.string() })),
    }),
  },
} as const;
