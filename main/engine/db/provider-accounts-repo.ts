import { statement, type Db } from './connection';

/** Providers paused by the queue itself (out of credits), with the reason to show the user. */
export function providerPausedReasons(db: Db): Map<string, string> {
  const rows = statement(
    db,
    'SELECT provider, paused_reason FROM provider_accounts WHERE paused_reason IS NOT NULL',
  ).all() as { provider: string; paused_reason: string }[];
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
  /** The plain (not secret) account fields the user entered, by field id (an iacrea user id). */
  fields: Record<string, string>;
}

export function getProviderAccount(db: Db, provider: string): ProviderAccount {
  const row = db
    .prepare(
      'SELECT base_url, concurrency, balance, balance_at, paused_reason, key_origin, fields_json FROM provider_accounts WHERE provider = ?',
    )
    .get(provider) as
    | {
        base_url: string | null;
        concurrency: number;
        balance: number | null;
        balance_at: number | null;
        paused_reason: string | null;
        key_origin: string | null;
        fields_json: string;
      }
    | undefined;
  return {
    baseUrl: row?.base_url ?? null,
    concurrency: row ? row.concurrency : null,
    balance: row?.balance ?? null,
    pausedReason: row?.paused_reason ?? null,
    keyOrigin: row?.key_origin ?? null,
    balanceAt: row?.balance_at ?? null,
    fields: row ? plainFields(row.fields_json) : {},
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

/** Sets or clears (null) plain account fields; the others stay. */
export function setAccountFields(db: Db, provider: string, change: Record<string, string | null>, now: number): void {
  const fields = { ...getProviderAccount(db, provider).fields };
  for (const [id, value] of Object.entries(change)) {
    if (value === null || value === '') delete fields[id];
    else fields[id] = value;
  }
  db.prepare(
    `INSERT INTO provider_accounts (provider, fields_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET fields_json = excluded.fields_json, updated_at = excluded.updated_at`,
  ).run(provider, JSON.stringify(fields), now);
}

/** The stored plain fields, keeping only string values under own keys (the column is ours, but a hand-edited library is not). */
function plainFields(json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  const fields: Record<string, string> = {};
  if (typeof parsed !== 'object' || parsed === null) return fields;
  for (const [id, value] of Object.entries(parsed)) if (typeof value === 'string') fields[id] = value;
  return fields;
}

/** Operations a provider refused for the key itself (a missing scope), with the provider's words. */
export function refusedOperations(db: Db, provider: string): Map<string, string> {
  const rows = db
    .prepare('SELECT operation, reason FROM provider_refused_operations WHERE provider = ?')
    .all(provider) as { operation: string; reason: string }[];
  return new Map(rows.map((row) => [row.operation, row.reason]));
}

export function refuseOperation(db: Db, provider: string, operation: string, reason: string, now: number): void {
  db.prepare(
    `INSERT INTO provider_refused_operations (provider, operation, reason, refused_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (provider, operation) DO UPDATE SET reason = excluded.reason, refused_at = excluded.refused_at`,
  ).run(provider, operation, reason, now);
}

/** A new key may have other rights: what the old one was refused is forgotten. */
export function forgetRefusedOperations(db: Db, provider: string): void {
  db.prepare('DELETE FROM provider_refused_operations WHERE provider = ?').run(provider);
}

/** Every provider's refused operations, forgotten (at start: the key may have changed meanwhile). */
export function forgetAllRefusedOperations(db: Db): void {
  db.prepare('DELETE FROM provider_refused_operations').run();
}
