import type { Migration } from './types';

/**
 * "Local · Auto enhance", the recipe a new hot folder runs unless the user picks another or
 * "ingest only". Made once, here: a user who deletes it does not get it back. Its parameters are
 * the local provider's enhance defaults (checked against the schema by a test).
 */
export const migration0006: Migration = {
  version: 6,
  name: 'default recipe',
  sql: `
    INSERT INTO recipes (id, name, provider, operation, params_json, created_at, updated_at)
    VALUES ('local-auto-enhance', 'Local · Auto enhance', 'local', 'enhance', '{"preset":"auto","output":"jpeg"}',
            CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (id) DO NOTHING;
  `,
};
