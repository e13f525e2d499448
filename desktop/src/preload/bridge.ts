import type { DesktopBridge, DownloadProgress } from '../renderer/shell.ts';
import { channels, type IpcResult } from '../ipc/channels.ts';

/** Electron's `ipcRenderer`, narrowed to what the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * `window.portYard`: one function per capability, each invoking its own channel with exactly
 * its arguments. The renderer never sees `ipcRenderer`, an IPC event or a channel name; errors
 * arrive as Errors with the main process's message (and code).
 */
export function createBridge(ipc: IpcRendererLike): DesktopBridge {
  const call = async <T>(channel: string, ...args: unknown[]): Promise<T> => {
    const result = (await ipc.invoke(channel, ...args)) as IpcResult<T>;
    if (result.ok) return result.value;
    throw Object.assign(new Error(result.error.message), { code: result.error.code });
  };

  const listeners = new Set<(progress: DownloadProgress) => void>();
  const relay = (_event: unknown, progress: unknown): void => {
    for (const listener of listeners) listener(progress as DownloadProgress);
  };

  return {
    agents: {
      list: () => call(channels.agentsList),
      add: ({ name, url, token }) =>
        call(channels.agentsAdd, token === undefined ? { name, url } : { name, url, token }),
      remove: (agentId) => call(channels.agentsRemove, agentId),
      signInWithOidc: (agentId) => call(channels.agentsOidc, agentId),
      cancelOidcSignIn: (agentId) => call(channels.agentsOidcCancel, agentId),
    },
    downloads: {
      start: ({ agentId, artifactId, decompress }) =>
        call(channels.downloadsStart, { agentId, artifactId, decompress }),
      cancel: (downloadId) => call(channels.downloadsCancel, downloadId),
      onProgress(listener) {
        if (listeners.size === 0) ipc.on(channels.downloadsProgress, relay);
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0) ipc.removeListener(channels.downloadsProgress, relay);
        };
      },
    },
  };
}
