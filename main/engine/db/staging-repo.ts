import { TERMINAL_STATES } from '../../../shared/job-model';
import { sqlList } from './sql-list';
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

export function recordStagedObject(db: Db, jobId: string, key: string, now: number): void {
  db.prepare('INSERT OR IGNORE INTO staged_objects (job_id, object_key, staged_at) VALUES (?, ?, ?)').run(
    jobId,
    key,
    now,
  );
}

/** The job's staged objects that no other job still working (or that may be resent) has staged too. */
export function stagedKeysOnlyFor(db: Db, jobId: string): string[] {
  const rows = db
    .prepare(
      `SELECT s.object_key AS key FROM staged_objects s
       WHERE s.job_id = ? AND NOT EXISTS (
         SELECT 1 FROM staged_objects o JOIN jobs j ON j.id = o.job_id
         WHERE o.object_key = s.object_key AND o.job_id <> s.job_id
           AND j.state NOT IN (${sqlList(TERMINAL_STATES)}))`,
    )
    .all(jobId) as { key: string }[];
  return rows.map((row) => row.key);
}

export function forgetStagedObjects(db: Db, jobId: string): void {
  db.prepare('DELETE FROM staged_objects WHERE job_id = ?').run(jobId);
}

/** Forgets one staged object of a job (released, or no longer its to release). */
export function forgetStagedObject(db: Db, jobId: string, key: string): void {
  db.prepare('DELETE FROM staged_objects WHERE job_id = ? AND object_key = ?').run(jobId, key);
}
