import type { Db } from './connection';

/** A provider's catalog as last fetched: the recipe form opens offline with what was offered then. */
export interface CachedCatalog {
  entries: unknown;
  fetchedAt: number;
}

export function getCachedCatalog(db: Db, providerId: string): CachedCatalog | null {
  const row = db
    .prepare('SELECT catalog_json, fetched_at FROM provider_catalogs WHERE provider_id = ?')
    .get(providerId) as { catalog_json: string; fetched_at: number } | undefined;
  return row ? { entries: JSON.parse(row.catalog_json) as unknown, fetchedAt: row.fetched_at } : null;
}

export function saveCatalog(db: Db, providerId: string, entries: unknown, now: number): void {
  db.prepare(
    `INSERT INTO provider_catalogs (provider_id, catalog_json, fetched_at) VALUES (?, ?, ?)
     ON CONFLICT (provider_id) DO UPDATE SET catalog_json = excluded.catalog_json, fetched_at = excluded.fetched_at`,
  ).run(providerId, JSON.stringify(entries), now);
}
