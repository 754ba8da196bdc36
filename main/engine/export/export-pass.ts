import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { ExportPresetSchema, FORMAT_EXTENSION, type ExportPreset } from '../../../shared/export-preset';
import type { Db } from '../db/connection';
import {
  exportItemCounts,
  getExportRun,
  listExportItems,
  setExportRunState,
  updateExportItem,
  type ExportItemRow,
  type ExportRunRow,
} from '../db/exports-repo';
import type { Logger } from '../log';
import { IMAGE_PARALLELISM } from '../imaging/sharp-config';
import { writeFileAtomic } from './atomic-write';
import type { Credits, ExportMetadataWriter } from './export-metadata';
import type { ExportSource, ExportSources } from './export-sources';
import { readRegularFile } from '../regular-file';
import { ClaimedNames, renderOutputPath, resolveCollision, seqWidth, type NameFields } from './names';
import { renderExport } from './render-export';

export interface ExportPassDeps {
  db: Db;
  now: () => number;
  log: Logger;
  sources: ExportSources;
  metadata: ExportMetadataWriter;
  /** The creator, copyright and contact from Settings, written into every export. */
  credits: () => Credits;
  /** Tells the UI how the run stands, and which item is being written. */
  report: (runId: string, current: string | null) => void;
}

interface PassContext {
  run: ExportRunRow;
  preset: ExportPreset;
  claimed: ClaimedNames;
  width: number;
  exportDate: Date;
  credits: Credits;
  signal: AbortSignal;
  /** Runs name resolutions one at a time, in item order. */
  inOrder: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * One pass over a run's open items. Names are resolved one item at a time (two items must never
 * claim one name); rendering and writing run IMAGE_PARALLELISM items at once, so exiftool and the
 * disk overlap with sharp. An abort (cancel, shutdown) stops the pass: items not started stay
 * open, a file being written is dropped before it gets its name (its temp file removed), and the
 * run's state is left to whoever aborted it.
 */
export async function runExportPass(deps: ExportPassDeps, runId: string, signal: AbortSignal): Promise<void> {
  const { db, now } = deps;
  const run = getExportRun(db, runId);
  if (!run) return;
  const items = listExportItems(db, runId);
  const claimed = new ClaimedNames();
  for (const item of items) if (item.targetPath && item.state !== 'pending') claimed.claim(item.targetPath);
  let naming: Promise<unknown> = Promise.resolve();
  const context: PassContext = {
    run,
    preset: ExportPresetSchema.parse(JSON.parse(run.presetJson)),
    claimed,
    width: seqWidth(run.total),
    exportDate: new Date(run.createdAt),
    // Read once per pass: Settings' credits apply to the whole run.
    credits: deps.credits(),
    signal,
    inOrder: (work) => {
      const result = naming.then(work);
      naming = result.catch(() => undefined);
      return result;
    },
  };
  const open = items.filter((item) => item.state !== 'done' && item.state !== 'skipped');
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = open[next++]; item !== undefined && !signal.aborted; item = open[next++]) {
      await exportOne(deps, context, item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMAGE_PARALLELISM, Math.max(1, open.length)) }, worker));
  if (signal.aborted) return;
  const counts = exportItemCounts(db, runId);
  setExportRunState(db, runId, counts.failed > 0 ? 'failed' : 'done', now());
}

async function exportOne(deps: ExportPassDeps, context: PassContext, item: ExportItemRow): Promise<void> {
  const { db, now } = deps;
  const runId = context.run.id;
  if (item.state === 'writing' && item.targetPath && item.sha256 && (await sameHash(item.targetPath, item.sha256))) {
    // Written and renamed before the app died, not yet recorded: it is ours, finished.
    updateExportItem(db, runId, item.seq, { state: 'done' }, now());
    return;
  }
  deps.report(runId, deps.sources.displayName(item));
  try {
    await exportItem(deps, context, item);
  } catch (error) {
    if (context.signal.aborted) return; // canceled: the item stays open for a resume
    const message =
      error instanceof AppError ? error.message : `Could not export this file: ${(error as Error).message}`;
    updateExportItem(db, runId, item.seq, { state: 'failed', error: message }, now());
    deps.log.warn('export.item_failed', { runId, seq: item.seq, error });
  }
}

async function exportItem(deps: ExportPassDeps, context: PassContext, item: ExportItemRow): Promise<void> {
  const { db, now } = deps;
  const { run, preset, signal } = context;
  const source = await deps.sources.describe(item, run.shootId, preset);
  const fields: NameFields = {
    shoot: source.shoot,
    name: source.name,
    seq: item.seq,
    variant: source.variant,
    provider: source.provider,
    rating: source.rating,
    captureDate: source.captureDate,
    date: context.exportDate,
  };
  const wanted = renderOutputPath(preset, fields, {
    seqWidth: context.width,
    exportRoot: run.targetRoot,
    sourceFolder: preset.keepFolderTree ? source.folder : null,
    // A video keeps its own container; every picture takes the preset's format.
    extension: source.passThrough?.extension ?? FORMAT_EXTENSION[preset.format],
  });
  // Cut short between recording its target and renaming onto it: the name is still this item's.
  const reclaim = item.state === 'writing' && item.targetPath !== null && !fs.existsSync(item.targetPath);
  const resolution = reclaim
    ? { action: 'write' as const, path: item.targetPath ?? wanted, replaces: false }
    : await context.inOrder(() =>
        resolveCollision(
          wanted,
          preset.collision,
          { exists: (file) => Promise.resolve(fs.existsSync(file)) },
          context.claimed,
        ),
      );
  signal.throwIfAborted();
  if (resolution.action === 'skip') {
    updateExportItem(db, run.id, item.seq, { state: 'skipped', targetPath: wanted, error: resolution.reason }, now());
    return;
  }
  const bytes = source.passThrough
    ? // Byte for byte: a video is never re-encoded, and its metadata is the provider's own.
      await readRegularFile(source.file, MAX_VIDEO_BYTES)
    : await rendered(deps, context, source, fields);
  signal.throwIfAborted();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Recorded before the file gets its name: a crash after the rename is recognised by this hash.
  updateExportItem(db, run.id, item.seq, { state: 'writing', targetPath: resolution.path, sha256 }, now());
  fs.mkdirSync(path.dirname(resolution.path), { recursive: true });
  // A full disk or a folder Shootline may not write to fails this item alone, in words (ExportWriteError).
  // A cancel drops the file before it gets its name.
  await writeFileAtomic(resolution.path, bytes, { overwrite: resolution.replaces, signal });
  if (source.caption !== null && preset.descriptions === 'sidecar' && !source.passThrough) {
    // The description beside its picture, under the same name: written again whole if the run resumes.
    await writeFileAtomic(sidecarPath(resolution.path), Buffer.from(`${source.caption}\n`, 'utf8'), {
      overwrite: true,
      signal,
    });
  }
  updateExportItem(db, run.id, item.seq, { state: 'done', sizeBytes: bytes.length, error: null }, now());
}

/** The largest video copied into an export (read whole, then written atomically like every export file). */
const MAX_VIDEO_BYTES = 2 * 1024 ** 3;

/** `Listing_01.jpg` → `Listing_01.txt`: a description sidecar has its picture's name. */
export function sidecarPath(picture: string): string {
  return path.join(path.dirname(picture), `${path.parse(picture).name}.txt`);
}

/** A picture rendered as the preset says, with its description in its metadata when the preset puts it there. */
async function rendered(
  deps: ExportPassDeps,
  context: PassContext,
  source: ExportSource,
  fields: NameFields,
): Promise<Buffer> {
  const { preset } = context;
  const result = await renderExport(
    {
      file: source.file,
      turn: source.turn,
      cropFocus: source.cropFocus,
      preset,
      meta: {
        ...fields,
        ...context.credits,
        disclosure: source.disclosure,
        ...(source.caption !== null && preset.descriptions === 'xmp' ? { description: source.caption } : {}),
      },
      ...(source.metadataFrom ? { metadataFrom: source.metadataFrom } : {}),
    },
    { metadata: deps.metadata },
  );
  if (!result.ok) throw new AppError('invalid_input', result.error.message);
  return result.output.bytes;
}

async function sameHash(file: string, sha256: string): Promise<boolean> {
  try {
    return (
      createHash('sha256')
        .update(await fs.promises.readFile(file))
        .digest('hex') === sha256
    );
  } catch {
    return false;
  }
}
