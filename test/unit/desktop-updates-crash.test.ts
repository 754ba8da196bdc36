import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOnFatalErrors, FATAL_STOP_TIMEOUT_MS, startCrashReports, type FatalChoice } from '../../main/app/crash';
import { applyStartAtLogin, autostartEntry, HIDDEN_ARG, launcherPath } from '../../main/app/login-item';
import { DEFAULT_PREFERENCES, type Preferences } from '../../main/app/preferences';
import { trayIconBitmap } from '../../main/app/tray-icon';
import { CHECK_EVERY_MS, runUpdates, type Question } from '../../main/app/updates';
import { silentLogger } from '../../main/engine/log';
import { FakeUpdater } from '../support/fake-electron';
import { ManualClock } from '../support/manual-clock';
import { tempDir } from '../support/temp';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const preferencesWith = (values: Partial<Preferences>) => ({
  get: <K extends keyof Preferences>(key: K): Preferences[K] => ({ ...DEFAULT_PREFERENCES, ...values })[key],
});

function updates(options: { answers?: boolean[]; packaged?: boolean; preferences?: Partial<Preferences> } = {}) {
  const updater = new FakeUpdater();
  const clock = new ManualClock(0);
  const asked: Question[] = [];
  const answers = [...(options.answers ?? [])];
  const control = runUpdates({
    updater: () => updater,
    packaged: options.packaged ?? true,
    currentVersion: '0.1.0',
    preferences: preferencesWith(options.preferences ?? {}),
    ask: (question) => {
      asked.push(question);
      return Promise.resolve(answers.shift() ?? false);
    },
    setTimer: clock.setTimer,
    beforeInstall: () => updater.calls.push('before install'),
    log: silentLogger,
  });
  return { updater, clock, asked, control };
}

describe('updates, offered and never forced', () => {
  it('never downloads or installs without a yes, and never on quit', async () => {
    const { updater, asked } = updates({ answers: [false] });
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    updater.emit('update-available', { version: '0.2.0' });
    await settle();
    expect(asked.map((question) => question.title)).toEqual(['Update available']);
    expect(updater.calls).toEqual(['check']);
    // The same version is not asked about again this session.
    updater.emit('update-available', { version: '0.2.0' });
    await settle();
    expect(asked).toHaveLength(1);
    updater.emit('update-downloaded', { version: '0.2.0' });
    await settle();
    expect(updater.calls).toEqual(['check']);
  });

  it('downloads after a yes, and installs only after a second yes', async () => {
    const { updater, asked } = updates({ answers: [true, true] });
    updater.emit('update-available', { version: '0.2.0' });
    await settle();
    expect(updater.calls).toEqual(['check', 'download']);
    updater.emit('update-downloaded', { version: '0.2.0' });
    await settle();
    expect(asked.map((question) => question.yes)).toEqual(['Download', 'Restart and install']);
    expect(updater.calls).toEqual(['check', 'download', 'before install', 'install']);
  });

  it('an update declined today is offered again when the user checks by hand', async () => {
    const { updater, asked, control } = updates({ answers: [false, false] });
    updater.available = '0.2.0';
    expect(await control.checkNow()).toBe('available');
    await settle();
    updater.emit('update-available', { version: '0.2.0' });
    await settle();
    expect(asked).toHaveLength(1);
    expect(await control.checkNow()).toBe('available');
    await settle();
    expect(asked).toHaveLength(2);
    expect(updater.calls.filter((call) => call === 'download')).toEqual([]);
  });

  it('checks at start and daily; off in unpackaged builds and when the user turned checks off', async () => {
    const daily = updates();
    daily.clock.advance(CHECK_EVERY_MS);
    daily.clock.advance(CHECK_EVERY_MS);
    expect(daily.updater.calls).toEqual(['check', 'check', 'check']);
    const unpackaged = updates({ packaged: false });
    expect(unpackaged.updater.calls).toEqual([]);
    expect(await unpackaged.control.checkNow()).toBe('off');
    const off = updates({ preferences: { updates: { channel: 'stable', check: false } } });
    off.clock.advance(CHECK_EVERY_MS * 3);
    expect(off.updater.calls).toEqual([]);
    off.updater.available = '0.3.0';
    expect(await off.control.checkNow()).toBe('available');
  });

  it('follows the channel: beta reads prereleases, stable does not, neither downgrades', () => {
    const beta = updates({ preferences: { updates: { channel: 'beta', check: true } } }).updater;
    expect([beta.channel, beta.allowPrerelease, beta.allowDowngrade]).toEqual(['beta', true, false]);
    const stable = updates().updater;
    expect([stable.channel, stable.allowPrerelease, stable.allowDowngrade]).toEqual(['latest', false, false]);
  });
});

describe('crash reports', () => {
  it('start with uploadToServer false unless the user turned uploads on with an address', () => {
    const started: unknown[] = [];
    const reporter = { start: (options: unknown) => started.push(options) };
    startCrashReports(reporter, preferencesWith({}));
    startCrashReports(reporter, preferencesWith({ crashReports: { upload: true, url: null } }));
    startCrashReports(
      reporter,
      preferencesWith({ crashReports: { upload: true, url: 'https://crash.example/submit' } }),
    );
    expect(started).toEqual([
      { productName: 'Shootline', uploadToServer: false, compress: true },
      { productName: 'Shootline', uploadToServer: false, compress: true },
      { productName: 'Shootline', uploadToServer: true, submitURL: 'https://crash.example/submit', compress: true },
    ]);
  });

  function fatal(choices: FatalChoice[], stopEngine: () => Promise<void> = () => Promise.resolve()) {
    const clock = new ManualClock(0);
    const listeners = new Map<string, (error: unknown) => void>();
    const done: string[] = [];
    exitOnFatalErrors({
      process: { on: (event, listener) => listeners.set(event, listener) },
      log: silentLogger,
      stopEngine: async () => {
        done.push('engine.stop');
        await stopEngine();
      },
      showError: (message) => {
        done.push(`dialog: ${message.slice(0, 40)}`);
        return Promise.resolve(choices.shift() ?? 'quit');
      },
      copy: (text) => done.push(`copy ${text.split('\n')[0] ?? ''}`),
      relaunch: () => done.push('relaunch'),
      exit: (code) => done.push(`exit ${code}`),
      describe: () => 'Shootline 0.1.0 · linux',
      setTimer: clock.setTimer,
    });
    return { listeners, done, clock };
  }

  it('an uncaught error stops the engine, is shown with details to copy, then the app relaunches', async () => {
    const { listeners, done } = fatal(['copy', 'relaunch']);
    listeners.get('uncaughtException')?.(new TypeError('boom'));
    for (let turn = 0; turn < 5; turn += 1) await settle();
    expect(done).toEqual([
      'engine.stop',
      'dialog: Shootline hit an unexpected error and ha',
      'copy TypeError: boom',
      'dialog: Shootline hit an unexpected error and ha',
      'relaunch',
      'exit 0',
    ]);
  });

  it('an engine that does not stop does not keep the broken process alive; a second error ends it at once', async () => {
    const { listeners, done, clock } = fatal(['quit'], () => new Promise(() => undefined));
    listeners.get('unhandledRejection')?.(new Error('first'));
    listeners.get('uncaughtException')?.(new Error('second'));
    expect(done).toEqual(['engine.stop', 'exit 70']);
    clock.advance(FATAL_STOP_TIMEOUT_MS - 1);
    await settle();
    expect(done).toHaveLength(2);
    clock.advance(1);
    for (let turn = 0; turn < 5; turn += 1) await settle();
    expect(done.slice(2)).toEqual(['dialog: Shootline hit an unexpected error and ha', 'exit 70']);
  });
});

describe('start at login', () => {
  it('macOS and Windows use the login item, opening hidden to the tray', () => {
    const settings: unknown[] = [];
    for (const platform of ['darwin', 'win32'] as const) {
      applyStartAtLogin(true, {
        platform,
        setLoginItemSettings: (value) => settings.push(value),
        executable: '/x',
        env: {},
        homeDir: '/home/x',
      });
    }
    expect(settings).toEqual([
      { openAtLogin: true, openAsHidden: true, args: [HIDDEN_ARG] },
      { openAtLogin: true, openAsHidden: true, args: [HIDDEN_ARG] },
    ]);
  });

  it('Linux gets an XDG autostart entry, removed when turned off', () => {
    const home = tempDir('shootline-home-');
    const deps = {
      platform: 'linux' as const,
      setLoginItemSettings: () => {
        throw new Error('not on Linux');
      },
      executable: '/opt/Shoot line/shoot$line',
      env: {},
      homeDir: home,
    };
    applyStartAtLogin(true, deps);
    const file = path.join(home, '.config', 'autostart', 'shootline.desktop');
    const entry = fs.readFileSync(file, 'utf8');
    expect(entry).toBe(autostartEntry('/opt/Shoot line/shoot$line'));
    expect(entry).toContain('Exec="/opt/Shoot line/shoot\\$line" --hidden\n');
    expect(entry.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
    applyStartAtLogin(false, deps);
    expect(fs.existsSync(file)).toBe(false);
    const xdg = tempDir('shootline-xdg-');
    applyStartAtLogin(true, { ...deps, env: { XDG_CONFIG_HOME: xdg } });
    expect(fs.existsSync(path.join(xdg, 'autostart', 'shootline.desktop'))).toBe(true);
    expect(autostartEntry('/a/100%/app')).toContain('Exec="/a/100%%/app" --hidden');
  });

  it('an AppImage is started by its own path, not the mount it runs from', () => {
    expect(launcherPath('/tmp/.mount_x/shootline', { APPIMAGE: '/home/u/Shootline.AppImage' })).toBe(
      '/home/u/Shootline.AppImage',
    );
    expect(launcherPath('/usr/bin/shootline', {})).toBe('/usr/bin/shootline');
  });
});

describe('the tray icon', () => {
  it('is a ring, with an orange dot only when something needs the user', () => {
    const pixel = (bitmap: Buffer, size: number, x: number, y: number) => [
      ...bitmap.subarray((y * size + x) * 4, (y * size + x) * 4 + 4),
    ];
    const plain = trayIconBitmap({ size: 32, attention: false, template: false });
    const alert = trayIconBitmap({ size: 32, attention: true, template: false });
    expect(plain).toHaveLength(32 * 32 * 4);
    expect(pixel(plain, 32, 16, 16)[3]).toBe(0); // the hole
    expect(pixel(plain, 32, 16, 4)).toEqual([232, 232, 232, 255]); // the ring (BGRA)
    expect(pixel(alert, 32, 25, 6)).toEqual([10, 159, 255, 255]); // the dot, orange in BGRA
    expect(pixel(plain, 32, 25, 6)).not.toEqual([10, 159, 255, 255]);
    const template = trayIconBitmap({ size: 32, attention: false, template: true });
    expect(pixel(template, 32, 16, 4)).toEqual([0, 0, 0, 255]);
  });
});
