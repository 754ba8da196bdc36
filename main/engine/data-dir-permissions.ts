import fs from 'node:fs';
import path from 'node:path';

/**
 * The library holds API keys, the database of every shoot and the logs: only its owner may read
 * it. New libraries are made 0700 with 0600 files; an existing one is tightened at each start (a
 * library made by an earlier version, or copied from another machine). Windows has no such modes;
 * its user profile folder is private already.
 */
const PRIVATE_FILES = ['shootline.db', 'shootline.db-wal', 'shootline.db-shm', 'engine.pid', 'engine.lock'];
const PRIVATE_FOLDERS = ['secrets', 'logs'];

export function secureDataDir(dataDir: string, platform: NodeJS.Platform = process.platform): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return;
  tighten(dataDir, 0o700);
  for (const name of PRIVATE_FILES) tighten(path.join(dataDir, name), 0o600);
  for (const name of PRIVATE_FOLDERS) {
    const folder = path.join(dataDir, name);
    if (!tighten(folder, 0o700)) continue;
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.isFile()) tighten(path.join(folder, entry.name), 0o600);
    }
  }
  // SQLite gives its -wal and -shm files the database file's mode: create that one private.
  const database = path.join(dataDir, 'shootline.db');
  if (!fs.existsSync(database)) fs.closeSync(fs.openSync(database, 'a', 0o600));
}

/** Removes group and other rights from what exists; false when there is nothing there. */
function tighten(target: string, mode: number): boolean {
  let stats: fs.Stats;
  try {
    stats = fs.lstatSync(target);
  } catch {
    return false;
  }
  // Never follow a link out of the library, and leave files we do not own to their owner.
  if (stats.isSymbolicLink()) return false;
  if ((stats.mode & 0o077) !== 0) {
    try {
      fs.chmodSync(target, mode);
    } catch {
      // Not ours to change (a library on a share mounted with fixed modes): it still opens.
    }
  }
  return true;
}

/** Makes the data dir private (as above) and creates the engine's folders in it. */
export function prepareDataDir(dataDir: string, folders: readonly string[]): void {
  secureDataDir(dataDir);
  for (const folder of folders) fs.mkdirSync(folder, { recursive: true });
}
