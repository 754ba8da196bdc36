import { statement, type Db } from './connection';

/** The stored staging settings (without the secret key), or null when staging is not set up. */
export function readStagingSettings(db: Db): unknown {
  const row = statement(db, 'SELECT settings_json FROM staging WHERE id = 1').get() as
    { settings_json: string } | undefined;
  if (!row) return null;
  try {
    return JSON.parse(row.settings_json) as unknown;
  } catch {
    return null;
  }
}

export function saveStagingSettings(db: Db, settings: Record<string, unknown>, now: number): void {
  statement(
    db,
    `INSERT INTO staging (id, settings_json, updated_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at`,
  ).run(JSON.stringify(settings), now);
}

export function clearStagingSettings(db: Db): void {
  statement(db, 'DELETE FROM staging WHERE id = 1').run();
}
