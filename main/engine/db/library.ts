import path from 'node:path';
import type { Logger } from '../log';
import { checkpoint, openDatabase, type Db } from './connection';
import { acquireDataDirLock } from './data-dir-lock';
import { migrate } from './migrate';
import { migrations } from './migrations';

export const DATABASE_FILE = 'shootline.db';

/** The library: the data dir's lock and its database, migrated to this version's schema. */
export interface Library {
  db: Db;
  schemaVersion: number;
  /** Folds the write-ahead log into the database, closes it and unlocks the data dir. */
  close: () => void;
}

/** Locks the data dir (one engine per library), opens and migrates the database. */
export function openLibrary(dataDir: string, now: () => number, log: Logger): Library {
  const releaseLock = acquireDataDirLock(dataDir);
  let db: Db | null = null;
  try {
    db = openDatabase(path.join(dataDir, DATABASE_FILE));
    const schemaVersion = migrate(db, migrations, now);
    const opened = db;
    return { db: opened, schemaVersion, close: () => closeLibrary(opened, releaseLock, log) };
  } catch (error) {
    db?.close();
    releaseLock();
    throw error;
  }
}

function closeLibrary(db: Db, releaseLock: () => void, log: Logger): void {
  try {
    checkpoint(db);
  } catch (error) {
    log.warn('engine.checkpoint_failed', { error });
  } finally {
    db.close();
    releaseLock();
  }
}
