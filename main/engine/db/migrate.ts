import { AppError } from '../../../shared/errors';
import { writeTransaction, type Db } from './connection';
import type { Migration } from './migrations/types';

/**
 * Brings the schema up to the newest migration, each step in its own transaction together with
 * its row in schema_version, so a crash leaves the database at a whole version. A database written
 * by a newer Shootline is refused rather than touched.
 */
export function migrate(db: Db, migrations: readonly Migration[], now: () => number): number {
  assertContiguous(migrations);
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_version (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT;
  `);
  const current = currentSchemaVersion(db);
  const newest = migrations.length;
  if (current > newest) {
    throw new AppError(
      'unavailable',
      `This library was last opened by a newer Shootline (schema ${current}; this version knows ${newest}). Update Shootline to open it.`,
    );
  }
  const insert = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations.slice(current)) {
    writeTransaction(db, () => {
      db.exec(migration.sql);
      migration.rewrite?.(db);
      insert.run(migration.version, migration.name, new Date(now()).toISOString());
    });
  }
  return newest;
}

export function currentSchemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

function assertContiguous(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration ${index} has version ${migration.version}; expected ${index + 1}.`);
    }
  });
}
