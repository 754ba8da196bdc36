import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { tempDir } from '../support/temp';

/**
 * The counts the shoots list and the queue read (shoot_counts, job_counts, assets.variant_count)
 * are kept by triggers as rows change. Here a few hundred random changes of every kind the engine
 * makes (photos added, marked missing, moved by a merge, deleted; jobs created, moving state,
 * moved, deleted; variants made, approved, deleted) are checked, after each one, against the same
 * counts computed from the rows themselves.
 */
const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

function library(): Db {
  const db = openDatabase(path.join(tempDir(), 'counts.db'));
  migrate(db, migrations, Date.now);
  dbs.push(db);
  return db;
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const kept = (db: Db) => ({
  shoots: db
    .prepare(
      `SELECT shoot_id, photos, problems, with_variants, approved, jobs_pending FROM shoot_counts
       WHERE photos + problems + with_variants + approved + jobs_pending > 0 ORDER BY shoot_id`,
    )
    .all(),
  jobs: db.prepare('SELECT provider, state, n FROM job_counts WHERE n > 0 ORDER BY provider, state').all(),
  variantCounts: db.prepare('SELECT id, variant_count FROM assets ORDER BY id').all(),
});

const counted = (db: Db) => ({
  shoots: db
    .prepare(
      `SELECT * FROM (SELECT s.id AS shoot_id,
         (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id) AS photos,
         (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id AND a.state IN ('error', 'missing')) AS problems,
         (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id
            AND EXISTS (SELECT 1 FROM variants v WHERE v.asset_id = a.id)) AS with_variants,
         (SELECT COUNT(*) FROM variants v JOIN jobs j ON j.id = v.job_id WHERE j.shoot_id = s.id AND v.approved = 1)
            AS approved,
         (SELECT COUNT(*) FROM jobs j WHERE j.shoot_id = s.id AND j.state NOT IN ('done', 'failed', 'canceled'))
            AS jobs_pending
       FROM shoots s) WHERE photos + problems + with_variants + approved + jobs_pending > 0 ORDER BY shoot_id`,
    )
    .all(),
  jobs: db
    .prepare('SELECT provider, state, COUNT(*) AS n FROM jobs GROUP BY provider, state ORDER BY provider, state')
    .all(),
  variantCounts: db
    .prepare(
      'SELECT a.id, (SELECT COUNT(*) FROM variants v WHERE v.asset_id = a.id) AS variant_count FROM assets a ORDER BY a.id',
    )
    .all(),
});

const STATES = ['queued', 'preparing', 'remote', 'done', 'failed', 'canceled', 'needs_review', 'awaiting_input'];

describe('counts kept by triggers', () => {
  it('equal the counts computed from the rows after each of 400 random changes', () => {
    const db = library();
    const next = random(7);
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)];
    const ids = (sql: string): string[] => (db.prepare(sql).all() as { id: string }[]).map((row) => row.id);
    const now = Date.now();
    for (const id of ['s1', 's2', 's3'])
      db.prepare("INSERT INTO shoots (id, name, created_at) VALUES (?, ?, '2026')").run(id, id);
    let serial = 0;
    const changes: Record<string, () => void> = {
      addPhoto: () => {
        serial += 1;
        db.prepare(
          `INSERT INTO assets (id, shoot_id, relative_path, content_hash, size_bytes, created_at, updated_at, state)
           VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
        ).run(
          `a${serial}`,
          pick(['s1', 's2', 's3']),
          `p${serial}.jpg`,
          `h${serial}`,
          now,
          now,
          pick(['ok', 'pending', 'error']),
        );
      },
      photoState: () => {
        const id = pick(ids('SELECT id FROM assets'));
        if (id)
          db.prepare('UPDATE assets SET state = ? WHERE id = ?').run(pick(['ok', 'missing', 'error', 'pending']), id);
      },
      movePhotos: () => {
        // A merge moves a shoot's photos and jobs into another.
        const from = pick(['s1', 's2', 's3']);
        const into = pick(['s1', 's2', 's3']);
        db.prepare('UPDATE assets SET shoot_id = ? WHERE shoot_id = ?').run(into, from);
        db.prepare('UPDATE jobs SET shoot_id = ? WHERE shoot_id = ?').run(into, from);
      },
      deletePhoto: () => {
        const id = pick(
          ids('SELECT id FROM assets WHERE id NOT IN (SELECT asset_id FROM variants WHERE asset_id IS NOT NULL)'),
        );
        if (id) db.prepare('DELETE FROM assets WHERE id = ?').run(id);
      },
      addJob: () => {
        serial += 1;
        db.prepare(
          `INSERT INTO jobs (id, shoot_id, provider, operation, inputs_json, params_json, state, max_attempts,
             idempotency_key, created_at, updated_at) VALUES (?, ?, ?, 'enhance', '{}', '{}', ?, 8, ?, ?, ?)`,
        ).run(
          `j${serial}`,
          pick(['s1', 's2', 's3', null]),
          pick(['local', 'aixpose']),
          pick(STATES),
          `k${serial}`,
          now,
          now,
        );
      },
      jobState: () => {
        const id = pick(ids('SELECT id FROM jobs'));
        if (id)
          db.prepare('UPDATE jobs SET state = ?, provider = ? WHERE id = ?').run(
            pick(STATES),
            pick(['local', 'aixpose']),
            id,
          );
      },
      deleteJob: () => {
        const id = pick(ids('SELECT id FROM jobs WHERE id NOT IN (SELECT job_id FROM variants)'));
        if (id) db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
      },
      addVariant: () => {
        const job = pick(ids('SELECT id FROM jobs'));
        if (!job) return;
        serial += 1;
        db.prepare(
          `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, size_bytes, approved,
             created_at, updated_at) VALUES (?, ?, ?, ?, 'm', 'image', 'image/jpeg', 1, ?, ?, ?)`,
        ).run(
          `v${serial}`,
          job,
          next() < 0.2 ? null : (pick(ids('SELECT id FROM assets')) ?? null),
          serial,
          next() < 0.3 ? 1 : 0,
          now,
          now,
        );
      },
      approve: () => {
        const id = pick(ids('SELECT id FROM variants'));
        if (id) db.prepare('UPDATE variants SET approved = 1 - approved WHERE id = ?').run(id);
      },
      moveVariant: () => {
        const id = pick(ids('SELECT id FROM variants'));
        const asset = pick(ids('SELECT id FROM assets'));
        const job = pick(ids('SELECT id FROM jobs'));
        if (id && asset && job)
          db.prepare('UPDATE variants SET asset_id = ?, job_id = ? WHERE id = ?').run(asset, job, id);
      },
      deleteVariant: () => {
        const id = pick(ids('SELECT id FROM variants'));
        if (id) db.prepare('DELETE FROM variants WHERE id = ?').run(id);
      },
    };
    const names = Object.keys(changes);
    const seen = new Set<string>();
    for (let step = 0; step < 400; step += 1) {
      const name = step < 30 ? (step % 2 ? 'addPhoto' : 'addJob') : (pick(names) ?? 'addPhoto');
      changes[name]?.();
      seen.add(name);
      expect(kept(db), `after step ${step} (${name})`).toEqual(counted(db));
    }
    expect([...seen].sort()).toEqual([...names].sort());
    // Not vacuous: the library ended with counts to keep.
    expect(counted(db).shoots.length).toBeGreaterThan(0);
    expect(counted(db).jobs.length).toBeGreaterThan(0);
  });

  it('are filled from the rows already there when the library is migrated', () => {
    const db = openDatabase(path.join(tempDir(), 'old.db'));
    dbs.push(db);
    migrate(
      db,
      migrations.filter((migration) => migration.version < 24),
      Date.now,
    );
    const now = Date.now();
    db.prepare("INSERT INTO shoots (id, name, created_at) VALUES ('s', 's', '2026')").run();
    db.prepare(
      `INSERT INTO assets (id, shoot_id, relative_path, content_hash, size_bytes, created_at, updated_at, state)
       VALUES ('a', 's', 'a.jpg', 'h', 1, ?, ?, 'missing')`,
    ).run(now, now);
    db.prepare(
      `INSERT INTO jobs (id, shoot_id, provider, operation, inputs_json, params_json, state, max_attempts, idempotency_key,
         created_at, updated_at) VALUES ('j', 's', 'local', 'enhance', '{}', '{}', 'queued', 8, 'k', ?, ?)`,
    ).run(now, now);
    db.prepare(
      `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, size_bytes, approved,
         created_at, updated_at) VALUES ('v', 'j', 'a', 0, 'm', 'image', 'image/jpeg', 1, 1, ?, ?)`,
    ).run(now, now);
    migrate(db, migrations, Date.now);
    expect(kept(db)).toEqual(counted(db));
    expect(kept(db).shoots).toEqual([
      { shoot_id: 's', photos: 1, problems: 1, with_variants: 1, approved: 1, jobs_pending: 1 },
    ]);
  });
});
