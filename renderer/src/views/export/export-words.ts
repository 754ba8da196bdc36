import type { DesktopShell, MethodResult } from '../../../../shared/api';
import { AppError } from '../../../../shared/errors';
import { ExportPresetSchema, sizeWords } from '../../../../shared/export-preset';
import type { ExportRun } from '../../../../shared/exports';

/*
 * What the export views say (file sizes, previews, progress, errors) and what they remember between
 * sessions (the folder, the preset). The preset editor's model is export-model.ts.
 */

/** Megabytes as the engine counts them for a size ceiling (1 MB = 1,000,000 bytes). */
const MB = 1_000_000;

/** Where the last export folder is remembered, shared by the Export section and the dialog. */
export const FOLDER_STORAGE_KEY = 'shootline.exportFolder';
/** Where the last preset used is remembered (a reload keeps it). */
export const PRESET_STORAGE_KEY = 'shootline.exportPreset';

/** Sizes as the engine counts them: decimal, so "4 MB" here is the preset's 4,000,000-byte ceiling. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < MB) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export type ExportPreview = MethodResult<'exports.preview'>;

/** "Listing_01.jpg · 2048×1365 · JPEG · 1.2 MB · 24 files" */
export function previewLine(preview: ExportPreview): string {
  return [
    baseName(preview.path),
    `${preview.width}×${preview.height}`,
    preview.format.toUpperCase(),
    formatBytes(preview.sizeBytes),
    plural(preview.total, 'file'),
  ].join(' · ');
}

export type RunState = ExportRun['state'];
export const RUN_STATE_LABELS: Record<RunState, string> = {
  running: 'Exporting',
  canceled: 'Canceled',
  done: 'Finished',
  failed: 'Failed',
};

/** "12 of 40 done · 2 skipped · 1 failed" */
export function progressWords(progress: { total: number; done: number; skipped: number; failed: number }): string {
  return [
    `${progress.done} of ${progress.total} done`,
    ...(progress.skipped > 0 ? [`${progress.skipped} skipped`] : []),
    ...(progress.failed > 0 ? [`${progress.failed} failed`] : []),
  ].join(' · ');
}

/** Files handled so far (written, skipped or failed): what a progress bar shows. */
export const handled = (progress: { done: number; skipped: number; failed: number }): number =>
  progress.done + progress.skipped + progress.failed;

export function messageOf(error: unknown): string {
  return error instanceof AppError ? error.message : 'Something went wrong. The details are in the log.';
}

/**
 * The desktop shell's "show in the file manager", when this version of the shell has one (it is
 * optional: older shells and the browser lack it, and the button is then left out).
 */
export function folderRevealer(desktop: DesktopShell | null): ((path: string) => void) | null {
  if (!desktop || !('showItemInFolder' in desktop)) return null;
  const show: unknown = desktop.showItemInFolder;
  if (typeof show !== 'function') return null;
  const reveal = show as (this: DesktopShell, path: string) => unknown;
  return (path) => {
    void Promise.resolve()
      .then(() => reveal.call(desktop, path))
      .catch(() => undefined);
  };
}

export function readRememberedFolder(): string {
  try {
    return window.localStorage.getItem(FOLDER_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberFolder(path: string): void {
  try {
    if (path.trim() === '') window.localStorage.removeItem(FOLDER_STORAGE_KEY);
    else window.localStorage.setItem(FOLDER_STORAGE_KEY, path.trim());
  } catch {
    // Storage can be unavailable (private windows, quotas); the folder is then simply not remembered.
  }
}

export function readRememberedPreset(): string {
  try {
    return window.localStorage.getItem(PRESET_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberPreset(id: string): void {
  try {
    window.localStorage.setItem(PRESET_STORAGE_KEY, id);
  } catch {
    // As for the folder: without storage the preset is simply not remembered.
  }
}

/**
 * What the user should know before an export starts: pictures smaller than the preset's size
 * (enlarged soft, kept small, or refused, as the preset says) and pictures that are byte for byte
 * another one (written twice unless left out).
 */
export function previewWarnings(preview: ExportPreview, preset: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  const parsed = ExportPresetSchema.safeParse(preset);
  if (preview.smaller > 0 && parsed.success && parsed.data.size.mode !== 'original') {
    const size = parsed.data.size;
    const some = preview.smaller === 1 ? '1 picture is' : `${preview.smaller} pictures are`;
    const fate = size.refuseSmaller
      ? 'this preset does not export them'
      : size.enlarge
        ? 'they will be enlarged, and look soft'
        : 'they keep their own size';
    warnings.push(`${some} smaller than ${sizeWords(size)}: ${fate}.`);
  }
  if (preview.repeats > 0) {
    warnings.push(
      `${preview.repeats === 1 ? '1 picture is' : `${preview.repeats} pictures are`} byte for byte the same as another in this export.`,
    );
  }
  return warnings;
}

/** `text` with `{token}` put in place of the selection (or at the end when there is none). */
export function insertToken(
  value: string,
  token: string,
  selection: { start: number; end: number } | null,
): { value: string; caret: number } {
  const insert = `{${token}}`;
  const start = selection ? Math.min(Math.max(0, selection.start), value.length) : value.length;
  const end = selection ? Math.min(Math.max(start, selection.end), value.length) : value.length;
  return { value: value.slice(0, start) + insert + value.slice(end), caret: start + insert.length };
}

/** "Web copy", or "Web copy 2" when that name is taken. */
export function copyName(name: string, taken: readonly string[]): string {
  const names = new Set(taken);
  const base = `${name} copy`;
  if (!names.has(base)) return base;
  for (let index = 2; ; index += 1) {
    const candidate = `${base} ${index}`;
    if (!names.has(candidate)) return candidate;
  }
}
