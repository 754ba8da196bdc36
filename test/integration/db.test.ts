import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { openDatabase } from '../../main/engine/db/connection';
import { currentSchemaVersion, migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import type { Migration } from '../../main/engine/db/migrations/types';
import { tempDir } from '../support/temp';

const now = (): number => Date.UTC(2026, 10, 22);

describe('openDatabase', () => {
  it('opens with WAL, a busy timeout, foreign keys and full sync', () => {
    const db = openDatabase(path.join(tempDir(), 'library.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });
});

describe('migrate', () => {
  it('numbers the migrations 1..N', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it('creates the first schema and records each version', () => {
    const db = openDatabase(path.join(tempDir(), 'library.db'));
    try {
      expect(migrate(db, migrations, now)).toBe(migrations.length);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(
        expect.arrayContaining(['schema_version', 'settings', 'shoots', 'jobs', 'job_steps', 'job_events', 'variants']),
      );
      const rows = db.prepare('SELECT version, name, applied_at FROM schema_version ORDER BY version').all();
      expect(rows).toEqual(
        migrations.map((m) => ({ version: m.version, name: m.name, applied_at: '2026-11-22T00:00:00.000Z' })),
      );
      expect(rows[0]).toEqual({ version: 1, name: 'settings and shoots', applied_at: '2026-11-22T00:00:00.000Z' });
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('is a no-op on an up-to-date database and keeps its data', () => {
    const file = path.join(tempDir(), 'library.db');
    const first = openDatabase(file);
    migrate(first, migrations, now);
    first.prepare("INSERT INTO shoots (id, name, created_at) VALUES ('s1', 'Kept', '2026-01-01')").run();
    first.close();
    const second = openDatabase(file);
    try {
      migrate(second, migrations, now);
      expect(currentSchemaVersion(second)).toBe(migrations.length);
      expect(second.prepare('SELECT name FROM shoots').pluck().all()).toEqual(['Kept']);
    } finally {
      second.close();
    }
  });

  it('applies only the missing steps, each whole or not at all', () => {
    const file = path.join(tempDir(), 'library.db');
    const db = openDatabase(file);
    try {
      const extra: Migration[] = [
        ...migrations,
        { version: migrations.length + 1, name: 'good', sql: 'CREATE TABLE good (id INTEGER PRIMARY KEY) STRICT;' },
        { version: migrations.length + 2, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); NOT SQL AT ALL;' },
      ];
      expect(() => migrate(db, extra, now)).toThrow();
      expect(currentSchemaVersion(db)).toBe(migrations.length + 1);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).toContain('good');
      expect(tables).not.toContain('half');
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer Shootline, without touching it', () => {
    const file = path.join(tempDir(), 'library.db');
    const db = openDatabase(file);
    migrate(db, migrations, now);
    db.prepare("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')").run();
    db.close();
    const before = fs.readFileSync(file);
    const again = openDatabase(file);
    try {
      let error: unknown;
      try {
        migrate(again, migrations, now);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('unavailable');
      expect((error as AppError).message).toMatch(/newer Shootline/);
    } finally {
      again.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT MAX(version) FROM schema_version').pluck().get()).toBe(99);
    check.close();
    expect(before.length).toBeGreaterThan(0);
  });

  it('refuses a list of migrations with a gap', () => {
    const db = openDatabase(path.join(tempDir(), 'library.db'));
    try {
      expect(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }], now)).toThrow(/expected 1/);
    } finally {
      db.close();
    }
  });
});
