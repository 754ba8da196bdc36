import type { Logger } from '../engine/log';
import type { UpdateCheck } from '../../shared/desktop';
import type { DesktopPreferences } from './preferences';

/** electron-updater's AppUpdater, reduced to what is used; tests pass a recording fake. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  channel: string | null;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export interface Question {
  title: string;
  message: string;
  detail: string;
  yes: string;
  no: string;
}

export interface UpdateDeps {
  /** Read only in packaged builds (electron-updater looks for its app-update.yml when first used). */
  updater: () => UpdaterLike;
  /** Off in unpackaged builds (npm start): there is nothing to update there. */
  packaged: boolean;
  currentVersion: string;
  preferences: Pick<DesktopPreferences, 'get'>;
  /** Asks the user; true only for an explicit yes. */
  ask: (question: Question) => Promise<boolean>;
  setTimer: (run: () => void, ms: number) => () => void;
  /** Called right before the app quits to install: the window must close, not hide to the tray. */
  beforeInstall: () => void;
  log: Logger;
}

export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

export interface UpdateControl {
  /** Checks now (Help → Check for updates, Settings): an update found is offered again, even one declined. */
  checkNow(): Promise<UpdateCheck>;
  /** The preferences changed: channel and daily checks follow them. */
  reconfigure(): void;
  stop(): void;
}

/**
 * Updates offered, never forced: a check at start and once a day (when the preference allows),
 * a question before downloading and another before installing, and no install on quit unless the
 * user said yes. Channels: stable (`latest.yml`) or beta (`beta.yml`, prereleases allowed).
 */
export function runUpdates(deps: UpdateDeps): UpdateControl {
  const { log } = deps;
  if (!deps.packaged) {
    log.info('updates.off', { reason: 'unpackaged build' });
    return { checkNow: () => Promise.resolve('off'), reconfigure: () => undefined, stop: () => undefined };
  }
  const updater = deps.updater();
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  const followChannel = (): void => {
    const { channel } = deps.preferences.get('updates');
    updater.channel = channel === 'beta' ? 'beta' : 'latest';
    updater.allowPrerelease = channel === 'beta';
    // Setting a channel allows downgrades; going back to stable waits for stable to catch up instead.
    updater.allowDowngrade = false;
  };
  followChannel();

  const offered = new Set<string>();
  let asking = false;
  updater.on('update-available', (info) => {
    if (offered.has(info.version) || asking) return;
    offered.add(info.version);
    asking = true;
    void deps
      .ask({
        title: 'Update available',
        message: `Shootline ${info.version} is available (you have ${deps.currentVersion}).`,
        detail: 'Download it now? You will be asked again before it is installed.',
        yes: 'Download',
        no: 'Not now',
      })
      .then((yes) => (yes ? updater.downloadUpdate() : undefined))
      .catch((error: unknown) => log.warn('updates.download_failed', { error }))
      .finally(() => (asking = false));
  });
  updater.on('update-downloaded', (info) => {
    void deps
      .ask({
        title: 'Update ready',
        message: `Shootline ${info.version} is ready to install.`,
        detail: 'Restart now to install it? The queue stops safely and resumes after the restart.',
        yes: 'Restart and install',
        no: 'Later',
      })
      .then((yes) => {
        if (!yes) return;
        deps.beforeInstall();
        updater.quitAndInstall(false, true);
      })
      .catch((error: unknown) => log.warn('updates.install_failed', { error }));
  });
  updater.on('error', (error) => log.warn('updates.error', { message: error.message }));

  const check = async (): Promise<UpdateCheck> => {
    try {
      const result = (await updater.checkForUpdates()) as { isUpdateAvailable?: boolean } | null;
      return result?.isUpdateAvailable ? 'available' : 'none';
    } catch (error) {
      log.warn('updates.check_failed', { error });
      return 'failed';
    }
  };
  let cancel: (() => void) | null = null;
  const daily = (): void => {
    void check();
    cancel = deps.setTimer(daily, CHECK_EVERY_MS);
  };
  const followChecks = (): void => {
    const wanted = deps.preferences.get('updates').check;
    if (wanted && !cancel) daily();
    if (!wanted && cancel) {
      cancel();
      cancel = null;
    }
  };
  followChecks();
  return {
    checkNow: () => {
      offered.clear();
      return check();
    },
    reconfigure: () => {
      followChannel();
      followChecks();
    },
    stop: () => cancel?.(),
  };
}
