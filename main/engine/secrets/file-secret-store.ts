import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log';
import { assertProviderId, describeKey, envKeyName, type SecretDescription, type SecretStore } from './secret-store';

/**
 * How a key is kept at rest. The headless shell stores it as it is, in a file only its user can
 * read; the desktop shell passes an OS-backed cipher (Electron's safeStorage).
 */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(stored: Buffer): string;
  /** False when the "encryption" is plain text (safeStorage on Linux without a keyring). */
  protects: boolean;
}

const PLAIN: SecretCipher = {
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (stored) => stored.toString('utf8'),
  protects: false,
};

/** Shorter than this is a slip, not a secret (a key id may be short; an API key is longer). */
const MIN_SECRET_LENGTH = 4;

/**
 * Keys from the environment (`SHOOTLINE_<PROVIDER>_API_KEY`, which wins) or from files in
 * `<dataDir>/secrets/`, one per provider, mode 0600 in a 0700 folder, written atomically. Every key
 * read is registered with the logger, so it is redacted from every later log line.
 */
export class FileSecretStore implements SecretStore {
  private readonly directory: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly cipher: SecretCipher = PLAIN,
    private readonly headless = true,
  ) {
    this.directory = path.join(dataDir, 'secrets');
  }

  // Each method runs inside a promise, so a refusal is always a rejection, never a synchronous throw.
  get(provider: string): Promise<string | null> {
    return Promise.resolve().then(() => this.read(provider).key);
  }

  set(provider: string, key: string): Promise<void> {
    return Promise.resolve().then(() => this.write(provider, key));
  }

  private write(provider: string, key: string): void {
    assertProviderId(provider);
    const trimmed = key.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || /\s/.test(trimmed)) {
      throw new AppError('invalid_input', 'That does not look like a key (too short, or it has spaces).');
    }
    this.log.registerSecret(trimmed);
    fs.mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const file = this.fileOf(provider);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, this.cipher.encrypt(trimmed), { mode: 0o600 });
    fs.renameSync(temp, file);
  }

  remove(provider: string): Promise<void> {
    return Promise.resolve().then(() => {
      assertProviderId(provider);
      fs.rmSync(this.fileOf(provider), { force: true });
      if (this.env[envKeyName(provider)]) {
        throw new AppError('conflict', `The key comes from the environment (${envKeyName(provider)}); unset it there.`);
      }
    });
  }

  describe(provider: string): Promise<SecretDescription> {
    return Promise.resolve().then(() => {
      const { key, source } = this.read(provider);
      return describeKey(key, source);
    });
  }

  warning(): string | null {
    if (this.headless || this.cipher.protects) return null;
    return 'This system has no keyring, so API keys are stored unencrypted in the Shootline data folder. Install and unlock a keyring (GNOME Keyring or KWallet) to protect them.';
  }

  private read(provider: string): { key: string | null; source: SecretDescription['source'] } {
    assertProviderId(provider);
    const fromEnv = this.env[envKeyName(provider)]?.trim();
    if (fromEnv) {
      this.log.registerSecret(fromEnv);
      return { key: fromEnv, source: 'env' };
    }
    let stored: Buffer;
    try {
      stored = fs.readFileSync(this.fileOf(provider));
    } catch {
      return { key: null, source: null };
    }
    const key = this.cipher.decrypt(stored).trim();
    if (!key) return { key: null, source: null };
    this.log.registerSecret(key);
    return { key, source: 'stored' };
  }

  private fileOf(provider: string): string {
    return path.join(this.directory, `${provider}.key`);
  }
}
