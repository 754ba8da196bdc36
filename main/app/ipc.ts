import fs from 'node:fs';
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { eventNames, ipcChannel, methodNames } from '../../shared/api';
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

/**
 * The desktop-only calls (native folder picker, "Show in folder"), for the trusted window only.
 * "Show in folder" takes only absolute paths of existing files, and opens the file manager there:
 * it never opens or runs the file.
 */
export function bindDesktopShell(
  ipcMain: Pick<IpcMain, 'handle'>,
  shell: { pickFolder: () => Promise<string | null>; showItemInFolder: (file: string) => void },
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
