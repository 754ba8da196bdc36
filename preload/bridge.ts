import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  ipcChannel,
  isEventName,
  isMethodName,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type ShootlineBridge,
} from '../shared/api';
import { fail, type Envelope } from '../shared/errors';

/**
 * Builds `window.shootline` from the contract: `invoke` for the table's methods and `subscribe`
 * for its events. The renderer never sees ipcRenderer, a channel name or an IPC event object.
 */
export function createBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): ShootlineBridge {
  return {
    invoke: <M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>> => {
      if (!isMethodName(method)) return Promise.resolve(fail('unknown_method', `Unknown method: ${String(method)}.`));
      return ipc.invoke(ipcChannel.method(method), args) as Promise<Envelope<MethodResult<M>>>;
    },
    subscribe: (event, listener) => {
      if (!isEventName(event)) throw new TypeError(`Unknown event: ${String(event)}.`);
      const channel = ipcChannel.event(event);
      // Strip the IPC event so the page never gets a handle on the sender.
      const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as never);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    },
  };
}
