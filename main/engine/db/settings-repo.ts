import { writeTransaction, type Db } from './connection';

/** Raw stored settings: key → parsed JSON value. Interpreting them is the settings service's job. */
export function readStoredSettings(db: Db): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
  return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value_json) as unknown]));
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
