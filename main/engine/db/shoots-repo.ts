import type { Shoot } from '../../../shared/domain';
import type { Db } from './connection';

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
