import type { Migration } from './types';

/**
 * Shoots can be deleted and merged. A deleted shoot keeps its rows (what was spent on it stays in
 * the ledger) but leaves every list; one merged into another points there, so photos still
 * arriving in its folder join the shoot they were merged into. A hot folder's subfolder whose shoot
 * was deleted is ignored until the user restores it: deleting is not undone by the next rescan.
 */
export const migration0018: Migration = {
  version: 18,
  name: 'managed shoots',
  sql: `
    ALTER TABLE shoots ADD COLUMN deleted_at INTEGER;
    ALTER TABLE shoots ADD COLUMN merged_into TEXT; -- a shoot's id (kept in step by mergeShoots)
    DROP INDEX shoots_hot_folder_folder;
    CREATE UNIQUE INDEX shoots_hot_folder_folder ON shoots (hot_folder_id, folder)
      WHERE hot_folder_id IS NOT NULL AND deleted_at IS NULL;

    CREATE TABLE hot_folder_ignored (
      hot_folder_id TEXT NOT NULL REFERENCES hot_folders (id),
      folder        TEXT NOT NULL,
      shoot_name    TEXT NOT NULL,
      ignored_at    INTEGER NOT NULL,
      PRIMARY KEY (hot_folder_id, folder)
    ) STRICT;
  `,
};
