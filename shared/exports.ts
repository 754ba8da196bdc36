import { z } from 'zod';

/**
 * Exports as the UI sees them. The preset itself is validated by the engine's schema
 * (main/engine/export/preset.ts); here it travels as an object the UI edits field by field.
 */
export const ExportPresetEntrySchema = z.object({
  id: z.string(),
  builtIn: z.boolean(),
  preset: z.record(z.string(), z.unknown()),
});
export type ExportPresetEntry = z.infer<typeof ExportPresetEntrySchema>;

const ExportRequestFields = z
  .object({
    shootId: z.string().min(1).max(200),
    /** A saved or built-in preset by id, or a preset given in full (the editor's unsaved one). */
    presetId: z.string().min(1).max(200).optional(),
    preset: z.unknown().optional(),
    targetRoot: z.string().min(1).max(4096),
    /** Only these photos (their variants, or themselves for originals): "export selected". */
    assetIds: z.array(z.string().min(1).max(200)).max(50_000).optional(),
    /** Leave out pictures byte for byte the same as one already in the export. */
    skipRepeats: z.boolean().optional(),
  })
  .strict();
const onePreset = (request: { presetId?: string | undefined; preset?: unknown }): boolean =>
  (request.presetId === undefined) !== (request.preset === undefined);
const ONE_PRESET = { message: 'Name a preset or give one, not both.' };

export const ExportRequestSchema = ExportRequestFields.refine(onePreset, ONE_PRESET);
export const ExportPreviewRequestSchema = ExportRequestFields.omit({ skipRepeats: true }).refine(onePreset, ONE_PRESET);

export const ExportRunSchema = z.object({
  id: z.string(),
  shootId: z.string().nullable(),
  presetName: z.string(),
  targetRoot: z.string(),
  state: z.enum(['running', 'canceled', 'done', 'failed']),
  total: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type ExportRun = z.infer<typeof ExportRunSchema>;

export const ExportProgressSchema = z.object({
  runId: z.string(),
  state: z.enum(['running', 'canceled', 'done', 'failed']),
  total: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  current: z.string().nullable(),
});
