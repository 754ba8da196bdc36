import { randomUUID } from 'node:crypto';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';
import type { Db } from '../db/connection';
import { deleteExportPreset, getExportRun, saveExportPreset } from '../db/exports-repo';
import type { ExportService } from './export-service';
import { ExportPresetSchema, type ExportPreset } from '../../../shared/export-preset';
import { listPresets } from './presets';

type ExportMethods =
  | 'exports.presets'
  | 'exports.savePreset'
  | 'exports.deletePreset'
  | 'exports.preview'
  | 'exports.start'
  | 'exports.cancel'
  | 'exports.resume'
  | 'exports.list'
  | 'exports.problems';

export function createExportApi(context: {
  db: Db;
  exports: ExportService;
  now: () => number;
}): Pick<ApiHandlers, ExportMethods> {
  const { db, exports, now } = context;

  const presets = () => listPresets(db);

  const presetFor = (request: { presetId?: string | undefined; preset?: unknown }): ExportPreset => {
    if (request.preset !== undefined) return parsePreset(request.preset);
    const found = presets().find((entry) => entry.id === request.presetId);
    if (!found) throw new AppError('not_found', `No export preset ${request.presetId ?? ''}.`);
    return found.preset;
  };

  return {
    'exports.presets': () => presets(),
    'exports.savePreset': ({ id, preset }) => {
      if (id?.startsWith('builtin-'))
        throw new AppError('invalid_input', 'Built-in presets cannot be changed: save a copy.');
      const parsed = parsePreset(preset);
      const presetId = id ?? randomUUID();
      saveExportPreset(db, presetId, parsed.name, JSON.stringify(parsed), now());
      return { id: presetId, builtIn: false, preset: parsed };
    },
    'exports.deletePreset': ({ id }) => {
      if (!deleteExportPreset(db, id)) throw new AppError('not_found', `No saved preset ${id}.`);
      return { id };
    },
    'exports.preview': (request) =>
      exports.preview(presetFor(request), request.shootId, request.targetRoot, request.assetIds),
    'exports.start': async (request) => {
      const run = await exports.start({
        preset: presetFor(request),
        shootId: request.shootId,
        targetRoot: request.targetRoot,
        ...(request.assetIds ? { assetIds: request.assetIds } : {}),
        ...(request.skipRepeats ? { skipRepeats: true } : {}),
      });
      return runView(run.id);
    },
    'exports.cancel': async ({ id }) => {
      await exports.cancel(id);
      return runView(id);
    },
    'exports.resume': ({ id }) => {
      exports.resume(id);
      return runView(id);
    },
    'exports.list': () => exports.runs().map((run) => toView(run)),
    'exports.problems': ({ id }) => {
      runView(id);
      return exports.problems(id);
    },
  };

  function runView(id: string) {
    const run = exports.runs().find((candidate) => candidate.id === id) ?? null;
    if (!run || !getExportRun(db, id)) throw new AppError('not_found', `No export ${id}.`);
    return toView(run);
  }
}

function toView(run: ReturnType<ExportService['runs']>[number]) {
  const preset = ExportPresetSchema.safeParse(JSON.parse(run.presetJson));
  return {
    id: run.id,
    shootId: run.shootId,
    presetName: preset.success ? preset.data.name : '',
    targetRoot: run.targetRoot,
    state: run.state,
    total: run.total,
    done: run.counts.done,
    skipped: run.counts.skipped,
    failed: run.counts.failed,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}

function parsePreset(input: unknown): ExportPreset {
  return parseOrThrow(ExportPresetSchema, input, 'preset');
}
