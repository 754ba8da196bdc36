import type { HotFolder } from '../../../shared/domain';
import { statement, writeTransaction, type Db } from './connection';

interface HotFolderRow {
  id: string;
  path: string;
  name: string;
  default_recipe_id: string | null;
  spending_cap: number | null;
  auto_approve: number;
  recursive: number;
  polling: number;
  reconcile_minutes: number;
  export_preset_id: string | null;
  export_folder: string | null;
  created_at: number;
  updated_at: number;
}

const toHotFolder = (row: HotFolderRow): HotFolder => ({
  id: row.id,
  path: row.path,
  name: row.name,
  defaultRecipeId: row.default_recipe_id,
  spendingCap: row.spending_cap,
  autoApprove: row.auto_approve === 1,
  recursive: row.recursive === 1,
  polling: row.polling === 1,
  reconcileMinutes: row.reconcile_minutes,
  exportPresetId: row.export_preset_id,
  exportFolder: row.export_folder,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function listHotFolders(db: Db): HotFolder[] {
  return (statement(db, 'SELECT * FROM hot_folders ORDER BY name, path').all() as HotFolderRow[]).map(toHotFolder);
}

export function getHotFolder(db: Db, id: string): HotFolder | null {
  const row = statement(db, 'SELECT * FROM hot_folders WHERE id = ?').get(id) as HotFolderRow | undefined;
  return row ? toHotFolder(row) : null;
}

export function saveHotFolder(db: Db, folder: HotFolder): void {
  statement(
    db,
    `INSERT INTO hot_folders (id, path, name, default_recipe_id, spending_cap, auto_approve, recursive, polling,
       reconcile_minutes, export_preset_id, export_folder, created_at, updated_at)
     VALUES (@id, @path, @name, @defaultRecipeId, @spendingCap, @autoApprove, @recursive, @polling, @reconcileMinutes,
       @exportPresetId, @exportFolder, @createdAt, @updatedAt)
     ON CONFLICT (id) DO UPDATE SET default_recipe_id = excluded.default_recipe_id, spending_cap = excluded.spending_cap,
       auto_approve = excluded.auto_approve, recursive = excluded.recursive, polling = excluded.polling,
       reconcile_minutes = excluded.reconcile_minutes, export_preset_id = excluded.export_preset_id,
       export_folder = excluded.export_folder, updated_at = excluded.updated_at`,
  ).run({
    ...folder,
    autoApprove: folder.autoApprove ? 1 : 0,
    recursive: folder.recursive ? 1 : 0,
    polling: folder.polling ? 1 : 0,
  });
}

/** Stops watching; the shoots, assets and results it brought in stay. */
export function deleteHotFolder(db: Db, id: string): boolean {
  return writeTransaction(db, () => {
    statement(db, 'UPDATE shoots SET hot_folder_id = NULL WHERE hot_folder_id = ?').run(id);
    statement(db, 'UPDATE assets SET hot_folder_id = NULL WHERE hot_folder_id = ?').run(id);
    statement(db, 'DELETE FROM hot_folder_ignored WHERE hot_folder_id = ?').run(id);
    return statement(db, 'DELETE FROM hot_folders WHERE id = ?').run(id).changes === 1;
  });
}

/** Per hot folder: how many photos (in live shoots), how many still decoding, how many unreadable or gone, and the latest problem. */
export function hotFolderStatuses(db: Db): {
  id: string;
  photos: number;
  pending: number;
  problems: number;
  lastProblem: string | null;
}[] {
  const rows = db
    .prepare(
      `SELECT h.id AS id, COUNT(a.id) AS photos,
         COALESCE(SUM(a.state = 'pending'), 0) AS pending,
         COALESCE(SUM(a.state IN ('error', 'missing')), 0) AS problems,
         (SELECT a2.relative_path || ': ' || COALESCE(a2.error_message, 'the file is gone')
            FROM assets a2 JOIN shoots s2 ON s2.id = a2.shoot_id AND s2.deleted_at IS NULL
            WHERE a2.hot_folder_id = h.id AND a2.state IN ('error', 'missing')
            ORDER BY a2.updated_at DESC LIMIT 1) AS last_problem
       FROM hot_folders h
         LEFT JOIN assets a ON a.hot_folder_id = h.id
           AND EXISTS (SELECT 1 FROM shoots s WHERE s.id = a.shoot_id AND s.deleted_at IS NULL)
       GROUP BY h.id ORDER BY h.created_at`,
    )
    .all() as { id: string; photos: number; pending: number; problems: number; last_problem: string | null }[];
  return rows.map((row) => ({
    id: row.id,
    photos: row.photos,
    pending: row.pending,
    problems: row.problems,
    lastProblem: row.last_problem,
  }));
}
