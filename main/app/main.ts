import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { Engine } from '../engine/engine';
import { FileSecretStore } from '../engine/secrets/file-secret-store';
import { safeStorageCipher } from './safe-storage-cipher';
import { createLogger } from '../engine/log';
import { createLogFile } from '../engine/log-file';
import { bindDesktopShell, bindIpc, forwardEvents, type IpcBinding } from './ipc';
import { runDesktopLifecycle } from './lifecycle';
import { createMediaHandler, MEDIA_SCHEME } from './media-protocol';
import { lockNavigation } from './navigation';
import { createMainWindow, denyAllPermissions } from './window';

// Electron-only wiring of parts that are each tested in Node with fakes; this file itself runs only
// in Electron.
const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const rendererFile = path.join(here, '..', 'renderer', 'index.html');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const entryUrl = devServerUrl ?? pathToFileURL(rendererFile).href;

const logFile = createLogFile(path.join(app.getPath('userData'), 'logs'));
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

const dataDir = app.getPath('userData');
const engine = new Engine({
  dataDir,
  shell: 'electron',
  version: app.getVersion(),
  log,
  // Keys at rest under the OS keychain; the environment still overrides, as in the headless shell.
  secrets: new FileSecretStore(dataDir, log, process.env, safeStorageCipher(), false),
});
const binding: IpcBinding = { trustedWebContentsIds: new Set(), entryUrl };
let mainWindow: BrowserWindow | null = null;

runDesktopLifecycle({
  app,
  platform: process.platform,
  engine,
  logFile,
  showFatalError: (title, message) => dialog.showErrorBox(title, message),
  onReady: () => {
    denyAllPermissions(session.defaultSession);
    protocol.handle(MEDIA_SCHEME, createMediaHandler(engine));
    bindIpc(ipcMain, engine, binding, log);
    bindDesktopShell(
      ipcMain,
      {
        pickFolder: async () => {
          const options = {
            title: 'Choose a folder',
            properties: ['openDirectory' as const, 'createDirectory' as const],
          };
          const answer = mainWindow
            ? await dialog.showOpenDialog(mainWindow, options)
            : await dialog.showOpenDialog(options);
          return answer.canceled ? null : (answer.filePaths[0] ?? null);
        },
        showItemInFolder: (file) => shell.showItemInFolder(file),
      },
      binding,
      log,
    );
  },
  createWindow: () => {
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
  },
  focusWindow: () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  },
  windowCount: () => BrowserWindow.getAllWindows().length,
});
