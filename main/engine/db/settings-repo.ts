import { writeTransaction, type Db } from './connection';

export type StoredSetting = { key: string; ok: true; value: unknown } | { key: string; ok: false };

/** Stored settings, one entry per row; a row whose JSON cannot be read is reported, not thrown. */
export function readStoredSettings(db: Db): StoredSetting[] {
  const rows = db.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
  return rows.map((row) => {
    try {
      return { key: row.key, ok: true, value: JSON.parse(row.value_json) as unknown };
    } catch {
      return { key: row.key, ok: false };
    }
  });
}

export function writeSettings(db: Db, entries: Record<string, unknown>, now: () => number): void {
  const upsert = db.prepare(
    `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
  );
  const at = new Date(now()).toISOString();
  writeTransaction(db, () => {
    for (const [key, value] of Object.entries(entries)) upsert.run(key, JSON.stringify(value), at);
  });
}
