import { describe, expect, it } from 'vitest';
import { runDesktopLifecycle, type AppLike, type DesktopLifecycle } from '../../main/app/lifecycle';
import { fakeApp } from '../support/fake-electron';

function deps(app: AppLike, calls: string[], overrides: Partial<DesktopLifecycle> = {}): DesktopLifecycle {
  let windows = 0;
  return {
    app,
    platform: 'linux',
    engine: {
      start: () => calls.push('engine.start'),
      stop: async () => {
        calls.push('engine.stop');
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    },
    logFile: { open: () => calls.push('log.open'), close: () => Promise.resolve(void calls.push('log.close')) },
    showFatalError: (title, message) => calls.push(`dialog ${title}: ${message}`),
    onReady: () => calls.push('ready'),
    createWindow: () => {
      windows += 1;
      calls.push('window');
    },
    focusWindow: () => calls.push('focus'),
    windowCount: () => windows,
    ...overrides,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('runDesktopLifecycle', () => {
  it('a second instance quits at once and starts nothing', async () => {
    const { app, calls, becomeReady } = fakeApp({ primary: false });
    expect(runDesktopLifecycle(deps(app, calls))).toBe('secondary');
    await becomeReady();
    expect(calls.filter((c) => c !== 'quit')).toEqual([]);
    expect(calls[0]).toBe('quit');
  });

  it('the first instance starts the engine, then opens its log, wires IPC, and shows a window; a second launch focuses it', async () => {
    const { app, calls, emit, becomeReady } = fakeApp();
    expect(runDesktopLifecycle(deps(app, calls))).toBe('primary');
    expect(calls).toEqual([]);
    await becomeReady();
    expect(calls).toEqual(['engine.start', 'log.open', 'ready', 'window']);
    emit('second-instance');
    expect(calls.at(-1)).toBe('focus');
  });

  it('shows why and exits when the library cannot be opened, with no window', async () => {
    const { app, calls, becomeReady } = fakeApp();
    runDesktopLifecycle(
      deps(app, calls, {
        engine: {
          start: () => {
            throw new Error('Another Shootline (process 42) is already using the data folder /x.');
          },
          stop: () => Promise.resolve(),
        },
      }),
    );
    await becomeReady();
    expect(calls).toEqual([
      'dialog Shootline cannot open its library: Another Shootline (process 42) is already using the data folder /x.',
      'exit 1',
    ]);
  });

  it('stops the engine exactly once before quitting, however often quit is asked for', async () => {
    const { app, calls, emit, becomeReady } = fakeApp();
    runDesktopLifecycle(deps(app, calls));
    await becomeReady();
    expect(emit('before-quit')).toBe(true); // held until the engine is stopped
    expect(emit('before-quit')).toBe(true); // a second Cmd+Q while stopping
    await settle();
    expect(calls.filter((c) => c === 'engine.stop')).toHaveLength(1);
    expect(calls.slice(-3)).toEqual(['engine.stop', 'log.close', 'quit']);
    // Once stopped, quitting goes through.
    expect(emit('before-quit')).toBe(false);
  });

  it('quits when the last window closes, except on macOS; reopens a window on activate', async () => {
    const linux = fakeApp();
    runDesktopLifecycle(deps(linux.app, linux.calls));
    await linux.becomeReady();
    linux.emit('window-all-closed');
    await settle();
    expect(linux.calls).toContain('engine.stop');

    const mac = fakeApp();
    let open = 1;
    runDesktopLifecycle(deps(mac.app, mac.calls, { platform: 'darwin', windowCount: () => open }));
    await mac.becomeReady();
    mac.emit('window-all-closed');
    expect(mac.calls).not.toContain('quit');
    // A window hidden to the tray still counts: the dock icon brings it back instead of making another.
    mac.emit('activate');
    expect(mac.calls.at(-1)).toBe('focus');
    open = 0;
    mac.emit('activate');
    expect(mac.calls.filter((c) => c === 'window')).toHaveLength(2);
  });
});
