import fs from 'node:fs';
import type { EffectOf } from '../providers/operation-effect';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import {
  ExportPresetSchema,
  FORMAT_EXTENSION,
  smallerThanSize,
  type ExportPreset,
} from '../../../shared/export-preset';
import type { Variant } from '../../../shared/jobs';
import type { Db } from '../db/connection';
import { writeTransaction } from '../db/connection';
import {
  autoExportTarget,
  exportItemCounts,
  getExportRun,
  insertExportRun,
  listExportItems,
  listExportRuns,
  setExportRunState,
  variantExportedTo,
  type ExportItemRow,
  type ExportRunRow,
} from '../db/exports-repo';
import type { EventHub } from '../events';
import { checkExportFolder } from '../folder-rules';
import type { Logger } from '../log';
import type { Credits } from './export-metadata';
import { ExportMetadataWriter } from './export-metadata';
import { runExportPass } from './export-pass';
import { ExportSources, nothingToExport } from './export-sources';
import { renderOutputPath, seqWidth, type NameFields } from './names';
import { presetById } from './presets';
import { renderExport } from './render-export';

export interface ExportProgress {
  runId: string;
  state: ExportRunRow['state'];
  total: number;
  done: number;
  skipped: number;
  failed: number;
  current: string | null;
}

/** How many items the preview tries before it gives up finding one that renders (each is a real render). */
const PREVIEW_TRIES = 5;

/** What a preset would do with a shoot, before anything is written. */
export interface ExportPreview {
  /** The first file: its path, size and format. */
  path: string;
  width: number;
  height: number;
  format: string;
  sizeBytes: number;
  /** Files the export would write. */
  total: number;
  /** Pictures smaller than the preset's size (enlarged, kept small or refused, as the preset says). */
  smaller: number;
  /** Pictures byte for byte the same as another one in the export. */
  repeats: number;
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
  /** What each operation declares it does to a photo (the providers' tables), for the disclosure. */
  effectOf: EffectOf;
  onProgress?: (progress: ExportProgress) => void;
  /** Where approvals are heard: a hot folder with an export preset exports each approved variant by itself. */
  events?: EventHub;
}

/** A pass under way over a run's items. */
interface ActivePass {
  controller: AbortController;
  /** Start another pass when this one ends (a resume arrived while a canceled pass was stopping). */
  again: boolean;
  done: Promise<void>;
}

/**
 * Exports as recorded runs. Starting one plans every item in the database first; each item is then
 * rendered, its target and the hash of its bytes recorded, written atomically, and marked done. A
 * run killed at any point resumes from its records: done items are never written again, an item
 * caught between "writing" and "done" is recognised by its hash, and no half file ever carries a
 * final name (see atomic-write.ts).
 */
export class ExportService {
  private readonly active = new Map<string, ActivePass>();
  private readonly metadata = new ExportMetadataWriter();
  private readonly sources: ExportSources;
  private readonly stopListening: () => void;

  constructor(private readonly options: ExportServiceOptions) {
    this.sources = new ExportSources(options.db, options.mediaRoot, options.previewOf, options.effectOf);
    this.stopListening = options.events?.on('variant.updated', (variant) => this.exportApproved(variant)) ?? (() => {});
  }

  /**
   * Plans a run over the chosen sources and starts it. Without `skipRepeats` the run is recorded
   * before the first await (an auto-export checks "exported already?" and starts in one go).
   */
  async start(request: {
    preset: ExportPreset;
    shootId: string;
    targetRoot: string;
    /** Limit the run to these photos (their variants, or themselves for originals). */
    assetIds?: readonly string[];
    /** Limit the run to these variants (a hot folder exporting what was just approved). */
    variantIds?: readonly string[];
    /** Leave out items byte for byte the same as an earlier one (the preview counts them). */
    skipRepeats?: boolean;
  }): Promise<ExportRunRow> {
    const { db, now } = this.options;
    const preset = ExportPresetSchema.parse(request.preset);
    checkExportFolder(request.targetRoot, this.options.dataDir);
    const only = request.variantIds ? new Set(request.variantIds) : null;
    let sources = this.sources
      .select(preset, request.shootId, request.assetIds)
      .filter((source) => !only || (source.kind === 'variant' && only.has(source.id)));
    if (request.skipRepeats) {
      const repeated = new Set((await this.sources.repeats(sources)).map((source) => source.id));
      sources = sources.filter((source) => !repeated.has(source.id));
    }
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
    assetIds?: readonly string[],
  ): Promise<ExportPreview> {
    const preset = ExportPresetSchema.parse(presetInput);
    checkExportFolder(targetRoot, this.options.dataDir);
    const sources = this.sources.select(preset, shootId, assetIds);
    if (sources.length === 0) throw new AppError('invalid_input', nothingToExport(preset.what));
    const counts = {
      total: sources.length,
      smaller: sources.filter((ref) => {
        const size = this.sources.uprightSize(ref);
        return size !== null && smallerThanSize(preset.size, size.width, size.height);
      }).length,
      repeats: (await this.sources.repeats(sources)).length,
    };
    // The first picture that exports: a video is copied, not rendered, and a photo the preset
    // refuses (too small) makes no file; neither stands in for what the preset makes.
    let firstProblem: string | null = null;
    let video: ExportPreview | null = null;
    for (const [index, ref] of sources.slice(0, PREVIEW_TRIES).entries()) {
      const source = await this.sources.describe({ sourceKind: ref.kind, sourceId: ref.id }, shootId, preset);
      const fields: NameFields = {
        shoot: source.shoot,
        name: source.name,
        seq: index + 1,
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
        extension: source.passThrough?.extension ?? FORMAT_EXTENSION[preset.format],
      });
      if (source.passThrough) {
        const size = this.sources.uprightSize(ref);
        video ??= {
          path: target,
          width: size?.width ?? 0,
          height: size?.height ?? 0,
          format: source.passThrough.extension,
          sizeBytes: (await fs.promises.stat(source.file).catch(() => null))?.size ?? 0,
          ...counts,
        };
        continue;
      }
      const rendered = await renderExport(
        {
          file: source.file,
          turn: source.turn,
          cropFocus: source.cropFocus,
          preset,
          meta: { ...fields, ...this.options.credits(), disclosure: source.disclosure },
        },
        { metadata: this.metadata },
      );
      if (!rendered.ok) {
        firstProblem ??= rendered.error.message;
        continue;
      }
      return {
        path: target,
        width: rendered.output.width,
        height: rendered.output.height,
        format: rendered.output.format,
        sizeBytes: rendered.output.bytes.length,
        ...counts,
      };
    }
    if (video) return video;
    throw new AppError('invalid_input', firstProblem ?? nothingToExport(preset.what));
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

  /**
   * Stops a run and answers once it has stopped: items not started stay open, a file being
   * written is dropped before it takes its name (its temp file removed), and no file appears in
   * the export folder after this resolves. A resume may follow at any time.
   */
  async cancel(runId: string): Promise<ExportRunRow> {
    const run = getExportRun(this.options.db, runId);
    if (!run) throw new AppError('not_found', `No export ${runId}.`);
    if (run.state === 'running') setExportRunState(this.options.db, runId, 'canceled', this.options.now());
    const active = this.active.get(runId);
    if (active) {
      active.again = false;
      active.controller.abort();
      await active.done;
    }
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

  /** A run's failed and skipped items, named as the progress line names them, with their reasons. */
  problems(runId: string): { name: string; state: 'failed' | 'skipped'; reason: string }[] {
    return this.items(runId).flatMap((item) =>
      item.state === 'failed' || item.state === 'skipped'
        ? [{ name: this.sources.displayName(item), state: item.state, reason: item.error ?? '' }]
        : [],
    );
  }

  /** Resolves when the runs' current passes are over (shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.active.values()].map((active) => active.done));
  }

  /** Stops listening and every pass (their runs stay marked running, and resume at the next start). */
  async stop(): Promise<void> {
    this.stopListening();
    for (const active of this.active.values()) {
      active.again = false;
      active.controller.abort();
    }
    await this.idle();
    await this.metadata.end();
  }

  /**
   * Exports a just-approved variant with its hot folder's preset into the folder's export folder,
   * once: approving it again (after an unapprove) does not write it a second time.
   */
  private exportApproved(variant: Variant): void {
    if (!variant.approved || !variant.assetId) return;
    try {
      const row = autoExportTarget(this.options.db, variant.assetId);
      if (!row?.presetId || !row.folder || this.exported(variant.id, row.folder)) return;
      const preset = presetById(this.options.db, row.presetId);
      if (!preset) throw new Error(`The hot folder's export preset ${row.presetId} no longer exists.`);
      // Whatever the preset normally selects, here it exports exactly the variant just approved.
      this.start({
        preset: { ...preset, what: 'approved' },
        shootId: row.shootId,
        targetRoot: row.folder,
        variantIds: [variant.id],
      }).catch((error: unknown) => this.options.log.warn('export.auto_failed', { variantId: variant.id, error }));
    } catch (error) {
      this.options.log.warn('export.auto_failed', { variantId: variant.id, error });
    }
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
    const pass: ActivePass = { controller: new AbortController(), again: false, done: Promise.resolve() };
    const deps = {
      db: this.options.db,
      now: this.options.now,
      log: this.options.log,
      sources: this.sources,
      metadata: this.metadata,
      credits: this.options.credits,
      report: (id: string, item: string | null) => this.report(id, item),
    };
    pass.done = runExportPass(deps, runId, pass.controller.signal)
      .catch((error: unknown) => {
        this.options.log.error('export.run_failed', { runId, error });
        setExportRunState(this.options.db, runId, 'failed', this.options.now());
      })
      .finally(() => {
        this.active.delete(runId);
        this.report(runId, null);
        if (pass.again && getExportRun(this.options.db, runId)?.state === 'running') this.launch(runId);
      });
    this.active.set(runId, pass);
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
