import type { Migration } from './types';

/**
 * Webhook deliveries already heard, by provider and delivery id (the provider's, or the SHA-256 of
 * the body): a provider that delivers again, or an attacker who replays a captured delivery within
 * its signature's window, changes nothing the second time.
 */
export const migration0015: Migration = {
  version: 15,
  name: 'webhook deliveries',
  sql: `
    CREATE TABLE webhook_deliveries (
      provider    TEXT NOT NULL,
      delivery_id TEXT NOT NULL,
      remote_id   TEXT NOT NULL,
      -- The status a signed delivery reported (JSON), null for a hint: told again to a job still
      -- waiting after a restart, so a delivery heard just before a crash is not lost.
      status_json TEXT,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (provider, delivery_id)
    ) STRICT;
  `,
};
