import { z } from 'zod';
import { ExportPresetEntrySchema, ExportPreviewRequestSchema, ExportRequestSchema, ExportRunSchema } from './exports';

const id = z.string().min(1).max(200);

/** Export presets and recorded export runs (shared/api.ts spreads it into the one method table). */
export const EXPORT_METHODS = {
  'exports.presets': { args: z.object({}).strict(), result: z.array(ExportPresetEntrySchema) },
  'exports.savePreset': {
    args: z.object({ id: id.optional(), preset: z.unknown() }).strict(),
    result: ExportPresetEntrySchema,
  },
  'exports.deletePreset': { args: z.object({ id }).strict(), result: z.object({ id: z.string() }) },
  /** The first file a preset would write for a shoot (or its selected photos): path, size, format, and what to warn about. Nothing is written. */
  'exports.preview': {
    args: ExportPreviewRequestSchema,
    result: z.object({
      path: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      format: z.string(),
      sizeBytes: z.number().int(),
      total: z.number().int(),
      /** Pictures smaller than the preset's size: enlarged, kept small or refused, as the preset says. */
      smaller: z.number().int(),
      /** Pictures byte for byte the same as another in the export (written twice unless left out). */
      repeats: z.number().int(),
    }),
  },
  'exports.start': { args: ExportRequestSchema, result: ExportRunSchema },
  'exports.cancel': { args: z.object({ id }).strict(), result: ExportRunSchema },
  'exports.resume': { args: z.object({ id }).strict(), result: ExportRunSchema },
  'exports.list': { args: z.object({}).strict(), result: z.array(ExportRunSchema) },
  /** The items of a run that failed or were skipped, each with its file name and why, in words. */
  'exports.problems': {
    args: z.object({ id }).strict(),
    result: z.array(z.object({ name: z.string(), state: z.enum(['failed', 'skipped']), reason: z.string() })),
  },
} as const;
