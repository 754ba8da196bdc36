import type { Db } from '../db/connection';
import { getProviderAccount, setKeyOrigin } from '../db/provider-accounts-repo';
import type { SecretStore } from '../secrets/secret-store';
import { envBaseUrlName, resolveBaseUrl } from './base-url';
import type { ProviderModule } from '../providers/contract';
import { isLoopbackHost } from '../net/network';

/**
 * An API key goes only to the origin it was entered for. Whoever can change a provider's address
 * (a mistake, a page that got hold of the API) must not receive the key with it: after the origin
 * changes, requests go there without a key until the user enters one again. A key from the
 * environment belongs to the environment's address, or the provider's own.
 */
export interface BoundKey {
  key: string;
  /** Where it may be sent; null when it is bound nowhere yet. */
  origin: string | null;
}

export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** Plain http carries a key only to this machine (a sandbox); anywhere else it must be https. */
export function keyMayTravelTo(origin: string): boolean {
  const url = new URL(origin);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

export async function boundKey(
  db: Db,
  secrets: SecretStore,
  provider: ProviderModule,
  env: NodeJS.ProcessEnv,
): Promise<BoundKey | null> {
  const description = await secrets.describe(provider.id);
  if (!description.configured) return null;
  const key = await secrets.get(provider.id);
  if (!key) return null;
  const origin =
    description.source === 'env'
      ? originOf(env[envBaseUrlName(provider.id)] ?? provider.baseUrl ?? '')
      : getProviderAccount(db, provider.id).keyOrigin;
  return { key, origin };
}

/** A key just entered belongs to where the provider is reached now. */
export function bindKeyHere(db: Db, provider: ProviderModule, env: NodeJS.ProcessEnv, now: number): void {
  setKeyOrigin(db, provider.id, originOf(resolveBaseUrl(db, provider, env)), now);
}

/**
 * Keys stored before keys were bound are bound once, to where the provider was reached from its
 * settings (never to an address from the environment, which a later start may not have).
 */
export async function bindStoredKeys(
  db: Db,
  secrets: SecretStore,
  providers: Iterable<ProviderModule>,
  now: number,
): Promise<void> {
  for (const provider of providers) {
    if (provider.auth === 'none' || getProviderAccount(db, provider.id).keyOrigin !== null) continue;
    if ((await secrets.describe(provider.id)).source !== 'stored') continue;
    bindKeyHere(db, provider, {}, now);
  }
}
