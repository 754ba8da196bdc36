import type { Migration } from './types';

/**
 * What a cloud provider calls a variant (AIXpose picture id, version, subversion): videos and
 * publishing refer to approved variants by the provider's own ids, and the editor shows the
 * provider's version numbers. And each provider's catalog (models, actions, quick actions…),
 * cached so the recipe form opens offline with what the provider offered last time. And which
 * job staged which object, for cleanup when jobs end.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'provider identity of variants; provider catalogs',
  sql: `
    ALTER TABLE variants ADD COLUMN remote_id TEXT;
    ALTER TABLE variants ADD COLUMN remote_version INTEGER;
    ALTER TABLE variants ADD COLUMN remote_subversion INTEGER;

    CREATE TABLE provider_catalogs (
      provider_id  TEXT PRIMARY KEY,
      catalog_json TEXT NOT NULL,
      fetched_at   INTEGER NOT NULL
    ) STRICT;

    -- Which job put which object in staging storage: cleanup deletes an object only when no job
    -- still working needs it (objects are keyed by content, so two jobs can share one).
    CREATE TABLE staged_objects (
      job_id     TEXT NOT NULL REFERENCES jobs (id),
      object_key TEXT NOT NULL,
      staged_at  INTEGER NOT NULL,
      PRIMARY KEY (job_id, object_key)
    ) STRICT;
    CREATE INDEX staged_objects_key ON staged_objects (object_key);
  `,
};
