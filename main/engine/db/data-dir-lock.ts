import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';

const LOCK_FILE = 'engine.lock';
const OWNER_FILE = 'engine.pid';

/**
 * One engine per data dir: two engines on one library would both watch the same folders and both
 * dispatch the same jobs. The lock is an exclusive SQLite lock on a small file, held for the
 * engine's life. The operating system drops it when the process ends, however it ends, so a crash
 * never leaves a stale lock and a reused pid never blocks a start. The pid file only lets the error
 * message say who holds it.
 *
 * Caveat of POSIX locks: if this process opens and closes engine.lock by any other means (fs.read,
 * a hash, a backup copy), the lock is silently dropped. Nothing may read files in the data dir
 * generically: hot folders must never contain the data dir, and ingest must skip it.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lock = new Database(path.join(dataDir, LOCK_FILE));
  try {
    lock.pragma('busy_timeout = 0');
    // The lock file holds no data worth a journal on disk; this keeps engine.lock-journal out of the folder.
    lock.pragma('journal_mode = MEMORY');
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); COMMIT;');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      const owner = readOwner(dataDir);
      throw new AppError(
        'conflict',
        `Another Shootline${owner ? ` (process ${owner})` : ''} is already using the data folder ${dataDir}. Close it, or choose another folder with --data-dir.`,
      );
    }
    throw error;
  }
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), String(process.pid));
  return () => {
    fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
    lock.close();
  };
}

function readOwner(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
