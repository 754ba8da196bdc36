import fs from 'node:fs';
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { eventNames, ipcChannel, methodNames } from '../../shared/api';
import {
  DesktopSettingsPatchSchema,
  DesktopViewSchema,
  type DesktopSettings,
  type DesktopSettingsPatch,
  type DesktopView,
  type UpdateCheck,
} from '../../shared/desktop';
import { fail, type Envelope } from '../../shared/errors';
import type { Engine } from '../engine/engine';
import type { Logger } from '../engine/log';
import { isTrustedSender, type SenderFacts } from './sender';

export interface IpcBinding {
  trustedWebContentsIds: Set<number>;
  /** The URL the main window loads; IPC from any other page is refused. */
  entryUrl: string;
}

/** One `ipcMain.handle` per method of the contract; each checks the sender before the engine sees the call. */
export function bindIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  engine: Pick<Engine, 'call'>,
  binding: IpcBinding,
  log: Logger,
): () => void {
  for (const method of methodNames) {
    ipcMain.handle(
      ipcChannel.method(method),
      (event: IpcMainInvokeEvent, args: unknown): Promise<Envelope<unknown>> => {
        if (!isTrustedSender(senderFacts(event), binding.trustedWebContentsIds, binding.entryUrl)) {
          log.warn('ipc.untrusted_sender', { method, senderId: event.sender.id });
          return Promise.resolve(fail('unauthorized', 'This window is not allowed to call Shootline.'));
        }
        return engine.call(method, args);
      },
    );
  }
  return () => {
    for (const method of methodNames) ipcMain.removeHandler(ipcChannel.method(method));
  };
}

/** What the desktop-only calls do; main.ts wires them to Electron, tests to recorders. */
export interface DesktopShellHandlers {
  pickFolder: () => Promise<string | null>;
  showItemInFolder: (file: string) => void;
  rememberView: (view: DesktopView) => void;
  network: (online: boolean) => void;
  settings: () => DesktopSettings;
  /** A checked change; it may still be refused (the user said no to sending crash reports somewhere). */
  updateSettings: (patch: DesktopSettingsPatch) => Promise<Envelope<DesktopSettings>>;
  checkForUpdates: () => Promise<UpdateCheck>;
}

/**
 * The desktop-only calls (folder picker, "Show in folder", where the page is, the network is back,
 * the desktop preferences), for the trusted window only, each argument checked: the page is as
 * untrusted as any other input. "Show in folder" takes only absolute paths of existing files, and
 * opens the file manager there: it never opens or runs the file.
 */
export function bindDesktopShell(
  ipcMain: Pick<IpcMain, 'handle'>,
  shell: DesktopShellHandlers,
  binding: IpcBinding,
  log: Logger,
): void {
  const trusted = (event: IpcMainInvokeEvent, method: string): boolean => {
    if (isTrustedSender(senderFacts(event), binding.trustedWebContentsIds, binding.entryUrl)) return true;
    log.warn('ipc.untrusted_sender', { method, senderId: event.sender.id });
    return false;
  };
  ipcMain.handle(ipcChannel.pickFolder, (event: IpcMainInvokeEvent): Promise<string | null> =>
    trusted(event, 'pickFolder') ? shell.pickFolder() : Promise.resolve(null),
  );
  ipcMain.handle(ipcChannel.showItemInFolder, (event: IpcMainInvokeEvent, file: unknown): void => {
    if (!trusted(event, 'showItemInFolder')) return;
    if (typeof file === 'string' && path.isAbsolute(file) && fs.existsSync(file)) shell.showItemInFolder(file);
  });
  ipcMain.handle(ipcChannel.rememberView, (event: IpcMainInvokeEvent, view: unknown): void => {
    const parsed = DesktopViewSchema.safeParse(view);
    if (trusted(event, 'rememberView') && parsed.success) shell.rememberView(parsed.data);
  });
  ipcMain.handle(ipcChannel.network, (event: IpcMainInvokeEvent, online: unknown): void => {
    if (trusted(event, 'network') && typeof online === 'boolean') shell.network(online);
  });
  ipcMain.handle(ipcChannel.desktopSettings, (event: IpcMainInvokeEvent): DesktopSettings | null =>
    trusted(event, 'desktopSettings') ? shell.settings() : null,
  );
  ipcMain.handle(
    ipcChannel.updateDesktopSettings,
    (event: IpcMainInvokeEvent, patch: unknown): Promise<Envelope<DesktopSettings>> => {
      if (!trusted(event, 'updateDesktopSettings')) {
        return Promise.resolve(fail('unauthorized', 'This window is not allowed to change Shootline’s settings.'));
      }
      const parsed = DesktopSettingsPatchSchema.safeParse(patch);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.join('.') || 'settings';
        return Promise.resolve(fail('invalid_input', issue ? `${where}: ${issue.message}` : 'Invalid settings.'));
      }
      return shell.updateSettings(parsed.data);
    },
  );
  ipcMain.handle(ipcChannel.checkForUpdates, (event: IpcMainInvokeEvent): Promise<UpdateCheck> =>
    trusted(event, 'checkForUpdates') ? shell.checkForUpdates() : Promise.resolve('off'),
  );
}

export function senderFacts(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderFacts {
  const frame = event.senderFrame;
  return {
    senderId: event.sender.id,
    frame: frame ? { url: frame.url, isTopFrame: frame.parent === null } : null,
  };
}

/** Sends every engine event to the window, on the event's own channel. */
export function forwardEvents(
  engine: Pick<Engine, 'events'>,
  contents: Pick<WebContents, 'send' | 'isDestroyed'>,
): () => void {
  const known = new Set<string>(eventNames);
  return engine.events.listen((event, payload) => {
    if (known.has(event) && !contents.isDestroyed()) contents.send(ipcChannel.event(event), payload);
  });
}
