import type { App } from 'electron';

/** The part of Electron's `app` the lifecycle uses; tests pass a fake. */
export type AppLike = Pick<App, 'requestSingleInstanceLock' | 'whenReady' | 'on' | 'quit' | 'exit'>;

export interface DesktopLifecycle {
  app: AppLike;
  platform: NodeJS.Platform;
  engine: { start: () => void; stop: () => Promise<void> };
  /** Opened once this instance owns the library; closed last. */
  logFile: { open: () => void; close: () => Promise<void> };
  showFatalError: (title: string, message: string) => void;
  /** Protocols, IPC, permissions: everything that needs a ready app and a running engine. */
  onReady: () => void;
  createWindow: () => void;
  focusWindow: () => void;
  windowCount: () => number;
}

/**
 * The desktop app's life, from start to quit, with Electron's objects passed in so every branch is
 * tested in Node: one instance per user (a second one hands focus to the first and quits), the
 * engine started before any window, a clear dialog and exit when the library cannot be opened, and
 * the engine stopped exactly once, before the process exits, however the quit was asked for.
 */
export function runDesktopLifecycle(deps: DesktopLifecycle): 'primary' | 'secondary' {
  const { app } = deps;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return 'secondary';
  }

  app.on('second-instance', () => deps.focusWindow());

  void app.whenReady().then(() => {
    try {
      deps.engine.start();
    } catch (error) {
      deps.showFatalError('Shootline cannot open its library', error instanceof Error ? error.message : String(error));
      app.exit(1);
      return;
    }
    deps.logFile.open();
    deps.onReady();
    deps.createWindow();
    // macOS: a click on the dock icon brings back the window, hidden to the tray or closed.
    app.on('activate', () => {
      if (deps.windowCount() === 0) deps.createWindow();
      else deps.focusWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (deps.platform !== 'darwin') app.quit();
  });

  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    void deps.engine
      .stop()
      .catch(() => undefined)
      .then(() => deps.logFile.close())
      .finally(() => {
        phase = 'stopped';
        app.quit();
      });
  });
  return 'primary';
}
