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
import { isLeftoverTemp } from '../atomic-file';
import { copyFileAtomic, writeFileAtomic } from './atomic-write';
import type { Credits, ExportMetadataWriter } from './export-metadata';
import type { ExportSource, ExportSources } from './export-sources';
import { pairedOriginalPath, writeAlterationsLog, type AlteredPicture } from './alterations-log';
import { ClaimedNames, renderOutputPath, resolveCollision, seqWidth, type NameFields } from './names';
import { renderExport } from './render-export';
import { releaseBuffer } from '../release-buffer';

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
  await removeCrashLeftovers(items);
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
  if (context.preset.pairOriginals) await writeAlterationsLogOf(deps, context, listExportItems(db, runId));
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
    if (error instanceof SkippedItem) {
      updateExportItem(db, runId, item.seq, { state: 'skipped', error: error.message }, now());
      return;
    }
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
  // Byte for byte: a video is never re-encoded (its metadata is the provider's own) and is copied
  // streamed; a picture is rendered in memory.
  const output = source.passThrough
    ? { sha256: await fileHash(source.file), size: (await fs.promises.stat(source.file)).size, bytes: null }
    : await renderedOutput(deps, context, source, fields);
  signal.throwIfAborted();
  // Recorded before the file gets its name: a crash after the rename is recognised by this hash.
  updateExportItem(
    db,
    run.id,
    item.seq,
    { state: 'writing', targetPath: resolution.path, sha256: output.sha256 },
    now(),
  );
  fs.mkdirSync(path.dirname(resolution.path), { recursive: true });
  if (source.caption !== null && preset.descriptions === 'sidecar' && !source.passThrough) {
    // Before the picture: an item found written after a crash has its description beside it already.
    await writeSidecar(resolution.path, source.caption, preset.collision, signal);
  }
  const originalId = preset.pairOriginals && !source.passThrough ? source.alteration?.originalAssetId : null;
  if (originalId) {
    // Before the picture too: an altered picture found written has its original beside it.
    await writePairedOriginal(deps, context, originalId, fields, resolution.path);
  }
  // A full disk or a folder Shootline may not write to fails this item alone, in words (ExportWriteError).
  // A cancel drops the file before it gets its name.
  const options = { overwrite: resolution.replaces, signal };
  if (output.bytes === null) await copyFileAtomic(source.file, resolution.path, options);
  else {
    await writeFileAtomic(resolution.path, output.bytes, options);
    releaseBuffer(output.bytes); // on disk now; nothing reads these bytes again
  }
  updateExportItem(db, run.id, item.seq, { state: 'done', sizeBytes: output.size, error: null }, now());
}

/** An item the preset chose not to export (a photo smaller than its size, with enlarging refused): skipped, with why. */
export class SkippedItem extends Error {}

/**
 * The description beside its picture, under the picture's name with `.txt`. A file already there
 * is left alone unless it says the same or the preset overwrites: it may be someone else's notes.
 */
async function writeSidecar(picture: string, caption: string, collision: string, signal: AbortSignal): Promise<void> {
  const file = sidecarPath(picture);
  const bytes = Buffer.from(`${caption}\n`, 'utf8');
  const existing = await fs.promises.readFile(file).catch(() => null);
  if (existing?.equals(bytes)) return;
  if (existing && collision !== 'overwrite') {
    throw new AppError(
      'conflict',
      `${path.basename(file)} already exists beside this picture, and this preset does not overwrite files. Choose another export folder, or "Overwrite" in the preset.`,
    );
  }
  await writeFileAtomic(file, bytes, { overwrite: existing !== null, signal });
}

async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `Listing_01.jpg` → `Listing_01.txt`: a description sidecar has its picture's name. */
export function sidecarPath(picture: string): string {
  return path.join(path.dirname(picture), `${path.parse(picture).name}.txt`);
}

/** A picture rendered as the preset says, with its description in its metadata when the preset puts it there. */
async function renderedOutput(
  deps: ExportPassDeps,
  context: PassContext,
  source: ExportSource,
  fields: NameFields,
): Promise<{ sha256: string; size: number; bytes: Buffer }> {
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
  if (!result.ok) {
    throw result.error.code === 'too_small'
      ? new SkippedItem(result.error.message)
      : new AppError('invalid_input', result.error.message);
  }
  const bytes = result.output.bytes;
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, bytes };
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

/**
 * A run cut short by a crash can leave a hidden temp file beside its targets (killed between writing
 * it and renaming it). Ours that no write of this process is using are a dead process's: removed.
 */
async function removeCrashLeftovers(items: readonly ExportItemRow[]): Promise<void> {
  const folders = new Set(items.flatMap((item) => (item.targetPath ? [path.dirname(item.targetPath)] : [])));
  for (const folder of folders) {
    const names = await fs.promises.readdir(folder).catch(() => [] as string[]);
    for (const file of names.map((name) => path.join(folder, name)).filter(isLeftoverTemp)) {
      const stat = await fs.promises.lstat(file).catch(() => null);
      if (stat?.isFile()) await fs.promises.rm(file, { force: true });
    }
  }
}

/**
 * The unaltered photo an altered picture was made from, rendered by the same preset (size, format,
 * metadata) and without a label: it is the photo as it is. A different file already under that
 * name is someone else's unless the preset overwrites.
 */
async function writePairedOriginal(
  deps: ExportPassDeps,
  context: PassContext,
  assetId: string,
  fields: NameFields,
  picture: string,
): Promise<void> {
  const { preset, run, signal } = context;
  const original = await deps.sources.describe({ sourceKind: 'asset', sourceId: assetId }, run.shootId, preset);
  const output = await renderedOutput(deps, context, { ...original, caption: null }, { ...fields, variant: null });
  const file = pairedOriginalPath(picture);
  const existing = await fs.promises.readFile(file).catch(() => null);
  if (existing && createHash('sha256').update(existing).digest('hex') === output.sha256) return;
  if (existing && preset.collision !== 'overwrite') {
    throw new AppError(
      'conflict',
      `${path.basename(file)} already exists beside this picture, and this preset does not overwrite files. Choose another export folder, or "Overwrite" in the preset.`,
    );
  }
  await writeFileAtomic(file, output.bytes, { overwrite: existing !== null, signal });
}

/** The altered pictures a run wrote, as its log lists them (read at the end of every pass). */
async function writeAlterationsLogOf(
  deps: ExportPassDeps,
  context: PassContext,
  items: readonly ExportItemRow[],
): Promise<void> {
  const { run, preset } = context;
  const written: AlteredPicture[] = [];
  for (const item of items) {
    if (item.state !== 'done' || !item.targetPath) continue;
    const source = await deps.sources.describe(item, run.shootId, preset).catch(() => null);
    if (source?.alteration) written.push({ picture: item.targetPath, alteration: source.alteration });
  }
  await writeAlterationsLog(written, run.targetRoot, context.signal);
}
