import type { Db } from './connection';

/** Providers paused by the queue itself (out of credits), with the reason to show the user. */
export function providerPausedReasons(db: Db): Map<string, string> {
  const rows = db
    .prepare('SELECT provider, paused_reason FROM provider_accounts WHERE paused_reason IS NOT NULL')
    .all() as { provider: string; paused_reason: string }[];
  return new Map(rows.map((row) => [row.provider, row.paused_reason]));
}

export function setProviderPausedReason(db: Db, provider: string, reason: string | null, now: number): void {
  db.prepare(
    `INSERT INTO provider_accounts (provider, paused_reason, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET paused_reason = excluded.paused_reason, updated_at = excluded.updated_at`,
  ).run(provider, reason, now);
}

export function setProviderBalance(db: Db, provider: string, balance: number, now: number): void {
  db.prepare(
    `INSERT INTO provider_accounts (provider, balance, balance_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET balance = excluded.balance, balance_at = excluded.balance_at,
       updated_at = excluded.updated_at`,
  ).run(provider, balance, now, now);
}

export interface ProviderAccount {
  baseUrl: string | null;
  concurrency: number | null;
  balance: number | null;
  pausedReason: string | null;
  /** The origin the stored key was entered for (null: none bound). */
  keyOrigin: string | null;
  /** When the balance was last stored. */
  balanceAt: number | null;
}

export function getProviderAccount(db: Db, provider: string): ProviderAccount {
  const row = db
    .prepare(
      'SELECT base_url, concurrency, balance, balance_at, paused_reason, key_origin FROM provider_accounts WHERE provider = ?',
    )
    .get(provider) as
    | {
        base_url: string | null;
        concurrency: number;
        balance: number | null;
        balance_at: number | null;
        paused_reason: string | null;
        key_origin: string | null;
      }
    | undefined;
  return {
    baseUrl: row?.base_url ?? null,
    concurrency: row ? row.concurrency : null,
    balance: row?.balance ?? null,
    pausedReason: row?.paused_reason ?? null,
    keyOrigin: row?.key_origin ?? null,
    balanceAt: row?.balance_at ?? null,
  };
}

/** Binds the stored key to an origin (null when the key is removed). */
export function setKeyOrigin(db: Db, provider: string, origin: string | null, now: number): void {
  db.prepare(
    `INSERT INTO provider_accounts (provider, key_origin, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET key_origin = excluded.key_origin, updated_at = excluded.updated_at`,
  ).run(provider, origin, now);
}

/** The user's settings for a provider: a base URL of their own (null: the provider's) and its concurrency. */
export function configureProviderAccount(
  db: Db,
  provider: string,
  change: { baseUrl?: string | null; concurrency?: number },
  now: number,
): void {
  db.prepare(
    `INSERT INTO provider_accounts (provider, base_url, concurrency, updated_at) VALUES (@provider, @baseUrl, COALESCE(@concurrency, 4), @now)
     ON CONFLICT (provider) DO UPDATE SET
       base_url = CASE WHEN @setBaseUrl THEN @baseUrl ELSE base_url END,
       concurrency = COALESCE(@concurrency, concurrency),
       updated_at = @now`,
  ).run({
    provider,
    baseUrl: change.baseUrl ?? null,
    setBaseUrl: change.baseUrl !== undefined ? 1 : 0,
    concurrency: change.concurrency ?? null,
    now,
  });
}
