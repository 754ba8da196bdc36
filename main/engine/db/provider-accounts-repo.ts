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
