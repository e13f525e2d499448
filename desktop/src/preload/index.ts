import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.ts';

// Sandboxed and context-isolated: the page gets `window.portYard` and nothing else of Electron.
contextBridge.exposeInMainWorld('portYard', createBridge(ipcRenderer));
