import { CatalogEntrySchema } from '../../../shared/providers';
import type { Db } from '../db/connection';
import { getCachedCatalog } from '../db/provider-catalogs-repo';
import type { CatalogEntry, ProviderModule } from '../providers/contract';

/** The catalog, completed by the provider's fallback entries for each kind it does not hold. */
export function withFallback(provider: ProviderModule, entries: readonly CatalogEntry[]): CatalogEntry[] {
  const fallback = provider.account?.fallbackCatalog ?? [];
  const kinds = new Set(entries.map((entry) => entry.kind));
  return [...entries, ...fallback.filter((entry) => !kinds.has(entry.kind))];
}

/**
 * The provider's catalog as last read (a library from an older version may hold any shape: what
 * does not parse counts as nothing), with its fallback: what estimates price models by.
 */
export function cachedCatalog(db: Db, provider: ProviderModule): CatalogEntry[] {
  const cached = getCachedCatalog(db, provider.id);
  return withFallback(provider, cached ? CatalogEntrySchema.array().catch([]).parse(cached.entries) : []);
}
