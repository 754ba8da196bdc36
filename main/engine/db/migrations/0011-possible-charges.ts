import type { Migration } from './types';

/**
 * Money we can see. A paid request whose answer never came may or may not have been charged: it
 * is recorded as a `possible_charge`, apart from the charges a provider confirmed or we know were
 * made, so Shootline's ledger brackets what the provider billed (charges ≤ billed ≤ charges +
 * possible charges). SQLite cannot widen a CHECK in place: the table is rebuilt, rows kept.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'possible charges in the credit ledger',
  sql: `
    CREATE TABLE credit_ledger_next (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      provider      TEXT NOT NULL,
      job_id        TEXT REFERENCES jobs (id),
      kind          TEXT NOT NULL CHECK (kind IN ('charge', 'possible_charge', 'refund', 'balance')),
      amount        REAL NOT NULL,
      balance_after REAL,
      note          TEXT,
      at            INTEGER NOT NULL
    ) STRICT;
    INSERT INTO credit_ledger_next (id, provider, job_id, kind, amount, balance_after, note, at)
      SELECT id, provider, job_id, kind, amount, balance_after, note, at FROM credit_ledger;
    DROP TABLE credit_ledger;
    ALTER TABLE credit_ledger_next RENAME TO credit_ledger;
    CREATE INDEX credit_ledger_job ON credit_ledger (job_id);
  `,
};
