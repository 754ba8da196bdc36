import type { Migration } from './types';

export const migration0001: Migration = {
  version: 1,
  name: 'settings and shoots',
  sql: `
    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value_json TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE shoots (
      id         TEXT PRIMARY KEY,
      name       TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE INDEX shoots_created_at ON shoots (created_at);
  `,
};
