import type { Migration } from './types';

/**
 * The work model: assets, recipes, jobs and their steps and events, variants, masks, provider
 * accounts (never secrets), the credit ledger, budgets and queue pauses. Queue times are integer
 * milliseconds since the epoch, so the scheduler compares numbers, not strings.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'work model',
  sql: `
    CREATE TABLE assets (
      id            TEXT PRIMARY KEY,
      shoot_id      TEXT NOT NULL REFERENCES shoots (id),
      relative_path TEXT NOT NULL,
      content_hash  TEXT NOT NULL,
      size_bytes    INTEGER NOT NULL,
      width         INTEGER,
      height        INTEGER,
      pick          TEXT NOT NULL DEFAULT 'none' CHECK (pick IN ('none', 'picked', 'rejected')),
      rating        INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX assets_shoot ON assets (shoot_id);
    CREATE INDEX assets_hash ON assets (content_hash);

    CREATE TABLE recipes (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      provider    TEXT NOT NULL,
      operation   TEXT NOT NULL,
      params_json TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE jobs (
      id                 TEXT PRIMARY KEY,
      shoot_id           TEXT REFERENCES shoots (id),
      recipe_id          TEXT REFERENCES recipes (id) ON DELETE SET NULL,
      provider           TEXT NOT NULL,
      operation          TEXT NOT NULL,
      inputs_json        TEXT NOT NULL,
      params_json        TEXT NOT NULL,
      state              TEXT NOT NULL CHECK (state IN ('awaiting_input', 'queued', 'preparing', 'submitting', 'remote',
                                                       'fetching', 'done', 'needs_review', 'failed', 'canceled')),
      attempts           INTEGER NOT NULL DEFAULT 0,
      max_attempts       INTEGER NOT NULL,
      next_attempt_at    INTEGER,
      lease_owner        TEXT,
      lease_expires_at   INTEGER,
      idempotency_key    TEXT NOT NULL UNIQUE,
      remote_id          TEXT,
      cost_estimate      REAL,
      cost_charged       REAL,
      last_error_code    TEXT,
      last_error_message TEXT,
      priority           INTEGER NOT NULL DEFAULT 0,
      waiting_for        TEXT CHECK (waiting_for IN ('mask', 'garment', 'approval')),
      created_at         INTEGER NOT NULL,
      updated_at         INTEGER NOT NULL,
      finished_at        INTEGER
    ) STRICT;
    -- The scheduler's question: which queued jobs are due, highest priority first, then oldest.
    CREATE INDEX jobs_due ON jobs (state, priority DESC, created_at, id);
    CREATE INDEX jobs_shoot ON jobs (shoot_id, state);
    CREATE INDEX jobs_provider ON jobs (provider, state);

    -- One row per paid request of a submit, so a resumed submit skips the steps already done.
    CREATE TABLE job_steps (
      job_id          TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      step            TEXT NOT NULL,
      idempotency_key TEXT NOT NULL,
      state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done')),
      remote_id       TEXT,
      result_json     TEXT,
      updated_at      INTEGER NOT NULL,
      PRIMARY KEY (job_id, step)
    ) STRICT;

    -- Append-only: every transition, with the attempt it belonged to and the error that caused it.
    CREATE TABLE job_events (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      at            INTEGER NOT NULL,
      event         TEXT NOT NULL,
      from_state    TEXT,
      to_state      TEXT NOT NULL,
      attempt       INTEGER NOT NULL,
      error_code    TEXT,
      error_message TEXT,
      detail        TEXT
    ) STRICT;
    CREATE INDEX job_events_job ON job_events (job_id, id);

    CREATE TABLE variants (
      id           TEXT PRIMARY KEY,
      job_id       TEXT NOT NULL REFERENCES jobs (id),
      asset_id     TEXT REFERENCES assets (id),
      output_index INTEGER NOT NULL,
      media_id     TEXT NOT NULL,
      kind         TEXT NOT NULL CHECK (kind IN ('image', 'video', 'text')),
      mime_type    TEXT NOT NULL,
      width        INTEGER,
      height       INTEGER,
      size_bytes   INTEGER NOT NULL,
      pick         TEXT NOT NULL DEFAULT 'none' CHECK (pick IN ('none', 'picked', 'rejected')),
      rating       INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
      approved     INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
      created_at   INTEGER NOT NULL,
      updated_at   INTEGER NOT NULL,
      UNIQUE (job_id, output_index)
    ) STRICT;
    CREATE INDEX variants_asset ON variants (asset_id);

    -- The current mask of an asset for one purpose; saving replaces the strokes and bumps the version.
    CREATE TABLE masks (
      id           TEXT PRIMARY KEY,
      asset_id     TEXT NOT NULL REFERENCES assets (id),
      purpose      TEXT NOT NULL CHECK (purpose IN ('exterior', 'tryon', 'redact', 'heal')),
      drawing_json TEXT NOT NULL,
      version      INTEGER NOT NULL,
      created_at   INTEGER NOT NULL,
      updated_at   INTEGER NOT NULL,
      UNIQUE (asset_id, purpose)
    ) STRICT;

    -- Per provider: where it is and how hard we may use it. API keys live in the OS keychain.
    CREATE TABLE provider_accounts (
      provider        TEXT PRIMARY KEY,
      base_url        TEXT,
      concurrency     INTEGER NOT NULL DEFAULT 4,
      rate_per_minute INTEGER,
      paused_reason   TEXT,
      balance         REAL,
      balance_at      INTEGER,
      updated_at      INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE credit_ledger (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      provider      TEXT NOT NULL,
      job_id        TEXT REFERENCES jobs (id),
      kind          TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'balance')),
      amount        REAL NOT NULL,
      balance_after REAL,
      note          TEXT,
      at            INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX credit_ledger_job ON credit_ledger (job_id);

    -- Spending per shoot on paid recipes: the cap, and how much of it the user has approved.
    CREATE TABLE budgets (
      shoot_id     TEXT PRIMARY KEY REFERENCES shoots (id),
      cap          REAL,
      approved     REAL NOT NULL DEFAULT 0,
      auto_approve INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1)),
      updated_at   INTEGER NOT NULL
    ) STRICT;

    -- Pauses survive a restart: global (scope_id ''), per provider, per shoot.
    CREATE TABLE queue_pauses (
      scope      TEXT NOT NULL CHECK (scope IN ('global', 'provider', 'shoot')),
      scope_id   TEXT NOT NULL,
      reason     TEXT,
      at         INTEGER NOT NULL,
      PRIMARY KEY (scope, scope_id)
    ) STRICT;
  `,
};
