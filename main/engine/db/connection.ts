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

/**
 * Folds the WAL back into the main file, so the library is one self-contained file at rest. Best
 * effort: a reader in another process can hold it back; SQLite replays the WAL at the next open.
 */
export function checkpoint(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, compiled once per connection. Hot paths (the queue's transitions) run the
 * same few statements hundreds of thousands of times; compiling each time would dominate.
 */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}
