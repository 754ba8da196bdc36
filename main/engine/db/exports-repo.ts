import type { Db } from './connection';

export type ExportRunState = 'running' | 'canceled' | 'done' | 'failed';
export type ExportItemState = 'pending' | 'writing' | 'done' | 'skipped' | 'failed';

export interface ExportRunRow {
  id: string;
  shootId: string | null;
  presetJson: string;
  targetRoot: string;
  state: ExportRunState;
  total: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface ExportItemRow {
  runId: string;
  seq: number;
  sourceKind: 'variant' | 'asset';
  sourceId: string;
  state: ExportItemState;
  targetPath: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  error: string | null;
}

/** A run and its items, planned in one transaction by the caller. */
export function insertExportRun(
  db: Db,
  run: Omit<ExportRunRow, 'updatedAt' | 'finishedAt' | 'state'>,
  sources: readonly { kind: 'variant' | 'asset'; id: string }[],
): void {
  db.prepare(
    `INSERT INTO export_runs (id, shoot_id, preset_json, target_root, state, total, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
  ).run(run.id, run.shootId, run.presetJson, run.targetRoot, run.total, run.createdAt, run.createdAt);
  const item = db.prepare(
    `INSERT INTO export_items (run_id, seq, source_kind, source_id, state, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
  );
  sources.forEach((source, index) => item.run(run.id, index + 1, source.kind, source.id, run.createdAt));
}

interface RunRow {
  id: string;
  shoot_id: string | null;
  preset_json: string;
  target_root: string;
  state: ExportRunState;
  total: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

const toRun = (row: RunRow): ExportRunRow => ({
  id: row.id,
  shootId: row.shoot_id,
  presetJson: row.preset_json,
  targetRoot: row.target_root,
  state: row.state,
  total: row.total,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  finishedAt: row.finished_at,
});

export function getExportRun(db: Db, id: string): ExportRunRow | null {
  const row = db.prepare('SELECT * FROM export_runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? toRun(row) : null;
}

export function listExportRuns(db: Db, state?: ExportRunState): ExportRunRow[] {
  const rows = db
    .prepare('SELECT * FROM export_runs WHERE (@state IS NULL OR state = @state) ORDER BY created_at DESC LIMIT 200')
    .all({ state: state ?? null }) as RunRow[];
  return rows.map(toRun);
}

export function setExportRunState(db: Db, id: string, state: ExportRunState, now: number): void {
  db.prepare(
    `UPDATE export_runs SET state = ?, updated_at = ?,
       finished_at = CASE WHEN ? IN ('done', 'failed', 'canceled') THEN ? ELSE NULL END
     WHERE id = ?`,
  ).run(state, now, state, now, id);
}

interface ItemRow {
  run_id: string;
  seq: number;
  source_kind: 'variant' | 'asset';
  source_id: string;
  state: ExportItemState;
  target_path: string | null;
  sha256: string | null;
  size_bytes: number | null;
  error: string | null;
}

const toItem = (row: ItemRow): ExportItemRow => ({
  runId: row.run_id,
  seq: row.seq,
  sourceKind: row.source_kind,
  sourceId: row.source_id,
  state: row.state,
  targetPath: row.target_path,
  sha256: row.sha256,
  sizeBytes: row.size_bytes,
  error: row.error,
});

export function listExportItems(db: Db, runId: string): ExportItemRow[] {
  const rows = db.prepare('SELECT * FROM export_items WHERE run_id = ? ORDER BY seq').all(runId) as ItemRow[];
  return rows.map(toItem);
}

export function updateExportItem(
  db: Db,
  runId: string,
  seq: number,
  change: Partial<Pick<ExportItemRow, 'state' | 'targetPath' | 'sha256' | 'sizeBytes' | 'error'>>,
  now: number,
): void {
  db.prepare(
    `UPDATE export_items SET
       state = COALESCE(@state, state),
       target_path = CASE WHEN @setTarget THEN @targetPath ELSE target_path END,
       sha256 = CASE WHEN @setHash THEN @sha256 ELSE sha256 END,
       size_bytes = COALESCE(@sizeBytes, size_bytes),
       error = CASE WHEN @setError THEN @error ELSE error END,
       updated_at = @now
     WHERE run_id = @runId AND seq = @seq`,
  ).run({
    runId,
    seq,
    now,
    state: change.state ?? null,
    setTarget: change.targetPath !== undefined ? 1 : 0,
    targetPath: change.targetPath ?? null,
    setHash: change.sha256 !== undefined ? 1 : 0,
    sha256: change.sha256 ?? null,
    sizeBytes: change.sizeBytes ?? null,
    setError: change.error !== undefined ? 1 : 0,
    error: change.error ?? null,
  });
}

export function exportItemCounts(db: Db, runId: string): Record<ExportItemState, number> {
  const counts: Record<ExportItemState, number> = { pending: 0, writing: 0, done: 0, skipped: 0, failed: 0 };
  const rows = db
    .prepare('SELECT state, COUNT(*) AS count FROM export_items WHERE run_id = ? GROUP BY state')
    .all(runId) as { state: ExportItemState; count: number }[];
  for (const row of rows) counts[row.state] = row.count;
  return counts;
}

export interface SavedPresetRow {
  id: string;
  name: string;
  presetJson: string;
}

export function listSavedPresets(db: Db): SavedPresetRow[] {
  return (
    db.prepare('SELECT id, name, preset_json FROM export_presets ORDER BY name').all() as {
      id: string;
      name: string;
      preset_json: string;
    }[]
  ).map((row) => ({ id: row.id, name: row.name, presetJson: row.preset_json }));
}

export function saveExportPreset(db: Db, id: string, name: string, presetJson: string, now: number): void {
  db.prepare(
    `INSERT INTO export_presets (id, name, preset_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, preset_json = excluded.preset_json,
       updated_at = excluded.updated_at`,
  ).run(id, name, presetJson, now, now);
}

export function deleteExportPreset(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM export_presets WHERE id = ?').run(id).changes > 0;
}

/** Where a photo's hot folder exports approved variants by itself, if it does. */
export function autoExportTarget(
  db: Db,
  assetId: string,
): { presetId: string | null; folder: string | null; shootId: string } | null {
  const row = db
    .prepare(
      `SELECT h.export_preset_id AS presetId, h.export_folder AS folder, a.shoot_id AS shootId
       FROM assets a JOIN hot_folders h ON h.id = a.hot_folder_id WHERE a.id = ?`,
    )
    .get(assetId) as { presetId: string | null; folder: string | null; shootId: string } | undefined;
  return row ?? null;
}

/** Has any run exported (or is about to export) this variant into this folder? */
export function variantExportedTo(db: Db, variantId: string, targetRoot: string): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM export_items i JOIN export_runs r ON r.id = i.run_id
         WHERE i.source_kind = 'variant' AND i.source_id = ? AND r.target_root = ?
           AND i.state IN ('done', 'writing', 'pending')
         LIMIT 1`,
      )
      .get(variantId, targetRoot) !== undefined
  );
}

/** A shoot's readable originals that were not rejected, by path: what an "originals" export takes. */
export function exportableOriginals(db: Db, shootId: string): string[] {
  const rows = db
    .prepare(`SELECT id FROM assets WHERE shoot_id = ? AND state = 'ok' AND pick <> 'rejected' ORDER BY relative_path`)
    .all(shootId) as { id: string }[];
  return rows.map((row) => row.id);
}

/** Photos rejected in the grid: their variants are not exported by "all variants except rejected". */
export function rejectedAssetIds(db: Db, shootId: string): Set<string> {
  const rows = db.prepare(`SELECT id FROM assets WHERE shoot_id = ? AND pick = 'rejected'`).all(shootId) as {
    id: string;
  }[];
  return new Set(rows.map((row) => row.id));
}

/** What an export's names take from a photo and its shoot. */
export function exportNameFacts(
  db: Db,
  shootId: string | null,
  assetId: string | null,
): { shoot: string; capturedAt: string | null; rating: number | null } {
  const shoot = shootId
    ? ((db.prepare('SELECT name FROM shoots WHERE id = ?').get(shootId) as { name: string } | undefined)?.name ?? '')
    : '';
  const asset = assetId
    ? (db.prepare('SELECT captured_at, rating FROM assets WHERE id = ?').get(assetId) as
        { captured_at: string | null; rating: number } | undefined)
    : undefined;
  return {
    shoot,
    capturedAt: asset?.captured_at ?? null,
    rating: asset && asset.rating > 0 ? asset.rating : null,
  };
}
