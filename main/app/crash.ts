import type { Logger } from '../engine/log';
import type { DesktopPreferences } from './preferences';

/** Electron's crashReporter, reduced to what is used. */
export interface CrashReporterLike {
  start(options: {
    productName?: string;
    uploadToServer: boolean;
    submitURL?: string;
    compress?: boolean;
    ignoreSystemCrashHandler?: boolean;
  }): void;
}

/**
 * Native crashes (a renderer, the GPU process, a native module) leave minidumps in the app's
 * crashDumps folder; nothing is sent anywhere unless the user turned uploads on and gave an https
 * address (Settings are the user's; a default upload would send their machine's state to us).
 */
export function startCrashReports(reporter: CrashReporterLike, preferences: Pick<DesktopPreferences, 'get'>): void {
  const { upload, url } = preferences.get('crashReports');
  if (upload && url) {
    reporter.start({ productName: 'Shootline', uploadToServer: true, submitURL: url, compress: true });
  } else {
    reporter.start({ productName: 'Shootline', uploadToServer: false, compress: true });
  }
}

export type FatalChoice = 'relaunch' | 'quit' | 'copy';

export interface FatalErrorDeps {
  process: { on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown };
  log: Logger;
  /** Stops the engine so leases and the queue are left as a clean stop leaves them. */
  stopEngine: () => Promise<void>;
  /** Says what happened; answers the button pressed. */
  showError: (message: string, details: string) => Promise<FatalChoice>;
  copy: (text: string) => void;
  relaunch: () => void;
  exit: (code: number) => void;
  describe: () => string;
  /** A timer (real in the app, the test's clock in tests); returns the way to cancel it. */
  setTimer: (run: () => void, ms: number) => () => void;
}

/** How long the engine may take to stop before the process goes anyway. */
export const FATAL_STOP_TIMEOUT_MS = 10_000;

export function errorDetails(error: unknown, about: string): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return `${text}\n\n${about}`;
}

/**
 * An error nothing caught in the main process is a defect: it is logged, the engine is stopped (its
 * queue is durable: every job resumes at the next start), the user is told with the details to copy
 * into a report, and the app relaunches or quits. A process in an unknown state is never kept
 * alive to limp on. A second error while this runs ends the process at once.
 */
export function exitOnFatalErrors(deps: FatalErrorDeps): void {
  let handling = false;
  const onFatal = (error: unknown): void => {
    if (handling) {
      deps.log.error('app.fatal_error_again', { error });
      deps.exit(70);
      return;
    }
    handling = true;
    deps.log.error('app.fatal_error', { error });
    void handle(error);
  };
  const handle = async (error: unknown): Promise<void> => {
    const details = errorDetails(error, deps.describe());
    let cancel = (): void => undefined;
    const timeout = new Promise<void>((resolve) => (cancel = deps.setTimer(resolve, FATAL_STOP_TIMEOUT_MS)));
    await Promise.race([deps.stopEngine().catch(() => undefined), timeout]);
    cancel();
    const message =
      'Shootline hit an unexpected error and has to restart. Your photos and queue are safe: ' +
      'work resumes where it was after the restart.';
    for (;;) {
      const choice = await deps.showError(message, details).catch((): FatalChoice => 'quit');
      if (choice === 'copy') {
        deps.copy(details);
        continue;
      }
      if (choice === 'relaunch') deps.relaunch();
      deps.exit(choice === 'relaunch' ? 0 : 70);
      return;
    }
  };
  deps.process.on('uncaughtException', onFatal);
  deps.process.on('unhandledRejection', onFatal);
}
