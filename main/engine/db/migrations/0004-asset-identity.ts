import type { Migration } from './types';

/**
 * What ingest needs to know about each photo: where it came from, whether it is readable, its
 * version (a re-saved file is a new version; results made from an old one stay, marked), and the
 * other places the same bytes were seen (duplicates are records, not new work).
 */
export const migration0004: Migration = {
  version: 4,
  name: 'asset identity',
  sql: `
    ALTER TABLE assets ADD COLUMN hot_folder_id TEXT REFERENCES hot_folders (id);
    ALTER TABLE assets ADD COLUMN mtime_ms INTEGER;
    ALTER TABLE assets ADD COLUMN state TEXT NOT NULL DEFAULT 'ok'
      CHECK (state IN ('pending', 'ok', 'error', 'missing'));
    ALTER TABLE assets ADD COLUMN error_kind TEXT;
    ALTER TABLE assets ADD COLUMN error_message TEXT;
    ALTER TABLE assets ADD COLUMN format TEXT;
    ALTER TABLE assets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    CREATE UNIQUE INDEX assets_shoot_path ON assets (shoot_id, relative_path);

    CREATE TABLE asset_versions (
      asset_id     TEXT NOT NULL REFERENCES assets (id),
      version      INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      size_bytes   INTEGER NOT NULL,
      replaced_at  INTEGER NOT NULL,
      PRIMARY KEY (asset_id, version)
    ) STRICT;

    CREATE TABLE asset_duplicates (
      asset_id      TEXT NOT NULL REFERENCES assets (id),
      relative_path TEXT NOT NULL,
      first_seen_at INTEGER NOT NULL,
      PRIMARY KEY (asset_id, relative_path)
    ) STRICT;

    -- Which version of its source a variant was made from.
    ALTER TABLE variants ADD COLUMN asset_version INTEGER;
  `,
};
