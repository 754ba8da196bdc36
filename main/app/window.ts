import type { BrowserWindowConstructorOptions, Session } from 'electron';

/** Anything constructible like Electron's BrowserWindow; tests pass a recorder. */
export type WindowConstructor<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * Creates the main window. The security settings are literals at the `new BrowserWindow` call, not
 * computed or spread in, so a reader (and electronegativity) sees at a glance that the window is
 * isolated and sandboxed.
 */
export function createMainWindow<W>(
  BrowserWindow: WindowConstructor<W>,
  preloadPath: string,
  bounds: { x: number; y: number; width: number; height: number } = { x: 0, y: 0, width: 1440, height: 900 },
): W {
  return new BrowserWindow({
    x: bounds.x,
    y: bounds.y,
    width: bounds.width,
    height: bounds.height,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Shootline',
    backgroundColor: '#1c1c1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
}

/**
 * The app asks for no browser permission (camera, notifications, geolocation…): desktop
 * notifications come from the main process. Every request and check from a page is refused.
 */
export function denyAllPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
