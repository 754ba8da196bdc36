/**
 * Where provider API keys live. The engine only ever reads them through this interface; the
 * renderer only ever sees `describe()` (configured or not, and the last 4 characters).
 */
export interface SecretStore {
  /** The key for a provider, or null when none is configured. */
  get(provider: string): Promise<string | null>;
  set(provider: string, key: string): Promise<void>;
  /** Removes a stored key; a key given by the environment cannot be removed here (and says so). */
  remove(provider: string): Promise<void>;
  describe(provider: string): Promise<SecretDescription>;
  /** A sentence for the user when keys are not protected as they should be (Linux without a keyring). */
  warning(): string | null;
}

export interface SecretDescription {
  configured: boolean;
  /** The last 4 characters, so a user can tell which key is in use; null when not configured. */
  last4: string | null;
  /** Where the key comes from: the environment overrides anything stored. */
  source: 'env' | 'stored' | null;
}

/** `SHOOTLINE_<PROVIDER>_API_KEY`, e.g. SHOOTLINE_AIXPOSE_API_KEY. */
export function envKeyName(provider: string): string {
  return `SHOOTLINE_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

export function describeKey(key: string | null, source: SecretDescription['source']): SecretDescription {
  if (!key) return { configured: false, last4: null, source: null };
  return { configured: true, last4: key.length >= 8 ? key.slice(-4) : null, source };
}

/** Provider ids name files, so only a safe alphabet is accepted. */
export function assertProviderId(provider: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(provider)) throw new Error(`Not a provider id: ${provider}`);
}
