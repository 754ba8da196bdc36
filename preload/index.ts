import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { ipcChannel } from '../shared/api';
import { createBridge } from './bridge';

// Bundled into one CommonJS file: a sandboxed preload can require only 'electron'.
contextBridge.exposeInMainWorld('shootline', {
  ...createBridge(ipcRenderer),
  desktop: {
    pickFolder: () => ipcRenderer.invoke(ipcChannel.pickFolder) as Promise<string | null>,
    showItemInFolder: (file: string) => ipcRenderer.invoke(ipcChannel.showItemInFolder, file) as Promise<void>,
    // Electron 32+ no longer puts `path` on dropped File objects; webUtils reads it in the preload.
    pathForFile: (file: Parameters<typeof webUtils.getPathForFile>[0]) => webUtils.getPathForFile(file),
  },
});
