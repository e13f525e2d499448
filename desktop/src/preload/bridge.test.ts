import { describe, expect, it } from 'vitest';
import type { DownloadProgress } from '../renderer/shell.ts';
import { createBridge, type IpcRendererLike } from './bridge.ts';

function fakeIpc(answer: (channel: string, args: unknown[]) => unknown) {
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args]);
      return answer(channel, args);
    },
    on: (channel, listener) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
    },
    removeListener: (channel, listener) => {
      listeners.get(channel)?.delete(listener);
    },
  };
  const emit = (channel: string, payload: unknown): void => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'the IPC event' }, payload);
  };
  return { ipc, invoked, listeners, emit };
}

describe('the preload bridge', () => {
  it('invokes one channel per capability with exactly the documented arguments', async () => {
    const { ipc, invoked } = fakeIpc(() => ({ ok: true, value: 'v' }));
    const bridge = createBridge(ipc);
    await bridge.agents.list();
    // Extra properties a page might pass never reach the main process.
    await bridge.agents.add({ name: 'n', url: 'u', token: 't', extra: 1 } as never);
    // An OIDC agent: no token key at all.
    await bridge.agents.add({ name: 'o', url: 'u', token: undefined });
    await bridge.agents.remove('a1');
    await bridge.agents.signInWithOidc('a1');
    await bridge.agents.cancelOidcSignIn('a1');
    expect(await bridge.downloads.start({ agentId: 'a1', artifactId: 'x', decompress: true })).toBe('v');
    await bridge.downloads.cancel('d1');
    expect(invoked).toEqual([
      ['agents:list', []],
      ['agents:add', [{ name: 'n', url: 'u', token: 't' }]],
      ['agents:add', [{ name: 'o', url: 'u' }]],
      ['agents:remove', ['a1']],
      ['agents:oidc', ['a1']],
      ['agents:oidc-cancel', ['a1']],
      ['downloads:start', [{ agentId: 'a1', artifactId: 'x', decompress: true }]],
      ['downloads:cancel', ['d1']],
    ]);
  });

  it('turns error results into Errors with the plain message and the code', async () => {
    const { ipc } = fakeIpc(() => ({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'name: must be 1 to 64 characters' },
    }));
    await expect(createBridge(ipc).agents.add({ name: '', url: 'u', token: 't' })).rejects.toMatchObject({
      message: 'name: must be 1 to 64 characters',
      code: 'INVALID_INPUT',
    });
  });

  it('relays download progress without the IPC event, and unsubscribes', () => {
    const { ipc, listeners, emit } = fakeIpc(() => undefined);
    const bridge = createBridge(ipc);
    const seen: unknown[][] = [];
    const progress: DownloadProgress = {
      downloadId: 'd1',
      receivedBytes: 1,
      totalBytes: 2,
      state: 'running',
    };
    const stopA = bridge.downloads.onProgress((...args) => seen.push(['a', ...args]));
    const stopB = bridge.downloads.onProgress((...args) => seen.push(['b', ...args]));
    expect(listeners.get('downloads:progress')?.size).toBe(1);
    emit('downloads:progress', progress);
    stopA();
    emit('downloads:progress', progress);
    stopB();
    expect(listeners.get('downloads:progress')?.size).toBe(0);
    emit('downloads:progress', progress);
    expect(seen).toEqual([
      ['a', progress],
      ['b', progress],
      ['b', progress],
    ]);
  });
});
