import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { DesktopShell } from '../shared/api';
import { ipcChannel } from '../shared/api';
import type { DesktopSettings, DesktopSettingsPatch, DesktopView, MenuCommand, UpdateCheck } from '../shared/desktop';
import type { Envelope } from '../shared/errors';
import { createBridge } from './bridge';

/** Listens to one main → page channel; the page gets the payload, never the IPC event or sender. */
function listen<T>(channel: string, listener: (payload: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as T);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const desktop: DesktopShell = {
  pickFolder: () => ipcRenderer.invoke(ipcChannel.pickFolder) as Promise<string | null>,
  showItemInFolder: (file: string) => ipcRenderer.invoke(ipcChannel.showItemInFolder, file) as Promise<void>,
  // Electron 32+ no longer puts `path` on dropped File objects; webUtils reads it in the preload.
  pathForFile: (file) => webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]),
  rememberView: (view: DesktopView) => void ipcRenderer.invoke(ipcChannel.rememberView, view),
  reportNetwork: (online: boolean) => void ipcRenderer.invoke(ipcChannel.network, online),
  onMenuCommand: (listener) => listen<MenuCommand>(ipcChannel.menuCommand, listener),
  onNavigate: (listener) => listen<DesktopView>(ipcChannel.navigate, listener),
  desktopSettings: () => ipcRenderer.invoke(ipcChannel.desktopSettings) as Promise<DesktopSettings>,
  updateDesktopSettings: (patch: DesktopSettingsPatch) =>
    ipcRenderer.invoke(ipcChannel.updateDesktopSettings, patch) as Promise<Envelope<DesktopSettings>>,
  checkForUpdates: () => ipcRenderer.invoke(ipcChannel.checkForUpdates) as Promise<UpdateCheck>,
};

// Bundled into one CommonJS file: a sandboxed preload can require only 'electron'.
contextBridge.exposeInMainWorld('shootline', { ...createBridge(ipcRenderer), desktop });
