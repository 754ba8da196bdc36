import type { DesktopPreferences } from './preferences';

export interface ClosableWindow {
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  hide(): void;
}

export interface CloseToTrayDeps {
  preferences: Pick<DesktopPreferences, 'get' | 'set'>;
  /** Is there a tray icon to come back from? Without one, closing the window quits as usual. */
  trayShown: () => boolean;
  /** Says, once, where the app went (a notification). */
  explain: () => void;
}

/**
 * Closing the window hides it while the preference says so: hot folders stay watched and the queue
 * goes on; the tray icon brings the window back, and Quit (tray, menu, ⌘Q) ends the app. The first
 * time, the user is told where the app went; never again after that.
 *
 * A real quit must close the window, and not every quit starts with `before-quit`: an update's
 * restart closes windows first, and a logout or shutdown may end the session without it. Each of
 * those calls `quit()` before the windows are asked to close.
 */
export class CloseToTray {
  private quitting = false;

  constructor(private readonly deps: CloseToTrayDeps) {}

  quit(): void {
    this.quitting = true;
  }

  attach(window: ClosableWindow): void {
    window.on('close', (event) => {
      if (this.quitting || !this.deps.trayShown() || !this.deps.preferences.get('closeToTray')) return;
      event.preventDefault();
      window.hide();
      if (!this.deps.preferences.get('closeToTrayExplained')) {
        this.deps.preferences.set('closeToTrayExplained', true);
        this.deps.explain();
      }
    });
  }
}
