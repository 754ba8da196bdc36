import type { Db } from '../db/connection';
import { listSavedPresets } from '../db/exports-repo';
import { BUILT_IN_PRESETS, ExportPresetSchema, type ExportPreset } from '../../../shared/export-preset';

export interface PresetEntry {
  id: string;
  builtIn: boolean;
  preset: ExportPreset;
}

/** Built-in presets have fixed ids made from their names; they cannot be changed or deleted. */
export function builtInPresetId(preset: ExportPreset): string {
  return `builtin-${preset.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/** The built-in presets, then the user's (a saved one this version cannot read is left out). */
export function listPresets(db: Db): PresetEntry[] {
  return [
    ...BUILT_IN_PRESETS.map((preset) => ({ id: builtInPresetId(preset), builtIn: true, preset })),
    ...listSavedPresets(db).flatMap((row) => {
      const parsed = ExportPresetSchema.safeParse(JSON.parse(row.presetJson));
      return parsed.success ? [{ id: row.id, builtIn: false, preset: parsed.data }] : [];
    }),
  ];
}

export function presetById(db: Db, id: string): ExportPreset | null {
  return listPresets(db).find((entry) => entry.id === id)?.preset ?? null;
}
