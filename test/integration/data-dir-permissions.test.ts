import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, startTestEngine } from '../support/engine';
import { startHeadless } from '../support/headless-process';
import { tempDir } from '../support/temp';

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

describe('the library folder', () => {
  it('is created private by the CLI: the folder 0700, the database, its WAL and logs 0600', async () => {
    const dataDir = path.join(tempDir(), 'library');
    const server = await startHeadless({ dataDir });
    try {
      expect(modeOf(dataDir)).toBe('700');
      for (const name of ['shootline.db', 'shootline.db-wal', 'shootline.db-shm']) {
        expect(modeOf(path.join(dataDir, name)), name).toBe('600');
      }
      expect(modeOf(path.join(dataDir, 'logs'))).toBe('700');
      expect(modeOf(path.join(dataDir, 'logs', 'shootline.log'))).toBe('600');
    } finally {
      await server.stop();
    }
  });

  it('tightens an existing library at start: folder, database, WAL, secrets and logs', async () => {
    const dataDir = path.join(tempDir(), 'old-library');
    const first = startTestEngine({ dataDir });
    await call(first.engine, 'providers.setKey', { provider: 'aixpose', key: 'aix_perm_key_1234' });
    await first.engine.stop();
    // As an earlier version (or a copy) left it: readable by everyone.
    fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'logs', 'shootline.log'), '{}\n');
    const loosened = [
      dataDir,
      path.join(dataDir, 'shootline.db'),
      path.join(dataDir, 'secrets'),
      path.join(dataDir, 'logs'),
      path.join(dataDir, 'logs', 'shootline.log'),
      ...fs.readdirSync(path.join(dataDir, 'secrets')).map((name) => path.join(dataDir, 'secrets', name)),
    ];
    for (const target of loosened) fs.chmodSync(target, fs.statSync(target).isDirectory() ? 0o755 : 0o644);

    const second = startTestEngine({ dataDir });
    for (const target of loosened) {
      expect(modeOf(target), target).toBe(fs.statSync(target).isDirectory() ? '700' : '600');
    }
    for (const name of ['shootline.db-wal', 'shootline.db-shm']) {
      expect(modeOf(path.join(dataDir, name)), name).toBe('600');
    }
    await second.engine.stop();
  });
});
