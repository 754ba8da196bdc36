import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../main/engine/log';
import { FileSecretStore, type SecretCipher } from '../../main/engine/secrets/file-secret-store';
import { envKeyName } from '../../main/engine/secrets/secret-store';
import { call, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

function store(env: NodeJS.ProcessEnv = {}, cipher?: SecretCipher, headless = true) {
  const dataDir = tempDir();
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  return { dataDir, lines, log, secrets: new FileSecretStore(dataDir, log, env, cipher, headless) };
}

describe('the headless secret store', () => {
  it('keeps a key in a 0600 file in a 0700 folder, tells only configured and the last 4, and removes it', async () => {
    const { dataDir, secrets } = store();
    expect(await secrets.describe('aixpose')).toEqual({ configured: false, last4: null, source: null });
    await secrets.set('aixpose', '  sk-live-CANARY-1234abcd  ');
    expect(await secrets.get('aixpose')).toBe('sk-live-CANARY-1234abcd');
    expect(await secrets.describe('aixpose')).toEqual({ configured: true, last4: 'abcd', source: 'stored' });
    const file = path.join(dataDir, 'secrets', 'aixpose.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['aixpose.key']); // no temp file left
    await secrets.remove('aixpose');
    expect(await secrets.get('aixpose')).toBeNull();
  });

  it('lets the environment override a stored key, and refuses to remove what the environment gives', async () => {
    const { secrets } = store({ [envKeyName('productai')]: 'env-key-9876wxyz' });
    expect(envKeyName('productai')).toBe('SHOOTLINE_PRODUCTAI_API_KEY');
    await secrets.set('productai', 'stored-key-00000000');
    expect(await secrets.get('productai')).toBe('env-key-9876wxyz');
    expect(await secrets.describe('productai')).toEqual({ configured: true, last4: 'wxyz', source: 'env' });
    await expect(secrets.remove('productai')).rejects.toThrow(
      /comes from the environment \(SHOOTLINE_PRODUCTAI_API_KEY\)/,
    );
  });

  it('refuses what cannot be a key and provider ids that could name other files', async () => {
    const { secrets } = store();
    await expect(secrets.set('aixpose', 'abc')).rejects.toThrow(/does not look like a key/);
    await expect(secrets.set('aixpose', 'two words')).rejects.toThrow(/does not look like a key/);
    await expect(secrets.set('../etc', 'a-long-enough-key')).rejects.toThrow(/Not a provider id/);
  });

  it('redacts every key it read or stored from later log lines', async () => {
    const { secrets, log, lines } = store({ [envKeyName('aurax')]: 'env-CANARY-key-5555' });
    await secrets.set('aixpose', 'stored-CANARY-key-7777');
    await secrets.get('aurax');
    log.info('provider.call', { header: 'x-api-key: stored-CANARY-key-7777', other: 'Bearer env-CANARY-key-5555' });
    expect(lines.join('\n')).not.toContain('CANARY');
  });

  it('warns when the desktop stores keys without a keyring, and stores them through the cipher', async () => {
    const rot = (text: string) =>
      text.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
    const cipher: SecretCipher = {
      encrypt: (plain) => Buffer.from(rot(plain)),
      decrypt: (stored) => rot(stored.toString()),
      protects: false,
    };
    const { dataDir, secrets } = store({}, cipher, false);
    await secrets.set('aixpose', 'plainly-readable-key');
    expect(fs.readFileSync(path.join(dataDir, 'secrets', 'aixpose.key'), 'utf8')).not.toContain('plainly');
    expect(await secrets.get('aixpose')).toBe('plainly-readable-key');
    expect(secrets.warning()).toMatch(/no keyring, so API keys are stored unencrypted/);
    expect(store().secrets.warning()).toBeNull();
    // The warning reaches Settings next to each key field; the local provider has no key to warn about.
    const { engine } = startTestEngine({ secrets });
    const providers = await call(engine, 'providers.list', {});
    expect(providers.find((provider) => provider.id === 'aixpose')?.keyWarning).toMatch(/no keyring/);
    expect(providers.find((provider) => provider.id === 'local')?.keyWarning).toBeNull();
  });
});
