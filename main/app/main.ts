import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { AppError } from '../../shared/errors';
import { Engine } from '../engine/engine';
import { createLogger } from '../engine/log';
import { openLogFile } from '../engine/log-file';
import { bindIpc, forwardEvents, type IpcBinding } from './ipc';
import { createMediaHandler, MEDIA_SCHEME } from './media-protocol';
import { lockNavigation } from './navigation';
import { createMainWindow, denyAllPermissions } from './window';

// Electron-only composition: everything it wires is tested in Node with fakes; this file is not.
const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const rendererFile = path.join(here, '..', 'renderer', 'index.html');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const entryUrl = devServerUrl ?? pathToFileURL(rendererFile).href;

const logFile = openLogFile(path.join(app.getPath('userData'), 'logs'));
const log = createLogger({
  level: app.isPackaged ? 'info' : 'debug',
  write: (line) => {
    if (!app.isPackaged) process.stderr.write(`${line}\n`);
    logFile.write(line);
  },
});

protocol.registerSchemesAsPrivileged([
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // Another Shootline owns the library; it gets focus through 'second-instance'.
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  const engine = new Engine({ dataDir: app.getPath('userData'), shell: 'electron', version: app.getVersion(), log });
  const binding: IpcBinding = { trustedWebContentsIds: new Set(), entryUrl };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  const createWindow = (): void => {
    const window = createMainWindow(BrowserWindow, preloadPath);
    mainWindow = window;
    const contentsId = window.webContents.id;
    binding.trustedWebContentsIds.add(contentsId);
    lockNavigation(window.webContents, entryUrl, (url) => void shell.openExternal(url));
    const stopForwarding = forwardEvents(engine, window.webContents);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      stopForwarding();
      binding.trustedWebContentsIds.delete(contentsId);
      mainWindow = null;
    });
    void (devServerUrl ? window.loadURL(devServerUrl) : window.loadFile(rendererFile));
  };

  void app.whenReady().then(() => {
    try {
      engine.start();
    } catch (error) {
      dialog.showErrorBox(
        'Shootline cannot open its library',
        error instanceof AppError ? error.message : String(error),
      );
      app.exit(1);
      return;
    }
    denyAllPermissions(session.defaultSession);
    protocol.handle(MEDIA_SCHEME, createMediaHandler(engine));
    bindIpc(ipcMain, engine, binding, log);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop the engine before the process exits, so the database is checkpointed and the lock freed.
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void engine
      .stop()
      .then(() => logFile.close())
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
}
