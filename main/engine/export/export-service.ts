import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkExportFolder } from '../folder-rules';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import { writeTransaction } from '../db/connection';
import {
  exportableOriginals,
  exportItemCounts,
  exportNameFacts,
  getExportRun,
  insertExportRun,
  listExportItems,
  listExportRuns,
  setExportRunState,
  updateExportItem,
  variantExportedTo,
  type ExportItemRow,
  type ExportRunRow,
} from '../db/exports-repo';
import { assetSource } from '../db/ingest-repo';
import { getJob } from '../db/jobs-repo';
import { getVariant, listVariants } from '../db/variants-repo';
import type { Logger } from '../log';
import { variantFilePath } from '../queue/output-store';
import { IMAGE_PARALLELISM } from '../imaging/sharp-config';
import { writeFileAtomic } from './atomic-write';
import type { Credits } from './export-metadata';
import { ExportMetadataWriter } from './export-metadata';
import { ClaimedNames, renderOutputPath, resolveCollision, seqWidth, type NameFields } from './names';
import { ExportPresetSchema, FORMAT_EXTENSION, type ExportPreset } from '../../../shared/export-preset';
import { renderExport } from './render-export';

/** Formats sharp reads directly; HEIC and RAW originals are exported through their preview. */
const READABLE_ORIGINALS = new Set(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif']);

export interface ExportProgress {
  runId: string;
  state: ExportRunRow['state'];
  total: number;
  done: number;
  skipped: number;
  failed: number;
  current: string | null;
}

export interface ExportServiceOptions {
  db: Db;
  /** The library: no export is written into it. */
  dataDir: string;
  mediaRoot: string;
  log: Logger;
  now: () => number;
  /** The creator, copyright and contact from Settings, written into every export. */
  credits: () => Credits;
  /** A preview file for originals sharp cannot read (HEIC, RAW). */
  previewOf: (assetId: string) => Promise<string | null>;
  onProgress?: (progress: ExportProgress) => void;
}

/**
 * Exports as recorded runs. Starting one plans every item in the database first; each item is then
 * rendered, its target and the hash of its bytes recorded, written atomically, and marked done. A
 * run killed at any point resumes from its records: done items are never written again, an item
 * caught between "writing" and "done" is recognised by its hash, and no half file ever carries a
 * final name (see atomic-write.ts).
 */
export class ExportService {
  private readonly active = new Map<string, { canceled: boolean; again: boolean; done: Promise<void> }>();
  private readonly metadata = new ExportMetadataWriter();

  constructor(private readonly options: ExportServiceOptions) {}

  /** Plans a run over the chosen sources and starts it. */
  start(request: {
    preset: ExportPreset;
    shootId: string;
    targetRoot: string;
    /** Limit the run to these photos (their variants, or themselves for originals). */
    assetIds?: readonly string[];
    /** Limit the run to these variants (a hot folder exporting what was just approved). */
    variantIds?: readonly string[];
  }): ExportRunRow {
    const { db, now } = this.options;
    const preset = ExportPresetSchema.parse(request.preset);
    checkExportFolder(request.targetRoot, this.options.dataDir);
    const only = request.variantIds ? new Set(request.variantIds) : null;
    const sources = this.sourcesFor(preset, request.shootId, request.assetIds).filter(
      (source) => !only || (source.kind === 'variant' && only.has(source.id)),
    );
    if (sources.length === 0) {
      throw new AppError('invalid_input', nothingToExport(preset.what));
    }
    const id = randomUUID();
    writeTransaction(db, () =>
      insertExportRun(
        db,
        {
          id,
          shootId: request.shootId,
          presetJson: JSON.stringify(preset),
          targetRoot: request.targetRoot,
          total: sources.length,
          createdAt: now(),
        },
        sources,
      ),
    );
    this.launch(id);
    const run = getExportRun(db, id);
    if (!run) throw new Error(`export run ${id} vanished`);
    return run;
  }

  /**
   * The first file a preset would write for this shoot, rendered in memory: its name, size and
   * format, for the preset editor's live preview. Nothing is written.
   */
  async preview(
    presetInput: ExportPreset,
    shootId: string,
    targetRoot: string,
  ): Promise<{ path: string; width: number; height: number; format: string; sizeBytes: number; total: number }> {
    const preset = ExportPresetSchema.parse(presetInput);
    checkExportFolder(targetRoot, this.options.dataDir);
    const sources = this.sourcesFor(preset, shootId, undefined);
    const first = sources[0];
    if (!first) throw new AppError('invalid_input', nothingToExport(preset.what));
    const item: ExportItemRow = {
      runId: 'preview',
      seq: 1,
      sourceKind: first.kind,
      sourceId: first.id,
      state: 'pending',
      targetPath: null,
      sha256: null,
      sizeBytes: null,
      error: null,
    };
    const source = await this.describe(item, shootId);
    const fields: NameFields = {
      shoot: source.shoot,
      name: source.name,
      seq: 1,
      variant: source.variant,
      provider: source.provider,
      rating: source.rating,
      captureDate: source.captureDate,
      date: new Date(this.options.now()),
    };
    const target = renderOutputPath(preset, fields, {
      seqWidth: seqWidth(sources.length),
      exportRoot: targetRoot,
      sourceFolder: preset.keepFolderTree ? source.folder : null,
      extension: FORMAT_EXTENSION[preset.format],
    });
    const rendered = await renderExport(
      { file: source.file, preset, meta: { ...fields, ...this.options.credits(), aiEdited: source.aiEdited } },
      { metadata: this.metadata },
    );
    if (!rendered.ok) throw new AppError('invalid_input', rendered.error.message);
    return {
      path: target,
      width: rendered.output.width,
      height: rendered.output.height,
      format: rendered.output.format,
      sizeBytes: rendered.output.bytes.length,
      total: sources.length,
    };
  }

  /** Resumes a run that was stopped (canceled, or cut short by a crash). */
  resume(runId: string): ExportRunRow {
    const run = getExportRun(this.options.db, runId);
    if (!run) throw new AppError('not_found', `No export ${runId}.`);
    if (run.state === 'done') return run;
    setExportRunState(this.options.db, runId, 'running', this.options.now());
    this.launch(runId);
    return getExportRun(this.options.db, runId) ?? run;
  }

  cancel(runId: string): ExportRunRow {
    const run = getExportRun(this.options.db, runId);
    if (!run) throw new AppError('not_found', `No export ${runId}.`);
    const active = this.active.get(runId);
    if (active) {
      active.canceled = true;
      active.again = false;
    }
    if (run.state === 'running') setExportRunState(this.options.db, runId, 'canceled', this.options.now());
    this.report(runId, null);
    return getExportRun(this.options.db, runId) ?? run;
  }

  /** Has this variant been exported into this folder already (by any run)? Auto-export uses it to export once. */
  exported(variantId: string, targetRoot: string): boolean {
    return variantExportedTo(this.options.db, variantId, targetRoot);
  }

  /** Runs still marked running (the app stopped or died mid-export) carry on by themselves. */
  resumeUnfinished(): void {
    for (const run of listExportRuns(this.options.db, 'running')) this.launch(run.id);
  }

  runs(): (ExportRunRow & { counts: Record<ExportItemRow['state'], number> })[] {
    return listExportRuns(this.options.db).map((run) => ({
      ...run,
      counts: exportItemCounts(this.options.db, run.id),
    }));
  }

  items(runId: string): ExportItemRow[] {
    return listExportItems(this.options.db, runId);
  }

  /** Resolves when the runs' current passes are over (shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.active.values()].map((active) => active.done));
  }

  async stop(): Promise<void> {
    for (const active of this.active.values()) {
      active.canceled = true;
      active.again = false;
    }
    await this.idle();
    await this.metadata.end();
  }

  /**
   * Starts a pass over the run's open items. A pass already under way (say, one just canceled and
   * finishing its current file) is asked to run again once it stops, so resume right after cancel
   * never leaves a run marked running with nothing working on it.
   */
  private launch(runId: string): void {
    const current = this.active.get(runId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { canceled: false, again: false, done: Promise.resolve() };
    state.done = this.runPass(runId, state)
      .catch((error: unknown) => {
        this.options.log.error('export.run_failed', { runId, error });
        setExportRunState(this.options.db, runId, 'failed', this.options.now());
      })
      .finally(() => {
        this.active.delete(runId);
        this.report(runId, null);
        if (state.again && getExportRun(this.options.db, runId)?.state === 'running') this.launch(runId);
      });
    this.active.set(runId, state);
  }

  private async runPass(runId: string, control: { canceled: boolean }): Promise<void> {
    const { db, now } = this.options;
    const run = getExportRun(db, runId);
    if (!run) return;
    const preset = ExportPresetSchema.parse(JSON.parse(run.presetJson));
    const items = listExportItems(db, runId);
    const claimed = new ClaimedNames();
    for (const item of items) if (item.targetPath && item.state !== 'pending') claimed.claim(item.targetPath);
    const width = seqWidth(run.total);
    const exportDate = new Date(run.createdAt);
    // Read once per pass: Settings' credits apply to the whole run.
    const credits = this.options.credits();
    // Names are resolved one item at a time (two items must never claim one name); rendering and
    // writing run IMAGE_PARALLELISM items at once, so exiftool and the disk overlap with sharp.
    let naming: Promise<unknown> = Promise.resolve();
    const inOrder = <T>(work: () => Promise<T>): Promise<T> => {
      const result = naming.then(work);
      naming = result.catch(() => undefined);
      return result;
    };
    const open = items.filter((item) => item.state !== 'done' && item.state !== 'skipped');
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let item = open[next++]; item !== undefined && !control.canceled; item = open[next++]) {
        if (
          item.state === 'writing' &&
          item.targetPath &&
          item.sha256 &&
          (await sameHash(item.targetPath, item.sha256))
        ) {
          // Written and renamed before the app died, not yet recorded: it is ours, finished.
          updateExportItem(db, runId, item.seq, { state: 'done' }, now());
          continue;
        }
        this.report(runId, item.sourceId);
        try {
          await this.exportItem(run, preset, item, claimed, { width, exportDate, credits, inOrder });
        } catch (error) {
          const message =
            error instanceof AppError ? error.message : `Could not export this file: ${(error as Error).message}`;
          updateExportItem(db, runId, item.seq, { state: 'failed', error: message }, now());
          this.options.log.warn('export.item_failed', { runId, seq: item.seq, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IMAGE_PARALLELISM, Math.max(1, open.length)) }, worker));
    if (control.canceled) return;
    const counts = exportItemCounts(db, runId);
    setExportRunState(db, runId, counts.failed > 0 ? 'failed' : 'done', now());
  }

  private async exportItem(
    run: ExportRunRow,
    preset: ExportPreset,
    item: ExportItemRow,
    claimed: ClaimedNames,
    context: {
      width: number;
      exportDate: Date;
      credits: Credits;
      inOrder: <T>(work: () => Promise<T>) => Promise<T>;
    },
  ): Promise<void> {
    const { db, now } = this.options;
    const source = await this.describe(item, run.shootId);
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
      extension: FORMAT_EXTENSION[preset.format],
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
            claimed,
          ),
        );
    if (resolution.action === 'skip') {
      updateExportItem(db, run.id, item.seq, { state: 'skipped', targetPath: wanted, error: resolution.reason }, now());
      return;
    }
    const rendered = await renderExport(
      {
        file: source.file,
        preset,
        meta: { ...fields, ...context.credits, aiEdited: source.aiEdited },
        ...(source.metadataFrom ? { metadataFrom: source.metadataFrom } : {}),
      },
      { metadata: this.metadata },
    );
    if (!rendered.ok) throw new AppError('invalid_input', rendered.error.message);
    const sha256 = createHash('sha256').update(rendered.output.bytes).digest('hex');
    // Recorded before the file gets its name: a crash after the rename is recognised by this hash.
    updateExportItem(db, run.id, item.seq, { state: 'writing', targetPath: resolution.path, sha256 }, now());
    fs.mkdirSync(path.dirname(resolution.path), { recursive: true });
    // A full disk or a folder Shootline may not write to fails this item alone, in words (ExportWriteError).
    await writeFileAtomic(resolution.path, rendered.output.bytes, { overwrite: resolution.replaces });
    updateExportItem(
      db,
      run.id,
      item.seq,
      { state: 'done', sizeBytes: rendered.output.bytes.length, error: null },
      now(),
    );
  }

  /** What an item is: its file, its names, and whether a model made or changed it. */
  private async describe(
    item: ExportItemRow,
    shootId: string | null,
  ): Promise<{
    file: string;
    metadataFrom: string | null;
    shoot: string;
    name: string;
    folder: string | null;
    variant: string | null;
    provider: string | null;
    rating: number | null;
    captureDate: string | null;
    aiEdited: boolean;
  }> {
    const { db, mediaRoot } = this.options;
    if (item.sourceKind === 'variant') {
      const variant = getVariant(db, item.sourceId);
      if (!variant) throw new AppError('not_found', 'This variant was deleted before it could be exported.');
      const job = getJob(db, variant.jobId);
      const original = variant.assetId ? assetSource(db, variant.assetId) : null;
      const relative = original?.relativePath ?? variant.id;
      const facts = exportNameFacts(db, shootId, variant.assetId);
      return {
        file: variantFilePath(mediaRoot, variant.mediaId, variant.mimeType),
        metadataFrom: original?.file && fs.existsSync(original.file) ? original.file : null,
        shoot: facts.shoot,
        name: stem(relative),
        folder: folderOf(relative),
        variant: `v${variant.outputIndex + 1}`,
        provider: job?.provider ?? null,
        rating: variant.rating > 0 ? variant.rating : null,
        captureDate: facts.capturedAt,
        // Local processing (auto enhance, resize) is not generative; every cloud provider here is.
        aiEdited: job !== null && job.provider !== 'local',
      };
    }
    const original = assetSource(db, item.sourceId);
    if (!original?.file || !fs.existsSync(original.file)) {
      throw new AppError('not_found', 'The original is no longer in its hot folder.');
    }
    const readable = READABLE_ORIGINALS.has(original.format ?? '');
    const file = readable ? original.file : await this.options.previewOf(item.sourceId);
    if (!file) throw new AppError('invalid_input', 'This original cannot be read for export.');
    const facts = exportNameFacts(db, shootId, item.sourceId);
    return {
      file,
      metadataFrom: original.file,
      shoot: facts.shoot,
      name: stem(original.relativePath),
      folder: folderOf(original.relativePath),
      variant: null,
      provider: null,
      rating: facts.rating,
      captureDate: facts.capturedAt,
      aiEdited: false,
    };
  }

  private sourcesFor(
    preset: ExportPreset,
    shootId: string,
    assetIds: readonly string[] | undefined,
  ): { kind: 'variant' | 'asset'; id: string }[] {
    const { db } = this.options;
    const only = assetIds ? new Set(assetIds) : null;
    if (preset.what === 'originals') {
      return exportableOriginals(db, shootId)
        .filter((id) => !only || only.has(id))
        .map((id) => ({ kind: 'asset' as const, id }));
    }
    return listVariants(db, { shootId })
      .filter((variant) => variant.kind === 'image')
      .filter((variant) => !only || (variant.assetId !== null && only.has(variant.assetId)))
      .filter((variant) =>
        preset.what === 'approved'
          ? variant.approved
          : preset.what === 'picks'
            ? variant.pick === 'picked'
            : variant.pick !== 'rejected',
      )
      .map((variant) => ({ kind: 'variant', id: variant.id }));
  }

  private report(runId: string, current: string | null): void {
    const run = getExportRun(this.options.db, runId);
    if (!run) return;
    const counts = exportItemCounts(this.options.db, runId);
    this.options.onProgress?.({
      runId,
      state: run.state,
      total: run.total,
      done: counts.done,
      skipped: counts.skipped,
      failed: counts.failed,
      current,
    });
  }
}

function nothingToExport(what: ExportPreset['what']): string {
  switch (what) {
    case 'approved':
      return 'Nothing to export: approve variants first (A in the photo view).';
    case 'picks':
      return 'Nothing to export: pick variants first (P in the photo view).';
    case 'all-variants':
      return 'Nothing to export: this shoot has no variants yet.';
    case 'originals':
      return 'Nothing to export: this shoot has no readable photos.';
  }
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

function stem(relativePath: string): string {
  const base = relativePath.split('/').pop() ?? relativePath;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The photo's folder inside its shoot (the shoot's own folder is the first level). */
function folderOf(relativePath: string): string | null {
  const levels = relativePath.split('/').slice(1, -1);
  return levels.length > 0 ? levels.join('/') : null;
}
