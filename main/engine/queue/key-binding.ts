import type { Db } from '../db/connection';
import { getProviderAccount, setKeyOrigin } from '../db/provider-accounts-repo';
import type { SecretStore } from '../secrets/secret-store';
import { envBaseUrlName, resolveBaseUrl } from './base-url';
import type { ProviderModule } from '../providers/contract';
import type { AccountField } from '../../../shared/providers';
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

/** Where a provider's secret account field is kept: its main key under the provider's id, others beside it. */
export function secretName(provider: string, field: string): string {
  return field === 'key' ? provider : `${provider}--${field}`;
}

/** The provider's secret fields, its main key (if it declares one) first. */
export function secretFields(provider: ProviderModule): AccountField[] {
  const secrets = provider.accountFields.filter((field) => field.secret);
  return [...secrets.filter((field) => field.id === 'key'), ...secrets.filter((field) => field.id !== 'key')];
}

/**
 * Every secret of a provider's account with the origin they were entered for, or null when none is
 * set. A missing field is left out: the request then goes without it and the provider says so.
 */
export interface BoundAccount {
  secrets: Record<string, string>;
  origin: string | null;
}

export async function boundAccount(
  db: Db,
  secrets: SecretStore,
  provider: ProviderModule,
  env: NodeJS.ProcessEnv,
): Promise<BoundAccount | null> {
  const values: Record<string, string> = {};
  let source: 'env' | 'stored' | null = null;
  for (const field of secretFields(provider)) {
    const name = secretName(provider.id, field.id);
    const description = await secrets.describe(name);
    if (!description.configured) continue;
    const value = await secrets.get(name);
    if (!value) continue;
    values[field.id] = value;
    source ??= description.source;
  }
  if (source === null) return null;
  const origin =
    source === 'env'
      ? originOf(env[envBaseUrlName(provider.id)] ?? provider.baseUrl ?? '')
      : getProviderAccount(db, provider.id).keyOrigin;
  return { secrets: values, origin };
}

/** The main key alone (its first secret field), for callers that only need to know one is set and where. */
export async function boundKey(
  db: Db,
  secrets: SecretStore,
  provider: ProviderModule,
  env: NodeJS.ProcessEnv,
): Promise<BoundKey | null> {
  const account = await boundAccount(db, secrets, provider, env);
  const first = secretFields(provider).find((field) => account?.secrets[field.id] !== undefined);
  return account && first ? { key: account.secrets[first.id] ?? '', origin: account.origin } : null;
}

/**
 * A secret just entered belongs to where the provider is reached now. Secrets entered for another
 * address before are removed: an account's secrets go together, to one origin.
 */
export async function bindSecretHere(
  db: Db,
  secrets: SecretStore,
  provider: ProviderModule,
  field: string,
  env: NodeJS.ProcessEnv,
  now: number,
): Promise<void> {
  const here = originOf(resolveBaseUrl(db, provider, env));
  const before = getProviderAccount(db, provider.id).keyOrigin;
  if (before !== null && before !== here) {
    for (const other of secretFields(provider)) {
      const name = secretName(provider.id, other.id);
      if (other.id !== field && (await secrets.describe(name)).source === 'stored') await secrets.remove(name);
    }
  }
  setKeyOrigin(db, provider.id, here, now);
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
    if (secretFields(provider).length === 0 || getProviderAccount(db, provider.id).keyOrigin !== null) continue;
    if ((await secrets.describe(secretName(provider.id, secretFields(provider)[0]?.id ?? 'key'))).source !== 'stored')
      continue;
    setKeyOrigin(db, provider.id, originOf(resolveBaseUrl(db, provider, {})), now);
  }
}
