import { CatalogEntrySchema } from '../../../shared/providers';
import type { Db } from '../db/connection';
import { getCachedCatalog } from '../db/provider-catalogs-repo';
import type { Logger } from '../log';
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

/**
 * Reads a provider's catalog again at once when it is its price list (its fallback entries carry
 * prices: AI Visual Studio's models), so estimates use the listed prices from the first run on.
 * A failure is logged; the cached or fallback prices stand.
 */
export function refreshPriceList(
  provider: ProviderModule | undefined,
  read: () => unknown,
  log: Pick<Logger, 'warn'>,
): void {
  if (!provider?.account?.fallbackCatalog?.some((entry) => entry.credits !== undefined)) return;
  void Promise.resolve()
    .then(read)
    .catch((error: unknown) => log.warn('providers.catalog_failed', { provider: provider.id, error }));
}
