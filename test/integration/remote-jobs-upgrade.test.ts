import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { getJob } from '../../main/engine/db/jobs-repo';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { countByState, openQueueLibrary, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const KEY = 'aix_upgrade_test_key';
/** The last migration before a job's remote work was structured (0016). */
const BEFORE_STRUCTURED = 15;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function libraryAt(version: number): Db {
  const dir = tempDir('shootline-remote-upgrade-');
  fs.mkdirSync(dir, { recursive: true });
  const db = openDatabase(path.join(dir, 'shootline.db'));
  cleanups.push(() => db.close());
  migrate(db, migrations.slice(0, version), Date.now);
  return db;
}

function insertJob(db: Db, id: string, provider: string, operation: string, state: string, remoteId: string | null) {
  db.prepare(
    `INSERT INTO jobs (id, provider, operation, inputs_json, params_json, state, attempts, max_attempts,
       idempotency_key, remote_id, created_at, updated_at)
     VALUES (?, ?, ?, '{}', '{}', ?, 1, 5, ?, ?, 1, 1)`,
  ).run(id, provider, operation, state, `key-${id}`, remoteId);
}

function insertStep(db: Db, jobId: string, step: string, remoteId: string, result: unknown) {
  db.prepare(
    `INSERT INTO job_steps (job_id, step, idempotency_key, state, remote_id, result_json, updated_at)
     VALUES (?, ?, ?, 'done', ?, ?, 1)`,
  ).run(jobId, step, `key-${jobId}.${step}`, remoteId, JSON.stringify(result));
}

/**
 * What the code before 0016 wrote for AIXpose: the project and its pictures packed into the remote
 * id (of the job and of its paid enhancement step), the step recording only the charge.
 */
function writeAsBefore(db: Db, projectId: string): void {
  const enhancements = db
    .prepare(
      `SELECT s.job_id, s.result_json FROM job_steps s JOIN jobs j ON j.id = s.job_id
       WHERE j.provider = 'aixpose' AND s.step = 'enhance' AND s.state = 'done'`,
    )
    .all() as { job_id: string; result_json: string }[];
  for (const step of enhancements) {
    const job = getJob(db, step.job_id);
    const { pictureIds, ...charge } = JSON.parse(step.result_json) as { pictureIds: string[] };
    const encoded = `${projectId}/${pictureIds.join(',')}`;
    db.prepare(`UPDATE job_steps SET remote_id = ?, result_json = ? WHERE job_id = ? AND step = 'enhance'`).run(
      encoded,
      JSON.stringify(charge),
      step.job_id,
    );
    if (job?.remote) db.prepare('UPDATE jobs SET remote_id = ? WHERE id = ?').run(encoded, step.job_id);
  }
  db.exec('ALTER TABLE jobs DROP COLUMN remote_data_json');
  // The migrations after it are undone too, as a library of that version never had them.
  db.exec(`
    DROP INDEX jobs_finished;
    DROP TRIGGER assets_counted;
    DROP TRIGGER assets_uncounted;
    DROP TRIGGER assets_recounted;
    DROP TRIGGER variants_counted;
    DROP TRIGGER variants_uncounted;
    DROP TRIGGER variants_recounted;
    DROP TRIGGER jobs_counted;
    DROP TRIGGER jobs_uncounted;
    DROP TRIGGER jobs_recounted;
    DROP TABLE shoot_counts;
    DROP TABLE job_counts;
    ALTER TABLE assets DROP COLUMN variant_count;
    DROP INDEX assets_hot_folder;
    DROP INDEX jobs_state_created;
    DROP INDEX jobs_provider;
    CREATE INDEX jobs_provider ON jobs (provider, state);
    DROP INDEX jobs_shoot;
    CREATE INDEX jobs_shoot ON jobs (shoot_id, state);
    DROP INDEX jobs_remote_id;
    DROP INDEX job_steps_remote_id;
    ALTER TABLE assets DROP COLUMN file_identity;
    DROP TABLE provider_refused_operations;
    ALTER TABLE assets DROP COLUMN garment_type;
    ALTER TABLE shoots DROP COLUMN garment_type;
    ALTER TABLE variants DROP COLUMN content_hash;
    ALTER TABLE assets DROP COLUMN turn;
    ALTER TABLE assets DROP COLUMN focus_x;
    ALTER TABLE assets DROP COLUMN focus_y;
    DROP TABLE hot_folder_ignored;
    DROP INDEX shoots_hot_folder_folder;
    ALTER TABLE shoots DROP COLUMN deleted_at;
    ALTER TABLE shoots DROP COLUMN merged_into;
    CREATE UNIQUE INDEX shoots_hot_folder_folder ON shoots (hot_folder_id, folder) WHERE hot_folder_id IS NOT NULL;
    CREATE TABLE asset_duplicates (
      asset_id TEXT NOT NULL REFERENCES assets (id), relative_path TEXT NOT NULL, first_seen_at INTEGER NOT NULL,
      PRIMARY KEY (asset_id, relative_path)
    ) STRICT;
  `);
  db.prepare('DELETE FROM schema_version WHERE version > ?').run(BEFORE_STRUCTURED);
}

describe('remote jobs as structured data', () => {
  it("rewrites AIXpose's packed remote ids (video:, publish:, project/pictures) and their paid steps; other providers' ids stay", () => {
    const db = libraryAt(BEFORE_STRUCTURED);
    insertJob(db, 'enhance', 'aixpose', 'enhance', 'remote', 'proj-1/pic-a,pic-b');
    insertStep(db, 'enhance', 'enhance', 'proj-1/pic-a,pic-b', { charged: 2, balance: 98 });
    insertJob(db, 'video', 'aixpose', 'video', 'remote', 'video:vid-9');
    insertStep(db, 'video', 'video', 'video:vid-9', { charged: 10 });
    insertJob(db, 'publish', 'aixpose', 'publish', 'done', 'publish:proj-1');
    insertStep(db, 'publish', 'publish', 'publish:proj-1', null);
    // Its enhancement answered, then the app died before the job was marked accepted.
    insertJob(db, 'submitting', 'aixpose', 'enhance', 'submitting', null);
    insertStep(db, 'submitting', 'enhance', 'proj-1/pic-c', {});
    insertJob(db, 'productai', 'productai', 'upscale', 'remote', 'job/with:colon');
    // Not a form the old code wrote: left as it is, for the module to report.
    insertJob(db, 'odd', 'aixpose', 'enhance', 'remote', 'no-slash');

    migrate(db, migrations, Date.now);

    const remoteOf = (id: string) => getJob(db, id)?.remote;
    expect(remoteOf('enhance')).toEqual({
      id: 'pic-a',
      data: { kind: 'pictures', projectId: 'proj-1', pictureIds: ['pic-a', 'pic-b'] },
    });
    expect(remoteOf('video')).toEqual({ id: 'vid-9', data: { kind: 'video' } });
    expect(remoteOf('publish')).toEqual({ id: 'proj-1', data: { kind: 'publish' } });
    expect(remoteOf('submitting')).toBeNull();
    expect(remoteOf('productai')).toEqual({ id: 'job/with:colon' });
    expect(remoteOf('odd')).toEqual({ id: 'no-slash' });
    const steps = db.prepare('SELECT job_id, remote_id, result_json FROM job_steps ORDER BY job_id').all() as {
      job_id: string;
      remote_id: string;
      result_json: string;
    }[];
    expect(steps.map((step) => [step.job_id, step.remote_id, JSON.parse(step.result_json) as unknown])).toEqual([
      ['enhance', 'pic-a', { charged: 2, balance: 98, pictureIds: ['pic-a', 'pic-b'] }],
      ['publish', 'proj-1', null],
      ['submitting', 'pic-c', { pictureIds: ['pic-c'] }],
      ['video', 'vid-9', { charged: 10 }],
    ]);
  });

  it(
    'AIXpose enhancements in flight when Shootline is updated (polling, and answered but not yet accepted) finish without a second charge',
    { timeout: 120_000 },
    async () => {
      // Slow enough that jobs wait at AIXpose when the first run is stopped.
      const sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 1000, speed: 2 });
      cleanups.push(() => sandbox.close());
      const dir = tempDir('shootline-remote-upgrade-e2e-');
      const assets = seedCrashLibrary(dir, 'aixpose', {
        operation: 'enhance',
        params: { actions: ['interior-style-japandi'], variants: 2 },
        costEstimate: 2,
      });
      const start = () => {
        const run = runCrashChild([dir, 'aixpose', sandbox.baseUrl, KEY]);
        cleanups.push(() => run.child.kill('SIGKILL'));
        return run;
      };

      const first = start();
      const watcher = openQueueLibrary(dir);
      await waitFor(
        () => (countByState(watcher.db).remote ?? 0) >= 3,
        () => JSON.stringify(countByState(watcher.db)),
        60_000,
      );
      first.child.kill('SIGKILL');
      await first.exited;
      expect(countByState(watcher.db).done ?? 0).toBe(0);
      // One of them as a crash right after its paid answer was recorded leaves it: submitting, no remote id yet.
      const [answered] = watcher.db
        .prepare(`SELECT id, remote_data_json AS data FROM jobs WHERE state = 'remote' LIMIT 1`)
        .all() as { id: string; data: string }[];
      // The shoot's one AIXpose project.
      const { projectId } = JSON.parse(answered?.data ?? '{}') as { projectId: string };
      watcher.db
        .prepare(`UPDATE jobs SET state = 'submitting', remote_id = NULL, remote_data_json = NULL WHERE id = ?`)
        .run(answered?.id);
      writeAsBefore(watcher.db, projectId);
      watcher.db.close();
      const chargedBefore = 1000 - sandbox.balance;

      expect((await start().exited).output).toContain('settled');
      const check = openQueueLibrary(dir);
      cleanups.push(() => check.db.close());
      const failures = check.db
        .prepare(`SELECT id, last_error_code, last_error_message FROM jobs WHERE state != 'done'`)
        .all();
      expect({ states: countByState(check.db), failures }).toEqual({ states: { done: assets.length }, failures: [] });
      const variants = check.db.prepare('SELECT COUNT(*) AS n FROM variants').get() as { n: number };
      expect(variants.n).toBe(assets.length * 2);
      // The jobs that were at AIXpose were not sent again: every job charged once, two pictures each.
      expect(chargedBefore).toBeGreaterThanOrEqual(3 * 2);
      expect(sandbox.balance).toBe(1000 - assets.length * 2);
      const ledger = check.db.prepare(`SELECT SUM(amount) AS total FROM credit_ledger WHERE kind = 'charge'`).get() as {
        total: number;
      };
      expect(ledger.total).toBe(assets.length * 2);
      expect(sandbox.violations).toEqual([]);
    },
  );
});
