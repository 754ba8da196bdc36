import { statement, type Db } from './connection';

/** Records one request counted against a provider's rate limit, keeping only the last `keep`. */
export function recordProviderRequest(db: Db, provider: string, at: number, keep: number): void {
  statement(db, 'INSERT INTO provider_requests (provider, at) VALUES (?, ?)').run(provider, at);
  statement(
    db,
    `DELETE FROM provider_requests WHERE provider = ? AND id NOT IN
       (SELECT id FROM provider_requests WHERE provider = ? ORDER BY id DESC LIMIT ?)`,
  ).run(provider, provider, keep);
}

/** The times of the requests recorded for a provider since `since`, oldest first. */
export function recentProviderRequests(db: Db, provider: string, since: number): number[] {
  const rows = statement(db, 'SELECT at FROM provider_requests WHERE provider = ? AND at > ? ORDER BY at').all(
    provider,
    since,
  ) as { at: number }[];
  return rows.map((row) => row.at);
}
