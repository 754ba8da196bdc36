import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent, IpcRendererEvent } from 'electron';
import type { ShootlineBridge } from '../../shared/api';
import { bindIpc, forwardEvents } from '../../main/app/ipc';
import type { Engine } from '../../main/engine/engine';
import type { Logger } from '../../main/engine/log';
import { createBridge } from '../../preload/bridge';

export const ENTRY_URL = pathToFileURL('/opt/Shootline/resources/app.asar/out/renderer/index.html').href;
export const WINDOW_ID = 7;

type Handler = (event: IpcMainInvokeEvent, args: unknown) => unknown;
type RendererListener = (event: IpcRendererEvent, payload: unknown) => void;

export interface SenderIdentity {
  id: number;
  url: string;
  isTopFrame: boolean;
}

/**
 * Electron's two IPC ends, joined in memory: our real `bindIpc`, `forwardEvents` and preload
 * `createBridge` on either side. Values cross through structuredClone, as Electron serialises them.
 * Only Electron itself is stood in for; every line of ours runs.
 */
export function connectIpcPair(
  engine: Pick<Engine, 'call' | 'events'>,
  log: Logger,
  sender: SenderIdentity = {
    id: WINDOW_ID,
    url: ENTRY_URL,
    isTopFrame: true,
  },
): { bridge: ShootlineBridge; listenerCount: () => number; dispose: () => void; channels: () => string[] } {
  const handlers = new Map<string, Handler>();
  const rendererListeners = new Map<string, Set<RendererListener>>();

  const ipcMain = {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => {
      handlers.delete(channel);
    },
  };
  const fakeEvent = {
    sender: { id: sender.id },
    senderFrame: { url: sender.url, parent: sender.isTopFrame ? null : {} },
  } as unknown as IpcMainInvokeEvent;

  const ipcRenderer = {
    invoke: async (channel: string, args: unknown) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      return structuredClone(await handler(fakeEvent, structuredClone(args)));
    },
    on: (channel: string, listener: RendererListener) => {
      const set = rendererListeners.get(channel) ?? new Set();
      rendererListeners.set(channel, set);
      set.add(listener);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: RendererListener) => {
      rendererListeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const webContents = {
    isDestroyed: () => false,
    send: (channel: string, payload: unknown) => {
      for (const listener of rendererListeners.get(channel) ?? []) {
        listener({} as IpcRendererEvent, structuredClone(payload));
      }
    },
  };

  const unbind = bindIpc(ipcMain, engine, { trustedWebContentsIds: new Set([WINDOW_ID]), entryUrl: ENTRY_URL }, log);
  const stopForwarding = forwardEvents(engine, webContents);
  return {
    bridge: createBridge(ipcRenderer as never),
    listenerCount: () => [...rendererListeners.values()].reduce((sum, set) => sum + set.size, 0),
    channels: () => [...handlers.keys()],
    dispose: () => {
      stopForwarding();
      unbind();
    },
  };
}
