import type { EventName, EventPayload, MethodName, MethodResult } from '../../shared/api';
import type { Envelope } from '../../shared/errors';
import type { AppLike } from '../../main/app/lifecycle';
import type { DesktopEngine } from '../../main/app/desktop-engine';
import type { NotificationLike } from '../../main/app/notifications';
import type { UpdaterLike } from '../../main/app/updates';
import { EventHub } from '../../main/engine/events';

/**
 * Stand-ins for Electron's main-process objects (its binary cannot be downloaded here), each
 * recording what the shell asked of it, plus an engine with real events and scripted answers.
 */

type AppListener = (event: { preventDefault: () => void }) => void;

/** Electron's `app`, reduced to what the lifecycle touches, recording what it is asked to do. */
export function fakeApp(options: { primary?: boolean } = {}) {
  const listeners = new Map<string, AppListener[]>();
  const calls: string[] = [];
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const app = {
    requestSingleInstanceLock: () => options.primary ?? true,
    whenReady: () => readyPromise,
    on: (name: string, listener: AppListener) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return app;
    },
    quit: () => {
      calls.push('quit');
      emit('before-quit');
    },
    exit: (code: number) => calls.push(`exit ${code}`),
  };
  /** Fires an app event; returns whether a listener prevented its default. */
  const emit = (name: string): boolean => {
    let prevented = false;
    for (const listener of listeners.get(name) ?? []) listener({ preventDefault: () => (prevented = true) });
    return prevented;
  };
  const becomeReady = async (): Promise<void> => {
    ready();
    await readyPromise;
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    app: app as unknown as AppLike & { on: (name: string, listener: AppListener) => unknown },
    calls,
    emit,
    becomeReady,
  };
}

/** A BrowserWindow: events, visibility and bounds. */
export class FakeWindow {
  visible = true;
  maximized = false;
  minimized = false;
  destroyed = false;
  bounds = { x: 100, y: 100, width: 1440, height: 900 };
  progress: number[] = [];
  private readonly listeners = new Map<string, ((event: { preventDefault(): void }) => void)[]>();

  on(event: string, listener: (event: { preventDefault(): void }) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  /** Fires a window event; returns whether a listener prevented its default. */
  emit(event: string): boolean {
    let prevented = false;
    for (const listener of this.listeners.get(event) ?? []) listener({ preventDefault: () => (prevented = true) });
    return prevented;
  }

  /** What Electron does on a close the listeners did not prevent. */
  close(): boolean {
    if (this.emit('close')) return false;
    this.destroyed = true;
    this.visible = false;
    return true;
  }

  hide = (): void => {
    this.visible = false;
  };
  getNormalBounds = () => ({ ...this.bounds });
  isMaximized = (): boolean => this.maximized;
  isMinimized = (): boolean => this.minimized;
  isFullScreen = (): boolean => false;
  setProgressBar = (value: number): void => {
    this.progress.push(value);
  };
}

export class FakeTray {
  tooltip = '';
  image: unknown = null;
  menus: { label?: string; type?: string; enabled?: boolean; click?: () => void }[][] = [];
  clickListeners: (() => void)[] = [];
  setToolTip = (text: string): void => {
    this.tooltip = text;
  };
  setImage = (image: unknown): void => {
    this.image = image;
  };
  setContextMenu = (menu: { label?: string; type?: string; click?: () => void }[]): void => {
    this.menus.push(menu);
  };
  on = (_event: 'click', listener: () => void): this => {
    this.clickListeners.push(listener);
    return this;
  };
  get menu() {
    return this.menus.at(-1) ?? [];
  }
  labels(): string[] {
    return this.menu.flatMap((item) => (item.label ? [item.label] : []));
  }
  choose(label: string): void {
    const item = this.menu.find((candidate) => candidate.label === label);
    if (!item?.click) throw new Error(`no tray item "${label}" in ${JSON.stringify(this.labels())}`);
    item.click();
  }
}

/** Electron's Notification: every one made is kept, with its click. */
export class FakeNotification implements NotificationLike {
  static made: FakeNotification[] = [];
  static supported = true;
  static isSupported = (): boolean => FakeNotification.supported;
  shown = false;
  private readonly listeners = new Map<string, (() => void)[]>();
  constructor(readonly options: { title: string; body: string }) {
    FakeNotification.made.push(this);
  }
  on(event: 'click' | 'close', listener: () => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  click(): void {
    for (const listener of this.listeners.get('click') ?? []) listener();
  }
}

export class FakePowerSaveBlocker {
  private next = 1;
  readonly active = new Set<number>();
  readonly log: string[] = [];
  start = (type: string): number => {
    const id = this.next++;
    this.active.add(id);
    this.log.push(`start ${type}`);
    return id;
  };
  stop = (id: number): void => {
    this.active.delete(id);
    this.log.push(`stop ${id}`);
  };
}

export class FakePowerMonitor {
  private readonly listeners = new Map<string, (() => void)[]>();
  on = (event: string, listener: () => void): this => {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  };
  emit(event: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

/** electron-updater's autoUpdater: settings as set, and every call recorded. */
export class FakeUpdater implements UpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowPrerelease = false;
  allowDowngrade = false;
  channel: string | null = null;
  readonly calls: string[] = [];
  available: string | null = null;
  private readonly listeners = new Map<string, ((arg: never) => void)[]>();
  on(event: string, listener: (arg: never) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: 'update-available' | 'update-downloaded', info: { version: string }): void;
  emit(event: 'error', error: Error): void;
  emit(event: string, arg: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(arg as never);
  }
  checkForUpdates = (): Promise<unknown> => {
    this.calls.push('check');
    const version = this.available;
    if (version) this.emit('update-available', { version });
    return Promise.resolve({ isUpdateAvailable: version !== null });
  };
  downloadUpdate = (): Promise<unknown> => {
    this.calls.push('download');
    return Promise.resolve([]);
  };
  quitAndInstall = (): void => {
    this.calls.push('install');
  };
}

/** The engine as the shell sees it: real events, and answers the test scripts per method. */
export class FakeEngine implements DesktopEngine {
  readonly events = new EventHub();
  readonly calls: string[] = [];
  running = true;
  private readonly answers = new Map<string, () => unknown>();

  answer<M extends MethodName>(method: M, result: () => MethodResult<M>): this {
    this.answers.set(method, result);
    return this;
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.events.emit(event, payload);
  }

  call(method: unknown, _args: unknown): Promise<Envelope<unknown>> {
    this.calls.push(String(method));
    const answer = this.answers.get(String(method));
    return Promise.resolve(
      answer
        ? { ok: true, result: answer() }
        : { ok: false, error: { code: 'unknown_method', message: `not scripted: ${String(method)}` } },
    );
  }
}
