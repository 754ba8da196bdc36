import type { DesktopView } from '../../shared/desktop';
import type { Logger } from '../engine/log';
import { ask, type DesktopEngine } from './desktop-engine';
import { nativeNotices, Notifier, type NotificationConstructor } from './notifications';
import {
  keepAwakeWhileBusy,
  probeWhenNetworkMayBeBack,
  type PowerMonitorLike,
  type PowerSaveBlockerLike,
} from './power';
import type { DesktopPreferences } from './preferences';
import { StatusTracker } from './status-tracker';
import { showProgressOutside } from './taskbar';
import { runTray, type TrayLike, type TrayMenuItem } from './tray';

export interface CompanionDeps<Image, Menu> {
  engine: DesktopEngine & { probeUnreachableNow(): void };
  log: Logger;
  preferences: Pick<DesktopPreferences, 'get'>;
  platform: NodeJS.Platform;
  now: () => number;
  setTimer: (run: () => void, ms: number) => () => void;
  /** Made once the app is ready; null where the desktop has no tray. */
  tray: { tray: TrayLike<Image, Menu>; icons: { normal: Image; attention: Image } } | null;
  buildMenu: (items: TrayMenuItem[]) => Menu;
  Notification: NotificationConstructor;
  powerSaveBlocker: PowerSaveBlockerLike;
  powerMonitor: PowerMonitorLike;
  /** The main window's progress bar, when there is a window. */
  progressBar: () => ((value: number) => void) | null;
  /** macOS dock badge. */
  setBadgeCount: (count: number) => void;
  /** Shows the window (making it if needed) at this view. */
  openView: (view: DesktopView | null) => void;
  quit: () => void;
}

export interface Companion {
  /** The page says the network is back, or that it went. */
  pageOnline(online: boolean): void;
  /** A new window: it is told where the progress stands. */
  windowOpened(): void;
  trayShown(): boolean;
  stop(): void;
}

/**
 * Everything the app does outside its window, over one status picture: the tray, native
 * notifications, the taskbar/dock progress and badge, keeping the machine awake while work runs,
 * and probing providers when the network may be back. Electron's objects come in as parameters,
 * so the whole of it runs in tests with fakes.
 */
export function startCompanion<Image, Menu>(deps: CompanionDeps<Image, Menu>): Companion {
  const { engine, log } = deps;
  const status = new StatusTracker(engine, log, deps.now, deps.setTimer);
  const stops: (() => void)[] = [status.start()];
  if (deps.tray) {
    stops.push(
      runTray({
        tray: deps.tray.tray,
        buildMenu: deps.buildMenu,
        icons: deps.tray.icons,
        status,
        actions: {
          openWindow: () => deps.openView(null),
          openQueue: () => deps.openView({ section: 'queue', shootId: null }),
          pauseAll: () => void ask(engine, log, 'queue.pause', { scope: 'global' }),
          resumeAll: () => void ask(engine, log, 'queue.resume', { scope: 'global' }),
          quit: deps.quit,
        },
      }),
    );
  }
  const notifier = new Notifier({
    engine,
    log,
    preferences: deps.preferences,
    show: nativeNotices(deps.Notification, (view) => deps.openView(view)),
    setTimer: deps.setTimer,
  });
  stops.push(notifier.start());
  const taskbar = showProgressOutside({
    progressBar: deps.progressBar,
    badge: deps.platform === 'darwin' ? deps.setBadgeCount : null,
    status,
  });
  stops.push(() => taskbar.stop());
  stops.push(keepAwakeWhileBusy(deps.powerSaveBlocker, status, log));
  const network = probeWhenNetworkMayBeBack(deps.powerMonitor, engine, deps.now, log);
  return {
    pageOnline: (online) => {
      status.setPageOnline(online);
      if (online) network.pageOnline();
    },
    windowOpened: () => taskbar.refresh(),
    trayShown: () => deps.tray !== null,
    stop: () => stops.forEach((stop) => stop()),
  };
}
