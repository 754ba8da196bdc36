import type { Migration } from './types';

/**
 * What decoding learns about each photo (capture time, camera, lens, orientation, GPS present), its
 * linked XMP sidecar, the derivative cache's bookkeeping (for least-recently-used eviction), and
 * the default-recipe runs already made (so a rescan never enqueues twice).
 */
export const migration0005: Migration = {
  version: 5,
  name: 'photo details',
  sql: `
    ALTER TABLE assets ADD COLUMN captured_at TEXT;
    ALTER TABLE assets ADD COLUMN camera TEXT;
    ALTER TABLE assets ADD COLUMN lens TEXT;
    ALTER TABLE assets ADD COLUMN orientation INTEGER;
    ALTER TABLE assets ADD COLUMN has_gps INTEGER CHECK (has_gps IN (0, 1));
    ALTER TABLE assets ADD COLUMN sidecar_path TEXT;
    CREATE INDEX assets_shoot_captured ON assets (shoot_id, captured_at, relative_path);
    CREATE INDEX assets_pending ON assets (state) WHERE state = 'pending';

    CREATE TABLE derivatives (
      content_hash TEXT NOT NULL,
      kind         TEXT NOT NULL CHECK (kind IN ('thumbnail', 'preview')),
      bytes        INTEGER NOT NULL,
      last_used_at INTEGER NOT NULL,
      PRIMARY KEY (content_hash, kind)
    ) STRICT;
    CREATE INDEX derivatives_lru ON derivatives (last_used_at);

    CREATE TABLE auto_runs (
      asset_id     TEXT NOT NULL REFERENCES assets (id),
      content_hash TEXT NOT NULL,
      recipe_id    TEXT NOT NULL,
      job_id       TEXT,
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (asset_id, content_hash, recipe_id)
    ) STRICT;
    CREATE INDEX auto_runs_content ON auto_runs (content_hash, recipe_id);
  `,
};
