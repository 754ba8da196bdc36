import type { Migration } from './types';

/**
 * Finding lost work again (AI Visual Studio's reconcile) asks "does any job hold this remote id?"
 * for each generation a listing shows, and webhooks ask it per delivery: both by index now.
 * An operation the provider refused for the key itself (a key without the `generate:video`
 * scope) is remembered with the provider's words, so it is shown unavailable until the key changes.
 */
export const migration0022: Migration = {
  version: 22,
  name: 'remote-lookups-and-refused-operations',
  sql: `
    CREATE INDEX jobs_remote_id ON jobs (provider, remote_id) WHERE remote_id IS NOT NULL;
    CREATE INDEX job_steps_remote_id ON job_steps (remote_id) WHERE remote_id IS NOT NULL;
    CREATE TABLE provider_refused_operations (
      provider   TEXT NOT NULL,
      operation  TEXT NOT NULL,
      reason     TEXT NOT NULL,
      refused_at INTEGER NOT NULL,
      PRIMARY KEY (provider, operation)
    ) WITHOUT ROWID;
  `,
};
