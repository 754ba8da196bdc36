import { safeStorage } from 'electron';
import type { SecretCipher } from '../engine/secrets/file-secret-store';

/**
 * API keys at rest under the OS keychain (Keychain, DPAPI, libsecret/kwallet) through Electron's
 * safeStorage. On Linux without a keyring safeStorage falls back to a hard-coded password
 * ("basic_text"): the keys are then as good as plain, and the user is told so. safeStorage works
 * only once the app is ready, so everything here is asked at the time of use.
 */
export function safeStorageCipher(): SecretCipher {
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (stored) => safeStorage.decryptString(stored),
    get protects() {
      const linuxPlain = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
      return safeStorage.isEncryptionAvailable() && !linuxPlain;
    },
  };
}
