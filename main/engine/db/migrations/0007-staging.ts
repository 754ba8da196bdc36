import type { Migration } from './types';

/** The staging storage settings (one row; its secret key lives in the SecretStore, never here). */
export const migration0007: Migration = {
  version: 7,
  name: 'staging storage',
  sql: `
    CREATE TABLE staging (
      id            INTEGER PRIMARY KEY CHECK (id = 1),
      settings_json TEXT NOT NULL,
      updated_at    INTEGER NOT NULL
    ) STRICT;
  `,
};
