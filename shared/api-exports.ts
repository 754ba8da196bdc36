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
  /** The first file a preset would write for a shoot: its path, size and format (nothing is written). */
  'exports.preview': {
    args: ExportPreviewRequestSchema,
    result: z.object({
      path: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      format: z.string(),
      sizeBytes: z.number().int(),
      total: z.number().int(),
    }),
  },
  'exports.start': { args: ExportRequestSchema, result: ExportRunSchema },
  'exports.cancel': { args: z.object({ id }).strict(), result: ExportRunSchema },
  'exports.resume': { args: z.object({ id }).strict(), result: ExportRunSchema },
  'exports.list': { args: z.object({}).strict(), result: z.array(ExportRunSchema) },
} as const;
