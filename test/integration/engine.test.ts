import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/api';
import { migrations } from '../../main/engine/db/migrations';
import { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

describe('Engine', () => {
  it('creates and lists shoots end to end, newest first, and announces each one', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const { engine } = startTestEngine({ now: () => clock });
    const seen: { event: EventName; payload: unknown }[] = [];
    engine.events.listen((event, payload) => seen.push({ event, payload }));

    const first = await engine.call('shoots.create', { name: 'Smith kitchen' });
    clock += 60_000;
    const second = await engine.call('shoots.create', { name: 'Lakeside villa' });
    expect(first.ok && second.ok).toBe(true);

    const list = await engine.call('shoots.list', {});
    expect(list.ok).toBe(true);
    if (!list.ok || !second.ok || !first.ok) return;
    expect((list.result as { name: string }[]).map((shoot) => shoot.name)).toEqual(['Lakeside villa', 'Smith kitchen']);
    expect(seen).toEqual([
      { event: 'shoots.created', payload: first.result },
      { event: 'shoots.created', payload: second.result },
    ]);
    expect(first.result).toMatchObject({ name: 'Smith kitchen', createdAt: '2026-01-01T00:00:00.000Z' });
  });

  it('keeps shoots and settings across a restart', async () => {
    const dataDir = tempDir();
    const one = new Engine({ dataDir, shell: 'headless', version: 't', log: silentLogger });
    one.start();
    await one.call('shoots.create', { name: 'Persisted' });
    const set = await one.call('settings.set', { patch: { startQueuePaused: true } });
    expect(set).toEqual({
      ok: true,
      result: {
        startQueuePaused: true,
        reconcileIntervalMinutes: 5,
        retryLimit: 8,
        creator: '',
        copyright: '',
        contactEmail: '',
        contactUrl: '',
        autoAdvance: true,
      },
    });
    await one.stop();

    const two = new Engine({ dataDir, shell: 'headless', version: 't', log: silentLogger });
    two.start();
    try {
      const shoots = await two.call('shoots.list', {});
      expect(shoots.ok && (shoots.result as { name: string }[]).map((s) => s.name)).toEqual(['Persisted']);
      expect(await two.call('settings.get', {})).toEqual({
        ok: true,
        result: {
          startQueuePaused: true,
          reconcileIntervalMinutes: 5,
          retryLimit: 8,
          creator: '',
          copyright: '',
          contactEmail: '',
          contactUrl: '',
          autoAdvance: true,
        },
      });
    } finally {
      await two.stop();
    }
  });

  it('announces a settings change and refuses a bad patch without storing it', async () => {
    const { engine } = startTestEngine();
    const seen: unknown[] = [];
    engine.events.listen((event, payload) => {
      if (event === 'settings.changed') seen.push(payload);
    });
    const bad = await engine.call('settings.set', { patch: { reconcileIntervalMinutes: -3 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const good = await engine.call('settings.set', { patch: { reconcileIntervalMinutes: 15 } });
    expect(good.ok).toBe(true);
    expect(seen).toEqual([
      {
        startQueuePaused: false,
        reconcileIntervalMinutes: 15,
        retryLimit: 8,
        creator: '',
        copyright: '',
        contactEmail: '',
        contactUrl: '',
        autoAdvance: true,
      },
    ]);
  });

  it('falls back to the default for a stored setting it cannot use, and says so in the log', async () => {
    const { engine, dataDir, logLines } = startTestEngine();
    await engine.stop();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(dataDir, 'shootline.db'));
    const insert = db.prepare('INSERT INTO settings VALUES (?, ?, ?)');
    insert.run('reconcileIntervalMinutes', '"often"', '2026-01-01'); // wrong type
    insert.run('startQueuePaused', '{not json', '2026-01-01'); // damaged
    insert.run('constructor', '1', '2026-01-01'); // a key that is not a setting, named like a prototype member
    db.close();
    engine.start();
    expect(await engine.call('settings.get', {})).toEqual({
      ok: true,
      result: {
        startQueuePaused: false,
        reconcileIntervalMinutes: 5,
        retryLimit: 8,
        creator: '',
        copyright: '',
        contactEmail: '',
        contactUrl: '',
        autoAdvance: true,
      },
    });
    const warned = new Set(
      logLines
        .filter((line) => line.includes('settings.ignored_stored_value'))
        .map((line) => (JSON.parse(line) as { key: string }).key),
    );
    expect([...warned].sort()).toEqual(['constructor', 'reconcileIntervalMinutes', 'startQueuePaused']);
    // Still writable, and the damaged key heals on write.
    expect(await engine.call('settings.set', { patch: { startQueuePaused: true } })).toMatchObject({
      ok: true,
      result: { startQueuePaused: true },
    });
  });

  it('reports its shell, version, data dir and schema version', async () => {
    const { engine, dataDir } = startTestEngine();
    expect(await engine.call('engine.info', {})).toEqual({
      ok: true,
      result: {
        version: '0.0.0-test',
        shell: 'headless',
        dataDir: path.resolve(dataDir),
        schemaVersion: migrations.length,
      },
    });
  });

  it('lets only one engine open a data dir, and frees it on stop', async () => {
    const { engine, dataDir } = startTestEngine();
    const second = new Engine({ dataDir, shell: 'headless', version: 't', log: silentLogger });
    expect(() => second.start()).toThrow(new RegExp(`process ${process.pid}\\) is already using the data folder`));
    await engine.stop();
    second.start();
    expect(fs.readFileSync(path.join(dataDir, 'engine.pid'), 'utf8')).toBe(String(process.pid));
    await second.stop();
  });

  it('answers `unavailable` once stopped instead of touching a closed database', async () => {
    const { engine } = startTestEngine();
    await engine.stop();
    expect(await engine.call('shoots.list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
