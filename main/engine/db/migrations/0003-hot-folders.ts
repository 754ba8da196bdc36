import type { Migration } from './types';

/** Hot folders, and which hot folder (and top-level subfolder) a shoot came from. */
export const migration0003: Migration = {
  version: 3,
  name: 'hot folders',
  sql: `
    CREATE TABLE hot_folders (
      id                TEXT PRIMARY KEY,
      path              TEXT NOT NULL UNIQUE,
      name              TEXT NOT NULL,
      default_recipe_id TEXT REFERENCES recipes (id) ON DELETE SET NULL,
      spending_cap      REAL,
      auto_approve      INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1)),
      recursive         INTEGER NOT NULL DEFAULT 1 CHECK (recursive IN (0, 1)),
      polling           INTEGER NOT NULL DEFAULT 0 CHECK (polling IN (0, 1)),
      reconcile_minutes INTEGER NOT NULL DEFAULT 5,
      created_at        INTEGER NOT NULL,
      updated_at        INTEGER NOT NULL
    ) STRICT;

    ALTER TABLE shoots ADD COLUMN hot_folder_id TEXT REFERENCES hot_folders (id);
    -- The shoot's top-level subfolder, relative to its hot folder ('' for the hot folder's loose files).
    ALTER TABLE shoots ADD COLUMN folder TEXT;
    CREATE UNIQUE INDEX shoots_hot_folder_folder ON shoots (hot_folder_id, folder) WHERE hot_folder_id IS NOT NULL;
  `,
};
