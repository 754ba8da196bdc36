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
       reconcile_minutes, created_at, updated_at)
     VALUES (@id, @path, @name, @defaultRecipeId, @spendingCap, @autoApprove, @recursive, @polling, @reconcileMinutes,
       @createdAt, @updatedAt)
     ON CONFLICT (id) DO UPDATE SET default_recipe_id = excluded.default_recipe_id, spending_cap = excluded.spending_cap,
       auto_approve = excluded.auto_approve, recursive = excluded.recursive, polling = excluded.polling,
       reconcile_minutes = excluded.reconcile_minutes, updated_at = excluded.updated_at`,
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
    return statement(db, 'DELETE FROM hot_folders WHERE id = ?').run(id).changes === 1;
  });
}
