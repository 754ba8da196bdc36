import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../main/engine/db/data-dir-lock';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Starts a child process that takes the lock and reports when it holds it. */
function holdLockInChild(dataDir: string): Promise<{ kill: () => Promise<void> }> {
  const script = `
    const Database = require(${JSON.stringify(path.join(root, 'node_modules', 'better-sqlite3'))});
    const db = new Database(${JSON.stringify(path.join(dataDir, 'engine.lock'))});
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); COMMIT;');
    require('fs').writeFileSync(${JSON.stringify(path.join(dataDir, 'engine.pid'))}, String(process.pid));
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({
        kill: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      }),
    );
  });
}

describe('acquireDataDirLock', () => {
  it('refuses while another process holds the folder, naming it, and works once that process dies', async () => {
    const dataDir = tempDir();
    const holder = await holdLockInChild(dataDir);
    const owner = fs.readFileSync(path.join(dataDir, 'engine.pid'), 'utf8');
    expect(() => acquireDataDirLock(dataDir)).toThrow(`process ${owner}`);

    // Killed, not stopped: the operating system must release the lock by itself.
    await holder.kill();
    const release = acquireDataDirLock(dataDir);
    release();
  });
});
