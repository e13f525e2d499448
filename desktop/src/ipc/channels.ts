/**
 * The IPC contract between the preload and the main process: one channel per capability
 * (Electron's security guide: no generic `send(channel, ...)` bridge). Pure constants and types:
 * the sandboxed preload bundles this file, the main process imports it.
 */
export const channels = {
  agentsList: 'agents:list',
  agentsAdd: 'agents:add',
  agentsRemove: 'agents:remove',
  agentsOidc: 'agents:oidc',
  agentsOidcCancel: 'agents:oidc-cancel',
  downloadsStart: 'downloads:start',
  downloadsCancel: 'downloads:cancel',
  /** Main → renderer: a DownloadProgress. */
  downloadsProgress: 'downloads:progress',
} as const;

/**
 * What every invoke resolves with. Errors travel as values: Electron would turn a thrown error
 * into "Error invoking remote method 'agents:add': PortYardError: ..." and drop its code.
 */
export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
