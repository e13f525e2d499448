import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../ipc/channels.ts';
import { createAgentRegistry } from './agent-registry.ts';
import { registerIpcHandlers, type IpcInvokeEvent } from './ipc.ts';
import { createKeychain, createMemoryKeytar } from './keychain.ts';

const appOrigin = 'app://port-yard';
const fromApp: IpcInvokeEvent = { senderFrame: { url: 'app://port-yard/index.html#/agents' } };
const artifactId = '2026-01-01T03-00-00Z_abcdefghij';

let dir: string;
let handlers: Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>;
let calls: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-ipc-'));
  handlers = new Map();
  calls = [];
  let ids = 0;
  registerIpcHandlers({
    ipc: { handle: (channel, listener) => void handlers.set(channel, listener) },
    appOrigin,
    agents: createAgentRegistry({
      file: join(dir, 'agents.json'),
      keychain: createKeychain(createMemoryKeytar()),
      newId: () => `agent-${++ids}`,
    }),
    downloads: {
      start: async (input) => {
        calls.push(`start ${JSON.stringify(input)}`);
        return input.decompress ? null : { downloadId: 'd1' };
      },
      cancel: (downloadId) => (calls.push(`cancel ${downloadId}`), true),
    },
    signInWithOidc: async (agentId) => void calls.push(`oidc ${agentId}`),
    cancelOidcSignIn: (agentId) => void calls.push(`oidc cancel ${agentId}`),
    endSession: async (agentId) => void calls.push(`end session ${agentId}`),
    onAgentsChanged: async () => void calls.push('changed'),
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const invoke = (channel: string, ...args: unknown[]) => handlers.get(channel)!(fromApp, ...args);

describe('the IPC handlers', () => {
  it('registers exactly one handler per capability', () => {
    expect([...handlers.keys()].sort()).toEqual(
      [
        'agents:add',
        'agents:list',
        'agents:oidc',
        'agents:oidc-cancel',
        'agents:remove',
        'downloads:cancel',
        'downloads:start',
      ].sort(),
    );
    expect(channels.downloadsProgress).toBe('downloads:progress');
  });

  it('adds, lists and removes agents, telling the main process after each change', async () => {
    const added = await invoke('agents:add', {
      name: 'prod',
      url: 'https://backup.example/',
      token: 'pyt_x',
    });
    expect(added).toEqual({
      ok: true,
      value: { id: 'agent-1', name: 'prod', url: 'https://backup.example', hasToken: true },
    });
    expect(await invoke('agents:list')).toEqual({ ok: true, value: [(added as { value: unknown }).value] });
    expect(await invoke('agents:remove', 'agent-1')).toEqual({ ok: true, value: undefined });
    expect(await invoke('agents:list')).toEqual({ ok: true, value: [] });
    // Removing an agent ends its session on the agent first, and a sign-in still waiting for it.
    expect(calls).toEqual(['changed', 'end session agent-1', 'oidc cancel agent-1', 'changed']);
  });

  it('adds an agent without a token (OIDC: signed in afterwards in the browser)', async () => {
    expect(await invoke('agents:add', { name: 'sso', url: 'https://sso.example' })).toEqual({
      ok: true,
      value: { id: 'agent-1', name: 'sso', url: 'https://sso.example', hasToken: false },
    });
    expect(calls).toEqual(['changed']);
  });

  it('returns the registry errors as values, code included', async () => {
    expect(await invoke('agents:add', { name: '', url: 'ftp://x', token: 't' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message:
          'name: must be 1 to 64 characters (got 0); url: must start with http:// or https:// (got ftp:)',
      },
    });
    expect(await invoke('agents:remove', 'agent-9')).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no agent agent-9' },
    });
    // A failed removal leaves the agent, and any sign-in of it, as they were (ending the session
    // of an id the app does not know does nothing: the main process finds no agent for it).
    expect(calls).toEqual(['end session agent-9']);
  });

  it('validates every argument before anything runs', async () => {
    const refused = async (channel: string, ...args: unknown[]) => {
      const result = (await invoke(channel, ...args)) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      expect(result.ok, `${channel} ${JSON.stringify(args)}`).toBe(false);
      expect(result.error.code).toBe('INVALID_INPUT');
      return result.error.message;
    };
    expect(await refused('agents:list', 'extra')).toMatch(/^agents:list: arguments: /);
    expect(await refused('agents:add', { name: 'a', url: 'https://a', token: 't', role: 'admin' })).toMatch(
      /^agents:add: argument 0: Unrecognized key: "role"/,
    );
    expect(await refused('agents:add', { name: 'a', url: 'https://a', token: 42 })).toMatch(
      /argument 0.token/,
    );
    expect(await refused('agents:add', { name: 'a', url: 'x'.repeat(3000), token: 't' })).toMatch(
      /argument 0.url/,
    );
    expect(await refused('agents:remove', '../agents.json')).toBe('agents:remove: argument 0: must be an id');
    expect(await refused('agents:remove')).toMatch(/^agents:remove: arguments/);
    expect(await refused('agents:oidc', 42)).toMatch(/argument 0/);
    expect(await refused('agents:oidc-cancel', 'agent-1', 'more')).toMatch(/^agents:oidc-cancel: arguments/);
    expect(
      await refused('downloads:start', {
        agentId: 'agent-1',
        artifactId: '../../etc/passwd',
        decompress: false,
      }),
    ).toBe('downloads:start: argument 0.artifactId: must be an artifact id');
    expect(await refused('downloads:start', { agentId: 'agent-1', artifactId, decompress: 'yes' })).toMatch(
      /argument 0.decompress/,
    );
    expect(await refused('downloads:cancel', { id: 'd1' })).toMatch(/argument 0/);
    expect(calls).toEqual([]);
  });

  it('starts and cancels downloads, and signs in with OIDC', async () => {
    expect(await invoke('downloads:start', { agentId: 'agent-1', artifactId, decompress: false })).toEqual({
      ok: true,
      value: { downloadId: 'd1' },
    });
    expect(await invoke('downloads:start', { agentId: 'agent-1', artifactId, decompress: true })).toEqual({
      ok: true,
      value: null,
    });
    expect(await invoke('downloads:cancel', 'd1')).toEqual({ ok: true, value: undefined });
    expect(await invoke('agents:oidc', 'agent-1')).toEqual({ ok: true, value: undefined });
    expect(await invoke('agents:oidc-cancel', 'agent-1')).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual([
      `start {"agentId":"agent-1","artifactId":"${artifactId}","decompress":false}`,
      `start {"agentId":"agent-1","artifactId":"${artifactId}","decompress":true}`,
      'cancel d1',
      'oidc agent-1',
      'changed',
      'oidc cancel agent-1',
    ]);
  });

  it('refuses callers that are not the app’s own pages', async () => {
    for (const senderFrame of [
      null,
      { url: 'https://evil.example/index.html' },
      { url: 'app://port-yard.evil/index.html' },
      { url: 'file:///tmp/index.html' },
    ]) {
      const result = await handlers.get('agents:list')!({ senderFrame });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'AUTH_FAILED',
          message: `agents:list: refused a call from ${senderFrame?.url ?? 'an unknown frame'}`,
        },
      });
    }
    expect(
      await handlers.get('agents:add')!({ senderFrame: null }, { name: 'a', url: 'https://a', token: 't' }),
    ).toMatchObject({
      ok: false,
    });
    expect(await invoke('agents:list')).toEqual({ ok: true, value: [] });
  });
});
