import type { Migration } from './types';

const FINISHED = "('done', 'failed', 'canceled')";
const PROBLEM = "('error', 'missing')";

/**
 * A library of 100,000 photos, 500,000 jobs and 300,000 variants must answer its lists at once.
 *
 * Counts kept as rows change, instead of counted on each call: the shoots list's counts per shoot
 * (`shoot_counts`), and the queue's jobs per provider and state (`job_counts`). Counting them on
 * each call read every photo, job and variant of the library, several times a second while the
 * queue runs. Triggers keep them in the same transaction as the change, so they cannot drift; a
 * photo's number of variants (`assets.variant_count`) tells when it gains its first or loses its
 * last. "Photos with variants" is now the photos of the shoot that have a variant (it was the
 * photos that have a variant made by one of the shoot's jobs: the same photos, as a job belongs to
 * the shoot of its photo and moves with it on a merge).
 *
 * Indexes for the reads that remain: jobs by state, shoot or provider in the order of their
 * creation (the jobs list's pages), finished jobs by time (the queue's estimate of time left), and
 * a hot folder's photos (its scans).
 */
export const migration0024: Migration = {
  version: 24,
  name: 'library-at-scale',
  sql: `
    DROP INDEX jobs_shoot;
    CREATE INDEX jobs_shoot ON jobs (shoot_id, state, created_at);
    DROP INDEX jobs_provider;
    CREATE INDEX jobs_provider ON jobs (provider, state, created_at);
    CREATE INDEX jobs_state_created ON jobs (state, created_at);
    CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state = 'done';
    CREATE INDEX assets_hot_folder ON assets (hot_folder_id, relative_path);

    ALTER TABLE assets ADD COLUMN variant_count INTEGER NOT NULL DEFAULT 0;
    UPDATE assets SET variant_count = (SELECT COUNT(*) FROM variants v WHERE v.asset_id = assets.id);

    CREATE TABLE shoot_counts (
      shoot_id      TEXT PRIMARY KEY,
      photos        INTEGER NOT NULL DEFAULT 0,
      problems      INTEGER NOT NULL DEFAULT 0,
      with_variants INTEGER NOT NULL DEFAULT 0,
      approved      INTEGER NOT NULL DEFAULT 0,
      jobs_pending  INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    INSERT INTO shoot_counts (shoot_id, photos, problems, with_variants, approved, jobs_pending)
      SELECT s.id,
        (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id),
        (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id AND a.state IN ${PROBLEM}),
        (SELECT COUNT(*) FROM assets a WHERE a.shoot_id = s.id AND a.variant_count > 0),
        (SELECT COUNT(*) FROM variants v JOIN jobs j ON j.id = v.job_id WHERE j.shoot_id = s.id AND v.approved = 1),
        (SELECT COUNT(*) FROM jobs j WHERE j.shoot_id = s.id AND j.state NOT IN ${FINISHED})
      FROM shoots s;

    CREATE TABLE job_counts (
      provider TEXT NOT NULL,
      state    TEXT NOT NULL,
      n        INTEGER NOT NULL,
      PRIMARY KEY (provider, state)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO job_counts (provider, state, n) SELECT provider, state, COUNT(*) FROM jobs GROUP BY provider, state;

    CREATE TRIGGER assets_counted AFTER INSERT ON assets BEGIN
      INSERT INTO shoot_counts (shoot_id, photos, problems, with_variants)
        VALUES (NEW.shoot_id, 1, NEW.state IN ${PROBLEM}, NEW.variant_count > 0)
        ON CONFLICT (shoot_id) DO UPDATE SET photos = photos + 1, problems = problems + excluded.problems,
          with_variants = with_variants + excluded.with_variants;
    END;
    CREATE TRIGGER assets_uncounted AFTER DELETE ON assets BEGIN
      UPDATE shoot_counts SET photos = photos - 1, problems = problems - (OLD.state IN ${PROBLEM}),
        with_variants = with_variants - (OLD.variant_count > 0) WHERE shoot_id = OLD.shoot_id;
    END;
    CREATE TRIGGER assets_recounted AFTER UPDATE OF shoot_id, state, variant_count ON assets
      WHEN OLD.shoot_id IS NOT NEW.shoot_id OR (OLD.state IN ${PROBLEM}) IS NOT (NEW.state IN ${PROBLEM})
        OR (OLD.variant_count > 0) IS NOT (NEW.variant_count > 0)
    BEGIN
      UPDATE shoot_counts SET photos = photos - 1, problems = problems - (OLD.state IN ${PROBLEM}),
        with_variants = with_variants - (OLD.variant_count > 0) WHERE shoot_id = OLD.shoot_id;
      INSERT INTO shoot_counts (shoot_id, photos, problems, with_variants)
        VALUES (NEW.shoot_id, 1, NEW.state IN ${PROBLEM}, NEW.variant_count > 0)
        ON CONFLICT (shoot_id) DO UPDATE SET photos = photos + 1, problems = problems + excluded.problems,
          with_variants = with_variants + excluded.with_variants;
    END;

    CREATE TRIGGER variants_counted AFTER INSERT ON variants BEGIN
      UPDATE assets SET variant_count = variant_count + 1 WHERE id = NEW.asset_id;
      INSERT INTO shoot_counts (shoot_id, approved)
        SELECT shoot_id, 1 FROM jobs WHERE id = NEW.job_id AND shoot_id IS NOT NULL AND NEW.approved = 1
        ON CONFLICT (shoot_id) DO UPDATE SET approved = approved + 1;
    END;
    CREATE TRIGGER variants_uncounted AFTER DELETE ON variants BEGIN
      UPDATE assets SET variant_count = variant_count - 1 WHERE id = OLD.asset_id;
      UPDATE shoot_counts SET approved = approved - 1
        WHERE OLD.approved = 1 AND shoot_id = (SELECT shoot_id FROM jobs WHERE id = OLD.job_id);
    END;
    CREATE TRIGGER variants_recounted AFTER UPDATE OF asset_id, job_id, approved ON variants
      WHEN OLD.asset_id IS NOT NEW.asset_id OR OLD.job_id IS NOT NEW.job_id OR OLD.approved IS NOT NEW.approved
    BEGIN
      UPDATE assets SET variant_count = variant_count - 1 WHERE id = OLD.asset_id;
      UPDATE assets SET variant_count = variant_count + 1 WHERE id = NEW.asset_id;
      UPDATE shoot_counts SET approved = approved - 1
        WHERE OLD.approved = 1 AND shoot_id = (SELECT shoot_id FROM jobs WHERE id = OLD.job_id);
      INSERT INTO shoot_counts (shoot_id, approved)
        SELECT shoot_id, 1 FROM jobs WHERE id = NEW.job_id AND shoot_id IS NOT NULL AND NEW.approved = 1
        ON CONFLICT (shoot_id) DO UPDATE SET approved = approved + 1;
    END;

    CREATE TRIGGER jobs_counted AFTER INSERT ON jobs BEGIN
      INSERT INTO job_counts (provider, state, n) VALUES (NEW.provider, NEW.state, 1)
        ON CONFLICT (provider, state) DO UPDATE SET n = n + 1;
      INSERT INTO shoot_counts (shoot_id, jobs_pending)
        SELECT NEW.shoot_id, 1 WHERE NEW.shoot_id IS NOT NULL AND NEW.state NOT IN ${FINISHED}
        ON CONFLICT (shoot_id) DO UPDATE SET jobs_pending = jobs_pending + 1;
    END;
    CREATE TRIGGER jobs_uncounted AFTER DELETE ON jobs BEGIN
      UPDATE job_counts SET n = n - 1 WHERE provider = OLD.provider AND state = OLD.state;
      UPDATE shoot_counts SET jobs_pending = jobs_pending - 1
        WHERE shoot_id = OLD.shoot_id AND OLD.state NOT IN ${FINISHED};
    END;
    CREATE TRIGGER jobs_recounted AFTER UPDATE OF state, provider, shoot_id ON jobs
      WHEN OLD.state IS NOT NEW.state OR OLD.provider IS NOT NEW.provider OR OLD.shoot_id IS NOT NEW.shoot_id
    BEGIN
      UPDATE job_counts SET n = n - 1 WHERE provider = OLD.provider AND state = OLD.state;
      INSERT INTO job_counts (provider, state, n) VALUES (NEW.provider, NEW.state, 1)
        ON CONFLICT (provider, state) DO UPDATE SET n = n + 1;
      UPDATE shoot_counts SET jobs_pending = jobs_pending - 1
        WHERE shoot_id = OLD.shoot_id AND OLD.state NOT IN ${FINISHED};
      INSERT INTO shoot_counts (shoot_id, jobs_pending)
        SELECT NEW.shoot_id, 1 WHERE NEW.shoot_id IS NOT NULL AND NEW.state NOT IN ${FINISHED}
        ON CONFLICT (shoot_id) DO UPDATE SET jobs_pending = jobs_pending + 1;
      -- A job moved to another shoot (a merge) takes its approved variants' count along.
      UPDATE shoot_counts SET approved = approved - (SELECT COUNT(*) FROM variants WHERE job_id = NEW.id AND approved = 1)
        WHERE OLD.shoot_id IS NOT NEW.shoot_id AND shoot_id = OLD.shoot_id;
      INSERT INTO shoot_counts (shoot_id, approved)
        SELECT NEW.shoot_id, (SELECT COUNT(*) FROM variants WHERE job_id = NEW.id AND approved = 1)
        WHERE OLD.shoot_id IS NOT NEW.shoot_id AND NEW.shoot_id IS NOT NULL
        ON CONFLICT (shoot_id) DO UPDATE SET approved = approved + excluded.approved;
    END;
  `,
};
