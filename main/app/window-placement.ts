import type { DesktopPreferences, Preferences, WindowBounds } from './preferences';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A display as Electron's `screen` describes it (only what placement needs). */
export interface DisplayLike {
  id: number;
  workArea: Rect;
}

export interface ScreenLike {
  getAllDisplays(): DisplayLike[];
  getPrimaryDisplay(): DisplayLike;
}

export interface Placement {
  bounds: Rect;
  maximized: boolean;
}

const DEFAULT_SIZE = { width: 1440, height: 900 };
export const MIN_SIZE = { width: 960, height: 600 };
/** How much of the title bar must be on a display for the user to grab it and move the window. */
const GRAB_WIDTH = 120;
const GRAB_HEIGHT = 32;

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/** Is the window's title bar (where it is dragged from) on this display, enough to grab it? */
function grabbableOn(bounds: WindowBounds, display: DisplayLike): boolean {
  const titleBar = { x: bounds.x, y: bounds.y, width: bounds.width, height: GRAB_HEIGHT };
  const visible = overlap(titleBar, display.workArea);
  return visible !== null && visible.width >= Math.min(GRAB_WIDTH, bounds.width) && visible.height >= GRAB_HEIGHT / 2;
}

/** Centred on the display, no larger than its work area. */
function centredOn(display: DisplayLike, size: { width: number; height: number }): Rect {
  const area = display.workArea;
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return {
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + Math.round((area.height - height) / 2),
    width,
    height,
  };
}

/**
 * Where the window opens: where it was, if a display present now still shows its title bar;
 * otherwise (the monitor it was on is unplugged, the resolution dropped) centred on the primary
 * display, keeping its size where it fits. Maximised stays maximised, on whichever display it opens.
 */
export function placeWindow(saved: Preferences['window'], screen: ScreenLike): Placement {
  const bounds = saved.bounds;
  if (bounds && screen.getAllDisplays().some((display) => grabbableOn(bounds, display))) {
    return { bounds: { ...bounds }, maximized: saved.maximized };
  }
  return { bounds: centredOn(screen.getPrimaryDisplay(), bounds ?? DEFAULT_SIZE), maximized: saved.maximized };
}

/** The part of a BrowserWindow that placement follows. */
export interface PlacedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
}

/**
 * Saves where the window is: a moment after it stops moving (a drag fires hundreds of events), and
 * at once when it closes. The normal bounds are kept while maximised, so un-maximising after a
 * restart goes back to them.
 */
export function rememberPlacement(
  window: PlacedWindow,
  preferences: Pick<DesktopPreferences, 'set'>,
  schedule: (run: () => void, ms: number) => () => void,
): void {
  let cancel: (() => void) | null = null;
  const save = (): void => {
    cancel?.();
    cancel = null;
    if (window.isMinimized() || window.isFullScreen()) return;
    const normal = window.getNormalBounds();
    const bounds = {
      x: Math.round(normal.x),
      y: Math.round(normal.y),
      width: Math.max(MIN_SIZE.width, Math.round(normal.width)),
      height: Math.max(MIN_SIZE.height, Math.round(normal.height)),
    };
    preferences.set('window', { bounds, maximized: window.isMaximized() });
  };
  const later = (): void => {
    cancel?.();
    cancel = schedule(save, 500);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event, later);
  window.on('close', save);
}
