import type { Db } from '../db/connection';
import { getProviderAccount } from '../db/provider-accounts-repo';
import type { ProviderModule } from '../providers/contract';

/** `SHOOTLINE_<PROVIDER>_BASE_URL`, e.g. SHOOTLINE_AIXPOSE_BASE_URL (the sandboxes and staging use it). */
export function envBaseUrlName(providerId: string): string {
  return `SHOOTLINE_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BASE_URL`;
}

/** Where a provider is reached: the environment wins, then the user's setting, then the module's default. */
export function resolveBaseUrl(db: Db, provider: ProviderModule, env: NodeJS.ProcessEnv): string {
  if (provider.baseUrl === null) return '';
  return env[envBaseUrlName(provider.id)] ?? getProviderAccount(db, provider.id).baseUrl ?? provider.baseUrl;
}
