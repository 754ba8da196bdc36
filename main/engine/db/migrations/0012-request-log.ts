import type { Migration } from './types';

/**
 * When the last requests to each rate-limited provider were sent. A provider counts its window
 * across our restarts: an engine killed and started again must not begin with a fresh allowance
 * the provider does not know about (ProductAI answered 429 right after a restart).
 */
export const migration0012: Migration = {
  version: 12,
  name: 'provider request log for rate windows',
  sql: `
    CREATE TABLE provider_requests (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      provider TEXT NOT NULL,
      at       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX provider_requests_by_provider ON provider_requests (provider, at);
  `,
};
