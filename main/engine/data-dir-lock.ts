import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

const LOCK_NAME = 'engine.lock';

/**
 * One engine per data dir: two engines on one library would both watch the same folders and both
 * dispatch the same jobs. The lock is a file holding the owner's pid; a lock left by a process
 * that no longer exists (a crash) is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => releaseLock(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readOrEmpty(file), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          'conflict',
          `Another Shootline (process ${owner}) is already using the data folder ${dataDir}. Close it, or choose another folder with --data-dir.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AppError('conflict', `Could not lock the data folder ${dataDir}.`);
}

function releaseLock(file: string): void {
  if (readOrEmpty(file) === String(process.pid)) fs.rmSync(file, { force: true });
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
