import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { createMainWindow, denyAllPermissions } from '../../main/app/window';

class RecordingWindow {
  static last: BrowserWindowConstructorOptions | undefined;
  constructor(options: BrowserWindowConstructorOptions) {
    RecordingWindow.last = options;
  }
}

describe('createMainWindow', () => {
  it('isolates and sandboxes the renderer and loads our preload', () => {
    createMainWindow(RecordingWindow, '/app/out/preload/index.cjs');
    const prefs = RecordingWindow.last?.webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(RecordingWindow.last?.show).toBe(false);
  });
});

describe('denyAllPermissions', () => {
  it('refuses every permission request and check', () => {
    let requestHandler: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
    let checkHandler: (() => boolean) | undefined;
    denyAllPermissions({
      setPermissionRequestHandler: (handler) => {
        requestHandler = handler as typeof requestHandler;
      },
      setPermissionCheckHandler: (handler) => {
        checkHandler = handler as typeof checkHandler;
      },
    });
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'openExternal']) {
      requestHandler?.({}, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false]);
    expect(checkHandler?.()).toBe(false);
  });
});
