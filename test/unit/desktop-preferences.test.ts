import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREFERENCES,
  DesktopPreferences,
  PREFERENCES_FORMAT,
  preferencesStoreOptions,
  type PreferenceStore,
} from '../../main/app/preferences';
import { tempDir } from '../support/temp';

/**
 * The same options main.ts gives electron-store, given to `conf` (which electron-store extends and
 * which, unlike it, loads without Electron): the real store, its real JSON schema check and its real
 * migration runner, on a real file.
 */
function open(dir: string): { store: PreferenceStore; file: string } {
  const { name, ...options } = preferencesStoreOptions();
  const store = new Conf({ ...options, configName: name, cwd: dir }) as unknown as PreferenceStore;
  return { store, file: path.join(dir, `${name}.json`) };
}

const readFile = (file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('desktop preferences (electron-store options on conf)', () => {
  it('starts from the defaults and records the format it wrote', () => {
    const dir = tempDir('shootline-prefs-');
    const { store, file } = open(dir);
    expect(new DesktopPreferences(store).read()).toEqual(DEFAULT_PREFERENCES);
    expect(DEFAULT_PREFERENCES.closeToTray).toBe(true);
    expect(DEFAULT_PREFERENCES.crashReports.upload).toBe(false);
    expect(DEFAULT_PREFERENCES.updates.channel).toBe('stable');
    expect(readFile(file)).toMatchObject({ __internal__: { migrations: { version: PREFERENCES_FORMAT } } });
  });

  it.each([
    ['with its version recorded', { __internal__: { migrations: { version: '1.0.0' } } }],
    ['written before versions were recorded', {}],
  ])('migrates a format 1 file %s', (_label, internal) => {
    const dir = tempDir('shootline-prefs-');
    const file = path.join(dir, 'preferences.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...internal,
        windowBounds: { x: 40, y: 60, width: 1200, height: 800 },
        windowMaximized: true,
        minimizeToTray: false,
        notify: false,
        updateChannel: 'beta',
      }),
    );
    const { store } = open(dir);
    const preferences = new DesktopPreferences(store).read();
    expect(preferences.window).toEqual({ bounds: { x: 40, y: 60, width: 1200, height: 800 }, maximized: true });
    expect(preferences.closeToTray).toBe(false);
    expect(preferences.notifications).toEqual({ finished: false, attention: false, providers: false, exports: false });
    expect(preferences.updates).toEqual({ channel: 'beta', check: true });
    // What format 2 did not have keeps its default.
    expect(preferences.lastView).toEqual(DEFAULT_PREFERENCES.lastView);
    const written = readFile(file);
    for (const old of ['windowBounds', 'windowMaximized', 'minimizeToTray', 'notify', 'updateChannel']) {
      expect(written, old).not.toHaveProperty(old);
    }
    expect(written).toMatchObject({ __internal__: { migrations: { version: PREFERENCES_FORMAT } } });
  });

  it('keeps the defaults for format 1 values of the wrong type', () => {
    const dir = tempDir('shootline-prefs-');
    fs.writeFileSync(
      path.join(dir, 'preferences.json'),
      JSON.stringify({ windowBounds: { x: 'left' }, minimizeToTray: 'yes', updateChannel: 'nightly' }),
    );
    const preferences = new DesktopPreferences(open(dir).store).read();
    expect(preferences.window.bounds).toBeNull();
    expect(preferences.closeToTray).toBe(true);
    expect(preferences.updates.channel).toBe('stable');
  });

  it.each([
    ['a file that is not JSON', '{"window": {'],
    ['a value the schema refuses', JSON.stringify({ closeToTray: 'sometimes' })],
    ['bounds out of any screen', JSON.stringify({ window: { bounds: { x: 0, y: 0, width: 5, height: 5 } } })],
  ])('opens with the defaults instead of failing on %s', (_label, content) => {
    const dir = tempDir('shootline-prefs-');
    fs.writeFileSync(path.join(dir, 'preferences.json'), content);
    expect(new DesktopPreferences(open(dir).store).read()).toEqual(DEFAULT_PREFERENCES);
  });

  it('writes only values of the right shape, and they are read back after a restart', () => {
    const dir = tempDir('shootline-prefs-');
    const preferences = new DesktopPreferences(open(dir).store);
    preferences.set('lastView', { section: 'queue', shootId: null });
    preferences.set('notifications', { ...DEFAULT_PREFERENCES.notifications, finished: false });
    expect(() => preferences.set('lastView', { section: 'nowhere' as never, shootId: null })).toThrow();
    expect(() => preferences.set('crashReports', { upload: true, url: 'http://crash.example/submit' })).toThrow();
    const again = new DesktopPreferences(open(dir).store).read();
    expect(again.lastView).toEqual({ section: 'queue', shootId: null });
    expect(again.notifications.finished).toBe(false);
    expect(again.crashReports).toEqual(DEFAULT_PREFERENCES.crashReports);
  });

  it('a change from Settings writes only what it names, and nothing when any of it is wrong', () => {
    const dir = tempDir('shootline-prefs-');
    const preferences = new DesktopPreferences(open(dir).store);
    preferences.updateSettings({ startAtLogin: true, updates: { channel: 'beta', check: false } });
    expect(preferences.updateSettings({ closeToTray: false })).toMatchObject({
      closeToTray: false,
      startAtLogin: true,
      updates: { channel: 'beta', check: false },
    });
    expect(() =>
      preferences.updateSettings({ startAtLogin: false, updates: { channel: 'nightly', check: true } }),
    ).toThrow();
    expect(() => preferences.updateSettings({ lastView: { section: 'queue', shootId: null } })).toThrow();
    const again = new DesktopPreferences(open(dir).store).settings();
    expect(again).toStrictEqual({
      closeToTray: false,
      notifications: DEFAULT_PREFERENCES.notifications,
      startAtLogin: true,
      updates: { channel: 'beta', check: false },
      crashReports: DEFAULT_PREFERENCES.crashReports,
    });
  });
});
