import { attentionCount, progressFraction, type DesktopStatus } from './desktop-status';

export interface TaskbarDeps {
  /** The window's `setProgressBar` (taskbar on Windows and Linux, dock icon on macOS); null without a window. */
  progressBar: () => ((value: number) => void) | null;
  /** macOS: the dock badge (`app.setBadgeCount`); null elsewhere. */
  badge: ((count: number) => void) | null;
  status: { current: DesktopStatus; onChange(listener: (status: DesktopStatus) => void): () => void };
}

/**
 * The taskbar/dock progress follows all work of the moment (ingest, jobs, exports) and is cleared
 * when it ends; on macOS the dock badge counts what needs the user. Set only when it changes (to
 * the percent), so a burst of events does not flood the OS.
 */
export function showProgressOutside(deps: TaskbarDeps): { refresh(): void; stop(): void } {
  let shownProgress: number | null = null;
  let shownBadge: number | null = null;
  const render = (status: DesktopStatus, force = false): void => {
    const fraction = progressFraction(status);
    const progress = fraction < 0 ? -1 : Math.round(fraction * 100) / 100;
    const setProgress = deps.progressBar();
    if (setProgress && (force || progress !== shownProgress)) {
      shownProgress = progress;
      setProgress(progress);
    }
    const badge = attentionCount(status);
    if (deps.badge && (force || badge !== shownBadge)) {
      shownBadge = badge;
      deps.badge(badge);
    }
  };
  render(deps.status.current, true);
  const stop = deps.status.onChange((status) => render(status));
  // A new window starts with no bar: it is told where things stand.
  return { refresh: () => render(deps.status.current, true), stop };
}
