import type { Migration } from './types';

/**
 * Budgets per (shoot, provider), each in that provider's own unit: a cap of "10" meant nothing when
 * AIXpose counts credits, ProductAI tokens and a video costs 450. A shoot's existing cap becomes
 * the cap of every provider its work uses (its jobs' providers, and its hot folder's default
 * recipe's); a shoot with no work keeps nothing to migrate (new work asks for approval, as before).
 *
 * Also: provider account fields that are not secrets (a user id sent in every body), by provider.
 */
export const migration0014: Migration = {
  version: 14,
  name: 'budgets per provider, provider account fields',
  sql: `
    CREATE TABLE provider_budgets (
      shoot_id     TEXT NOT NULL REFERENCES shoots (id),
      provider     TEXT NOT NULL,
      cap          REAL,
      approved     REAL NOT NULL DEFAULT 0,
      auto_approve INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1)),
      updated_at   INTEGER NOT NULL,
      PRIMARY KEY (shoot_id, provider)
    ) STRICT;

    INSERT INTO provider_budgets (shoot_id, provider, cap, approved, auto_approve, updated_at)
      SELECT b.shoot_id, used.provider, b.cap, b.approved, b.auto_approve, b.updated_at
      FROM budgets b
      JOIN (
        SELECT shoot_id, provider FROM jobs WHERE shoot_id IS NOT NULL
        UNION
        SELECT s.id, r.provider FROM shoots s
          JOIN hot_folders h ON h.id = s.hot_folder_id
          JOIN recipes r ON r.id = h.default_recipe_id
      ) AS used ON used.shoot_id = b.shoot_id;

    DROP TABLE budgets;

    ALTER TABLE provider_accounts ADD COLUMN fields_json TEXT NOT NULL DEFAULT '{}';
  `,
};
