import type { Migration } from './types';

/**
 * Exports as recorded runs. A run keeps the preset it started with (editing the preset later does
 * not change a run in flight) and one row per file: its target, and the hash of the bytes written
 * there, so a resumed run skips what it finished by its own record (never by a name it happens to
 * find) and tells its own half-recorded file from somebody else's. Presets the user saves live in
 * `export_presets`; the built-in ones are code. A hot folder may name a preset to export approved
 * variants by themselves.
 */
export const migration0009: Migration = {
  version: 9,
  name: 'exports',
  sql: `
    CREATE TABLE export_presets (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      preset_json TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE export_runs (
      id          TEXT PRIMARY KEY,
      shoot_id    TEXT REFERENCES shoots (id),
      preset_json TEXT NOT NULL,
      target_root TEXT NOT NULL,
      state       TEXT NOT NULL CHECK (state IN ('running', 'canceled', 'done', 'failed')),
      total       INTEGER NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL,
      finished_at INTEGER
    ) STRICT;

    CREATE TABLE export_items (
      run_id      TEXT NOT NULL REFERENCES export_runs (id),
      seq         INTEGER NOT NULL,
      source_kind TEXT NOT NULL CHECK (source_kind IN ('variant', 'asset')),
      source_id   TEXT NOT NULL,
      state       TEXT NOT NULL CHECK (state IN ('pending', 'writing', 'done', 'skipped', 'failed')),
      target_path TEXT,
      sha256      TEXT,
      size_bytes  INTEGER,
      error       TEXT,
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) STRICT;

    ALTER TABLE hot_folders ADD COLUMN export_preset_id TEXT;
    ALTER TABLE hot_folders ADD COLUMN export_folder TEXT;
  `,
};
