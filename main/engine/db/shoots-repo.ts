import type { Shoot, ShootDetail } from '../../../shared/domain';
import { statement, type Db } from './connection';

interface ShootRow {
  id: string;
  name: string;
  created_at: string;
}

const toShoot = (row: ShootRow): Shoot => ({ id: row.id, name: row.name, createdAt: row.created_at });

export function listShoots(db: Db): Shoot[] {
  const rows = db.prepare('SELECT id, name, created_at FROM shoots ORDER BY created_at DESC, id').all() as ShootRow[];
  return rows.map(toShoot);
}

export function insertShoot(db: Db, shoot: Shoot): void {
  db.prepare('INSERT INTO shoots (id, name, created_at) VALUES (?, ?, ?)').run(shoot.id, shoot.name, shoot.createdAt);
}

export function shootExists(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM shoots WHERE id = ?').get(id) !== undefined;
}

export function getShootDetail(db: Db, id: string): ShootDetail | null {
  const row = statement(db, 'SELECT id, name, created_at, hot_folder_id, folder FROM shoots WHERE id = ?').get(id) as
    (ShootRow & { hot_folder_id: string | null; folder: string | null }) | undefined;
  if (!row) return null;
  const counts = statement(db, 'SELECT state, COUNT(*) AS count FROM assets WHERE shoot_id = ? GROUP BY state').all(
    id,
  ) as { state: 'pending' | 'ok' | 'error' | 'missing'; count: number }[];
  const assets = { total: 0, pending: 0, ok: 0, error: 0, missing: 0 };
  for (const { state, count } of counts) {
    assets[state] += count;
    assets.total += count;
  }
  return { ...toShoot(row), hotFolderId: row.hot_folder_id, folder: row.folder, assets };
}
