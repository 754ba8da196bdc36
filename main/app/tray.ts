import { attentionCount, statusLines, type DesktopStatus } from './desktop-status';

/** A tray menu item, as Electron's Menu.buildFromTemplate takes it (only what the tray uses). */
export interface TrayMenuItem {
  label?: string;
  type?: 'separator' | 'normal';
  enabled?: boolean;
  click?: () => void;
}

export interface TrayActions {
  openWindow: () => void;
  /** Opens the Queue, where jobs waiting on the user are. */
  openQueue: () => void;
  pauseAll: () => void;
  resumeAll: () => void;
  quit: () => void;
}

/** What the tray menu says and offers for a status: status lines first, then the actions. */
export function trayMenu(status: DesktopStatus, actions: TrayActions): TrayMenuItem[] {
  const attention = attentionCount(status);
  return [
    ...statusLines(status).map((label) => ({ label, enabled: false })),
    { type: 'separator' },
    { label: 'Open Shootline', click: actions.openWindow },
    ...(attention > 0 ? [{ label: `Show what needs you (${attention})`, click: actions.openQueue }] : []),
    status.paused
      ? { label: 'Resume all work', click: actions.resumeAll }
      : { label: 'Pause all work', click: actions.pauseAll },
    { type: 'separator' },
    { label: 'Quit Shootline', click: actions.quit },
  ];
}

/** Electron's Tray, reduced to what is used; `Image` and `Menu` are Electron's types in main.ts. */
export interface TrayLike<Image, Menu> {
  setToolTip(text: string): void;
  setContextMenu(menu: Menu): void;
  setImage(image: Image): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayDeps<Image, Menu> {
  tray: TrayLike<Image, Menu>;
  buildMenu: (items: TrayMenuItem[]) => Menu;
  icons: { normal: Image; attention: Image };
  status: { current: DesktopStatus; onChange(listener: (status: DesktopStatus) => void): () => void };
  actions: TrayActions;
}

/**
 * Keeps the tray in step with the status: its tooltip and menu say what the app is doing, and its
 * icon changes when something needs the user. Rebuilt only when what it shows changed.
 */
export function runTray<Image, Menu>(deps: TrayDeps<Image, Menu>): () => void {
  let shown = '';
  const render = (status: DesktopStatus): void => {
    const attention = attentionCount(status) > 0;
    const items = trayMenu(status, deps.actions);
    const signature = JSON.stringify([attention, items.map((item) => item.label ?? '-')]);
    if (signature === shown) return;
    shown = signature;
    deps.tray.setImage(attention ? deps.icons.attention : deps.icons.normal);
    deps.tray.setToolTip(['Shootline', ...statusLines(status)].join('\n'));
    deps.tray.setContextMenu(deps.buildMenu(items));
  };
  deps.tray.on('click', deps.actions.openWindow);
  render(deps.status.current);
  return deps.status.onChange(render);
}
