import { describe, expect, it } from 'vitest';
import { CloseToTray } from '../../main/app/close-to-tray';
import { IDLE_STATUS, withExport, withIngest, withQueueStats, type DesktopStatus } from '../../main/app/desktop-status';
import { runDesktopLifecycle } from '../../main/app/lifecycle';
import { DEFAULT_PREFERENCES, type Preferences } from '../../main/app/preferences';
import { keepAwakeWhileBusy, probeWhenNetworkMayBeBack } from '../../main/app/power';
import { showProgressOutside } from '../../main/app/taskbar';
import { runTray } from '../../main/app/tray';
import { placeWindow, rememberPlacement, type DisplayLike } from '../../main/app/window-placement';
import { silentLogger } from '../../main/engine/log';
import type { QueueStats } from '../../shared/jobs';
import { fakeApp, FakePowerMonitor, FakePowerSaveBlocker, FakeTray, FakeWindow } from '../support/fake-electron';
import { ManualClock } from '../support/manual-clock';
import { queueStatsFixture } from '../support/queue-fixtures';

function memoryPreferences(initial: Partial<Preferences> = {}) {
  let values: Preferences = { ...DEFAULT_PREFERENCES, ...initial };
  return {
    get: <K extends keyof Preferences>(key: K): Preferences[K] => values[key],
    set: <K extends keyof Preferences>(key: K, value: Preferences[K]): void => {
      values = { ...values, [key]: value };
    },
    read: () => values,
  };
}

/** A status source the test moves by hand. */
function statusSource(start: DesktopStatus = IDLE_STATUS) {
  let current = start;
  const listeners = new Set<(status: DesktopStatus) => void>();
  return {
    get current() {
      return current;
    },
    onChange(listener: (status: DesktopStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener) as unknown as void;
    },
    set(next: DesktopStatus) {
      current = next;
      for (const listener of listeners) listener(next);
    },
  };
}

function queueStats(byState: Record<string, number>, extra: Partial<QueueStats> = {}): QueueStats {
  return queueStatsFixture({ byState, byProvider: { local: byState }, ...extra });
}

const primary: DisplayLike = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
const right: DisplayLike = { id: 2, workArea: { x: 1920, y: 0, width: 2560, height: 1440 } };
const screenOf = (...displays: DisplayLike[]) => ({
  getAllDisplays: () => displays,
  getPrimaryDisplay: () => displays[0] ?? primary,
});

describe('window placement', () => {
  it('reopens where it was while that display is there', () => {
    const saved = { bounds: { x: 2100, y: 80, width: 1600, height: 1000 }, maximized: true };
    expect(placeWindow(saved, screenOf(primary, right))).toEqual({ bounds: saved.bounds, maximized: true });
  });

  it('a window saved on a display that is gone opens on the primary, centred, its size kept where it fits', () => {
    const saved = { bounds: { x: 2100, y: 80, width: 1600, height: 1000 }, maximized: true };
    expect(placeWindow(saved, screenOf(primary))).toEqual({
      bounds: { x: 160, y: 40, width: 1600, height: 1000 },
      maximized: true,
    });
    const huge = { bounds: { x: 2000, y: 0, width: 2500, height: 1400 }, maximized: false };
    expect(placeWindow(huge, screenOf(primary)).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  it('a title bar off every display (only a sliver left on one) counts as gone', () => {
    const sliver = { bounds: { x: 1900, y: -500, width: 1200, height: 800 }, maximized: false };
    expect(placeWindow(sliver, screenOf(primary)).bounds.x).toBe(360);
    expect(placeWindow({ bounds: null, maximized: false }, screenOf(primary)).bounds).toEqual({
      x: 240,
      y: 90,
      width: 1440,
      height: 900,
    });
  });

  it('saves the bounds a moment after the window stops moving, and at once on close', () => {
    const window = new FakeWindow();
    const preferences = memoryPreferences();
    const clock = new ManualClock(0);
    rememberPlacement(window, preferences, clock.setTimer);
    window.bounds = { x: 10, y: 20, width: 1000, height: 700 };
    window.emit('move');
    window.emit('move');
    expect(preferences.read().window.bounds).toBeNull();
    clock.advance(500);
    expect(preferences.read().window).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: false });
    window.maximized = true;
    window.emit('maximize');
    window.close();
    expect(preferences.read().window.maximized).toBe(true);
  });
});

describe('close to the tray', () => {
  it('closing the window hides it, the engine keeps running, and the user is told once', async () => {
    const { app, calls, emit, becomeReady } = fakeApp();
    const window = new FakeWindow();
    const preferences = memoryPreferences();
    const explained: string[] = [];
    const closeToTray = new CloseToTray({
      preferences,
      trayShown: () => true,
      explain: () => explained.push('explained'),
    });
    app.on('before-quit', () => closeToTray.quit());
    let engineRunning = false;
    let engineStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (engineStopped = resolve));
    runDesktopLifecycle({
      app,
      platform: 'linux',
      engine: {
        start: () => {
          engineRunning = true;
        },
        stop: () => {
          engineRunning = false;
          engineStopped();
          return Promise.resolve();
        },
      },
      logFile: { open: () => undefined, close: () => Promise.resolve() },
      showFatalError: () => undefined,
      onReady: () => undefined,
      createWindow: () => closeToTray.attach(window),
      focusWindow: () => undefined,
      windowCount: () => (window.destroyed ? 0 : 1),
    });
    await becomeReady();
    expect(window.close()).toBe(false);
    expect(window.visible).toBe(false);
    // Hidden, not closed: Electron fires no window-all-closed, so nothing quits.
    expect(engineRunning).toBe(true);
    expect(calls).not.toContain('quit');
    expect(window.close()).toBe(false);
    expect(explained).toEqual(['explained']);
    expect(preferences.read().closeToTrayExplained).toBe(true);

    // Quit from the tray or the menu: the window closes and the engine stops.
    emit('before-quit');
    expect(window.close()).toBe(true);
    await stopped;
    expect(engineRunning).toBe(false);
  });

  it('a quit that closes windows before before-quit (an update’s restart, the session ending) closes', () => {
    const window = new FakeWindow();
    const closeToTray = new CloseToTray({
      preferences: memoryPreferences(),
      trayShown: () => true,
      explain: () => undefined,
    });
    closeToTray.attach(window);
    expect(window.close()).toBe(false);
    closeToTray.quit();
    expect(window.close()).toBe(true);
  });

  it('with the preference off, or no tray to come back from, closing closes', () => {
    for (const [closeToTray, trayShown] of [
      [false, true],
      [true, false],
    ] as const) {
      const window = new FakeWindow();
      new CloseToTray({
        preferences: memoryPreferences({ closeToTray }),
        trayShown: () => trayShown,
        explain: () => undefined,
      }).attach(window);
      expect(window.close()).toBe(true);
    }
  });
});

describe('the power save blocker', () => {
  it('starts with the first job and stops after the last', () => {
    const blocker = new FakePowerSaveBlocker();
    const status = statusSource();
    keepAwakeWhileBusy(blocker, status, silentLogger);
    expect(blocker.log).toEqual([]);
    status.set(withQueueStats(status.current, queueStats({ queued: 1 })));
    expect(blocker.log).toEqual(['start prevent-app-suspension']);
    status.set(withQueueStats(status.current, queueStats({ queued: 30, remote: 4 })));
    status.set(withQueueStats(status.current, queueStats({ remote: 1, done: 33 })));
    expect(blocker.active.size).toBe(1);
    status.set(withQueueStats(status.current, queueStats({ done: 34 })));
    expect(blocker.log).toEqual(['start prevent-app-suspension', 'stop 1']);
    expect(blocker.active.size).toBe(0);
  });

  it('an export or an ingest keeps it on too; queued work under a global pause does not', () => {
    const blocker = new FakePowerSaveBlocker();
    const status = statusSource();
    keepAwakeWhileBusy(blocker, status, silentLogger);
    const running = { runId: 'r', state: 'running' as const, total: 5, done: 1, skipped: 0, failed: 0, current: null };
    status.set(withExport(status.current, running));
    expect(blocker.active.size).toBe(1);
    status.set(withExport(status.current, { ...running, state: 'done', done: 5 }));
    expect(blocker.active.size).toBe(0);
    status.set(withIngest(status.current, { done: 2, total: 10, current: null, perSecond: null }));
    expect(blocker.active.size).toBe(1);
    status.set(withIngest(status.current, { done: 10, total: 10, current: null, perSecond: null }));
    const pausedStats = queueStats({ queued: 12 });
    pausedStats.paused.global = true;
    status.set(withQueueStats(status.current, pausedStats));
    expect(blocker.active.size).toBe(0);
  });

  it('queued work that cannot run (its provider out of credits, or unreachable) lets the machine sleep', () => {
    const blocker = new FakePowerSaveBlocker();
    const status = statusSource();
    keepAwakeWhileBusy(blocker, status, silentLogger);
    const waiting = queueStats({ queued: 8 }, { byProvider: { aixpose: { queued: 8 } } });
    waiting.paused.providerReasons = { aixpose: 'Out of credits.' };
    status.set(withQueueStats(status.current, waiting));
    expect(blocker.active.size).toBe(0);
    status.set(
      withQueueStats(
        status.current,
        queueStats({ queued: 8 }, { byProvider: { aixpose: { queued: 8 } }, unreachable: ['aixpose'] }),
      ),
    );
    expect(blocker.active.size).toBe(0);
    status.set(withQueueStats(status.current, queueStats({ queued: 8 }, { byProvider: { aixpose: { queued: 8 } } })));
    expect(blocker.active.size).toBe(1);
  });
});

describe('providers probed when the network may be back', () => {
  it('on resume at once, on the page’s online at most every few seconds', () => {
    const monitor = new FakePowerMonitor();
    const clock = new ManualClock(0);
    let probes = 0;
    const network = probeWhenNetworkMayBeBack(
      monitor,
      { probeUnreachableNow: () => (probes += 1) },
      clock.now,
      silentLogger,
    );
    monitor.emit('resume');
    expect(probes).toBe(1);
    network.pageOnline();
    network.pageOnline();
    expect(probes).toBe(1);
    clock.advance(5_000);
    network.pageOnline();
    expect(probes).toBe(2);
    monitor.emit('resume');
    expect(probes).toBe(3);
  });
});

describe('tray and taskbar', () => {
  it('the tray says what the app does, offers pause and resume, and its icon shows what needs the user', () => {
    const tray = new FakeTray();
    const status = statusSource({ ...IDLE_STATUS, watching: 2 });
    const done: string[] = [];
    runTray({
      tray,
      buildMenu: (items) => items,
      icons: { normal: 'ring', attention: 'ring+dot' },
      status,
      actions: {
        openWindow: () => done.push('open'),
        openQueue: () => done.push('queue'),
        pauseAll: () => done.push('pause'),
        resumeAll: () => done.push('resume'),
        quit: () => done.push('quit'),
      },
    });
    expect(tray.labels()).toEqual(['Watching 2 folders', 'Open Shootline', 'Pause all work', 'Quit Shootline']);
    expect(tray.image).toBe('ring');
    tray.choose('Pause all work');
    const paused = queueStats({ queued: 3, needs_review: 2 });
    paused.paused.global = true;
    status.set(withQueueStats(status.current, paused));
    expect(tray.labels()).toEqual([
      'Watching 2 folders',
      'All work paused',
      '0 jobs running, 3 queued',
      '2 jobs need you',
      'Open Shootline',
      'Show what needs you (2)',
      'Resume all work',
      'Quit Shootline',
    ]);
    expect(tray.image).toBe('ring+dot');
    expect(tray.tooltip.split('\n')[0]).toBe('Shootline');
    tray.choose('Resume all work');
    tray.choose('Show what needs you (2)');
    tray.clickListeners.forEach((listener) => listener());
    expect(done).toEqual(['pause', 'resume', 'queue', 'open']);
    const menus = tray.menus.length;
    status.set({ ...status.current });
    expect(tray.menus.length).toBe(menus);
  });

  it('the progress bar follows the work and is cleared at the end; the dock badge counts what needs the user', () => {
    const window = new FakeWindow();
    const badges: number[] = [];
    const status = statusSource();
    showProgressOutside({ progressBar: () => window.setProgressBar, badge: (n) => badges.push(n), status });
    status.set(withQueueStats(status.current, queueStats({ queued: 4 })));
    status.set(withQueueStats(status.current, queueStats({ queued: 2, remote: 1, done: 1 })));
    status.set(withQueueStats(status.current, queueStats({ needs_review: 1, done: 3 })));
    expect(window.progress).toEqual([-1, 0, 0.25, -1]);
    expect(badges).toEqual([0, 1]);
  });
});
