import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

// Bundled into one CommonJS file: a sandboxed preload can require only 'electron'.
contextBridge.exposeInMainWorld('shootline', createBridge(ipcRenderer));
