import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the library database with the settings every part of the engine relies on: WAL so readers
 * never block the writer, a busy timeout instead of instant SQLITE_BUSY when a second connection
 * writes, foreign keys on, and synchronous=FULL because a job written as `submitting` must survive a
 * power cut before its paid request leaves the machine.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  return db;
}

/**
 * Runs `work` in one BEGIN IMMEDIATE transaction (the write lock is taken up front, so two writers
 * never deadlock on upgrade). `work` is synchronous by type: an `await` inside a transaction would
 * let other code interleave with it.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate();
}
