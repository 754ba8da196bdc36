import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  crashReporter,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import ElectronStore from 'electron-store';
import electronUpdater from 'electron-updater';
import { ipcChannel } from '../../shared/api';
import type { DesktopSettingsPatch, DesktopView } from '../../shared/desktop';
import { fail, type Envelope } from '../../shared/errors';
import { allowedExternalLink, APP_HOME_URL } from '../../shared/external-links';
import { Engine } from '../engine/engine';
import { createLogger } from '../engine/log';
import { createLogFile } from '../engine/log-file';
import { FileSecretStore } from '../engine/secrets/file-secret-store';
import { APP_ENTRY_URL, APP_SCHEME, createAppHandler, PRIVILEGED_SCHEMES } from './app-protocol';
import { CloseToTray } from './close-to-tray';
import { startCompanion, type Companion } from './companion';
import { exitOnFatalErrors, startCrashReports } from './crash';
import { bindDesktopShell, bindIpc, forwardEvents, type IpcBinding } from './ipc';
import { runDesktopLifecycle } from './lifecycle';
import { applyStartAtLogin, HIDDEN_ARG, launcherPath } from './login-item';
import { createMediaHandler, MEDIA_SCHEME } from './media-protocol';
import { applicationMenu } from './menu';
import { lockNavigation } from './navigation';
import { DesktopPreferences, preferencesStoreOptions } from './preferences';
import { safeStorageCipher } from './safe-storage-cipher';
import { trayIconBitmap } from './tray-icon';
import { runUpdates } from './updates';
import { createMainWindow, denyAllPermissions } from './window';
import { placeWindow, rememberPlacement } from './window-placement';

// Electron-only wiring of parts that are each tested in Node with fakes; this file itself runs only
// in Electron, and has never been launched on the team's machines (see the README).
const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const rendererDir = path.join(here, '..', 'renderer');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const entryUrl = devServerUrl ?? APP_ENTRY_URL;

const logFile = createLogFile(path.join(app.getPath('userData'), 'logs'));
const log = createLogger({
  level: app.isPackaged ? 'info' : 'debug',
  write: (line) => {
    if (!app.isPackaged) process.stderr.write(`${line}\n`);
    logFile.write(line);
  },
});

// Before anything else can fail: the desktop's own preferences, and crash dumps kept locally.
const preferences = new DesktopPreferences(new ElectronStore(preferencesStoreOptions()));
startCrashReports(crashReporter, preferences);
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((entry) => ({ ...entry })));

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
const setTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};
let mainWindow: BrowserWindow | null = null;
/** Where the next page load should go (a notification clicked before the window existed). */
let pendingView: DesktopView | null = preferences.get('lastView');
let companion: Companion | null = null;
let tray: Tray | null = null;
let windowsMade = 0;
const closeToTray = new CloseToTray({
  preferences,
  trayShown: () => companion?.trayShown() ?? false,
  explain: () =>
    new Notification({
      title: 'Shootline is still running',
      body: 'Hot folders are watched and the queue goes on. Quit from the tray icon or the menu.',
    }).show(),
});

/** A dialog on the window when it can be seen; a sheet on a hidden window is a dialog nobody sees. */
const dialogParent = (): BrowserWindow | null => (mainWindow?.isVisible() ? mainWindow : null);

/** Opens a link in the browser if it is on the allowlist, as the parser read it; a failure is logged. */
function openLink(url: string): void {
  const link = allowedExternalLink(url);
  if (link) shell.openExternal(link).catch((error: unknown) => log.warn('desktop.open_link_failed', { error }));
}

exitOnFatalErrors({
  process,
  log,
  stopEngine: () => engine.stop(),
  showError: async (message, details) => {
    const buttons = ['Relaunch', 'Quit', 'Copy Details'] as const;
    const answer = await dialog.showMessageBox({
      type: 'error',
      title: 'Shootline',
      message,
      detail: details,
      buttons: [...buttons],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    return (['relaunch', 'quit', 'copy'] as const)[answer.response] ?? 'quit';
  },
  copy: (text) => void clipboard.writeText(text),
  relaunch: () => app.relaunch(),
  exit: (code) => app.exit(code),
  setTimer,
  describe: () =>
    `Shootline ${app.getVersion()} · Electron ${process.versions.electron} · ${process.platform} ${os.release()}`,
});

const updates = runUpdates({
  updater: () => electronUpdater.autoUpdater,
  packaged: app.isPackaged,
  currentVersion: app.getVersion(),
  preferences,
  ask: async (question) => {
    const options = {
      type: 'info' as const,
      title: question.title,
      message: question.message,
      detail: question.detail,
      buttons: [question.yes, question.no],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    };
    const parent = dialogParent();
    const answer = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
    return answer.response === 0;
  },
  setTimer,
  beforeInstall: () => closeToTray.quit(),
  log,
});

function applyLoginPreference(): void {
  try {
    applyStartAtLogin(preferences.get('startAtLogin'), {
      platform: process.platform,
      setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
      executable: launcherPath(process.execPath, process.env),
      env: process.env,
      homeDir: os.homedir(),
    });
  } catch (error) {
    log.warn('desktop.start_at_login_failed', { error });
  }
}

/**
 * Shows the window (making one if it was closed) and, when given, goes to a view in it. A window
 * still loading gets the view when its page is there to hear it.
 */
function openView(view: DesktopView | null): void {
  if (view) pendingView = view;
  if (!mainWindow) createWindow();
  const window = mainWindow;
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  if (view && !window.webContents.isLoading()) {
    pendingView = null;
    window.webContents.send(ipcChannel.navigate, view);
  }
}

function trayIcon(attention: boolean): Electron.NativeImage {
  const template = process.platform === 'darwin' && !attention;
  const bitmap = trayIconBitmap({ size: 32, attention, template });
  const image = nativeImage.createFromBitmap(bitmap, { width: 32, height: 32, scaleFactor: 2 });
  image.setTemplateImage(template);
  return image;
}

/**
 * Started at login: the first window stays hidden, straight to the tray, if there is one to come
 * back from (Windows and Linux pass the argument; macOS says it opened the app at login).
 */
function startsHidden(): boolean {
  const atLogin =
    process.argv.includes(HIDDEN_ARG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  return windowsMade === 0 && atLogin && tray !== null;
}

function createWindow(): void {
  const hidden = startsHidden();
  windowsMade += 1;
  const placement = placeWindow(preferences.get('window'), screen);
  const window = createMainWindow(BrowserWindow, preloadPath, placement.bounds);
  mainWindow = window;
  const contentsId = window.webContents.id;
  binding.trustedWebContentsIds.add(contentsId);
  lockNavigation(window.webContents, entryUrl, openLink);
  rememberPlacement(window, preferences, setTimer);
  closeToTray.attach(window);
  // Windows: the session is ending (logout, shutdown); the window must close, not hide.
  window.on('session-end', () => closeToTray.quit());
  const stopForwarding = forwardEvents(engine, window.webContents);
  window.webContents.on('did-finish-load', () => {
    if (!pendingView) return;
    window.webContents.send(ipcChannel.navigate, pendingView);
    pendingView = null;
  });
  window.once('ready-to-show', () => {
    if (placement.maximized) window.maximize();
    if (!hidden) window.show();
    companion?.windowOpened();
  });
  window.on('closed', () => {
    stopForwarding();
    binding.trustedWebContentsIds.delete(contentsId);
    mainWindow = null;
  });
  window.loadURL(entryUrl).catch((error: unknown) => log.error('desktop.page_load_failed', { error }));
}

/**
 * Sending crash reports somewhere is asked of the user in a native dialog naming the host: the page
 * alone must not be able to send this machine's memory (keys in it) to an address of its choosing.
 */
async function updateSettings(patch: DesktopSettingsPatch): Promise<Envelope<ReturnType<typeof preferences.settings>>> {
  const current = preferences.settings().crashReports;
  const asked = patch.crashReports;
  if (asked?.upload && asked.url && (!current.upload || current.url !== asked.url)) {
    const host = new URL(asked.url).host;
    const options = {
      type: 'warning' as const,
      title: 'Send crash reports',
      message: `Send Shootline's crash reports to ${host}?`,
      detail:
        'A crash report holds what was in Shootline’s memory when it crashed, which can include your API keys. ' +
        'Send them only to a server you trust.',
      buttons: [`Send to ${host}`, 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    };
    const parent = dialogParent();
    const answer = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
    if (answer.response !== 0) return fail('canceled', 'Crash reports stay on this computer.');
  }
  const settings = preferences.updateSettings(patch);
  if (patch.startAtLogin !== undefined) applyLoginPreference();
  if (patch.updates) updates.reconfigure();
  return { ok: true, result: settings };
}

function onReady(): void {
  denyAllPermissions(session.defaultSession);
  protocol.handle(MEDIA_SCHEME, createMediaHandler(engine));
  protocol.handle(APP_SCHEME, createAppHandler(rendererDir));
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
      rememberView: (view) => preferences.set('lastView', view),
      network: (online) => companion?.pageOnline(online),
      settings: () => preferences.settings(),
      updateSettings,
      checkForUpdates: () => updates.checkNow(),
    },
    binding,
    log,
  );
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenu({
        platform: process.platform,
        packaged: app.isPackaged,
        actions: {
          runCommand: (command) => {
            openView(null);
            mainWindow?.webContents.send(ipcChannel.menuCommand, command);
          },
          showLibraryFolder: () => void shell.openPath(dataDir),
          openHome: () => openLink(APP_HOME_URL),
          checkForUpdates: () => void updates.checkNow(),
        },
      }),
    ),
  );
  try {
    tray = new Tray(trayIcon(false));
  } catch (error) {
    log.warn('desktop.tray_unavailable', { error });
  }
  companion = startCompanion({
    engine,
    log,
    preferences,
    platform: process.platform,
    now: Date.now,
    setTimer,
    tray: tray ? { tray, icons: { normal: trayIcon(false), attention: trayIcon(true) } } : null,
    buildMenu: (items) => Menu.buildFromTemplate(items),
    Notification,
    powerSaveBlocker,
    powerMonitor,
    progressBar: () => (mainWindow ? (value) => mainWindow?.setProgressBar(value) : null),
    setBadgeCount: (count) => app.setBadgeCount(count),
    openView,
    quit: () => app.quit(),
  });
  applyLoginPreference();
  // Linux and macOS: the machine is shutting down; the window must close, not hide.
  powerMonitor.on('shutdown', () => closeToTray.quit());
}

runDesktopLifecycle({
  app,
  platform: process.platform,
  engine,
  logFile,
  showFatalError: (title, message) => dialog.showErrorBox(title, message),
  onReady,
  // Started at login: straight to the tray, if there is one to come back from.
  createWindow,
  focusWindow: () => openView(null),
  windowCount: () => BrowserWindow.getAllWindows().length,
});
app.on('before-quit', () => {
  closeToTray.quit();
  companion?.stop();
  updates.stop();
});
