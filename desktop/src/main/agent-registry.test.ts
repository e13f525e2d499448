import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentRegistry, type AgentRegistry } from './agent-registry.ts';
import { createKeychain, createMemoryKeytar, type KeytarApi } from './keychain.ts';

let dir: string;
let file: string;
let keytar: ReturnType<typeof createMemoryKeytar>;
let registry: AgentRegistry;
let ids: number;

const open = (keys: KeytarApi = keytar): AgentRegistry =>
  createAgentRegistry({ file, keychain: createKeychain(keys), newId: () => `agent-${++ids}` });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-registry-'));
  file = join(dir, 'user-data', 'agents.json');
  keytar = createMemoryKeytar();
  ids = 0;
  registry = open();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the agent registry', () => {
  it('adds agents with normalized URLs, tokens in the keychain and never in the file', async () => {
    const added = await registry.add({
      name: ' prod ',
      url: 'https://backup.example:8420/',
      token: ' pyt_abc\n',
    });
    await registry.add({ name: 'staging', url: 'http://10.0.0.5:8420/port-yard//', token: 'pyt_def' });
    expect(added).toEqual({
      id: 'agent-1',
      name: 'prod',
      url: 'https://backup.example:8420',
      hasToken: true,
    });
    expect(await registry.list()).toEqual([
      added,
      { id: 'agent-2', name: 'staging', url: 'http://10.0.0.5:8420/port-yard', hasToken: true },
    ]);
    expect(await keytar.getPassword('port-yard', 'agent-1')).toBe('pyt_abc');
    expect(await registry.token('agent-2')).toBe('pyt_def');

    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/pyt_/);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      agents: [
        { id: 'agent-1', name: 'prod', url: 'https://backup.example:8420' },
        { id: 'agent-2', name: 'staging', url: 'http://10.0.0.5:8420/port-yard' },
      ],
    });
    expect(await readdir(join(dir, 'user-data'))).toEqual(['agents.json']);
    // A second registry (the next app start) reads the same list.
    expect(await open().list()).toEqual(await registry.list());
  });

  it('reports every invalid field at once and changes nothing', async () => {
    const failure = registry.add({ name: '', url: 'ftp://backup.example', token: '' });
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(failure).rejects.toThrow(
      'name: must be 1 to 64 characters (got 0); url: must start with http:// or https:// (got ftp:); token: must not be empty',
    );
    await expect(registry.add({ name: 'x'.repeat(65), url: 'https://a', token: 't' })).rejects.toThrow(
      /^name: must be 1 to 64 characters \(got 65\)$/,
    );
    await expect(registry.add({ name: 'a', url: 'not a url', token: 't' })).rejects.toThrow(
      /^url: "not a url" is not a URL/,
    );
    await expect(registry.add({ name: 'a', url: 'https://u:p@host', token: 't' })).rejects.toThrow(
      'url: must not contain a user name or password',
    );
    await expect(registry.add({ name: 'a', url: 'https://host/?x=1', token: 't' })).rejects.toThrow(
      'url: must not contain a query or fragment',
    );
    await expect(
      registry.add({ name: 'a', url: 'https://host', token: 'pyt_a\r\nX-Evil: 1' }),
    ).rejects.toThrow('token: must be printable ASCII without spaces');
    expect(await registry.list()).toEqual([]);
    expect(keytar.items.size).toBe(0);
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a second agent with the same URL', async () => {
    await registry.add({ name: 'prod', url: 'https://backup.example', token: 't1' });
    await expect(
      registry.add({ name: 'again', url: 'https://backup.example/', token: 't2' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'url: https://backup.example is already registered as "prod"',
    });
    expect(await registry.token('agent-1')).toBe('t1');
    expect(keytar.items.size).toBe(1);
  });

  it('removes the entry and its keychain item; an unknown id is NOT_FOUND', async () => {
    await registry.add({ name: 'a', url: 'https://a.example', token: 'ta' });
    await registry.add({ name: 'b', url: 'https://b.example', token: 'tb' });
    await registry.remove('agent-1');
    expect((await registry.list()).map((agent) => agent.id)).toEqual(['agent-2']);
    expect(await keytar.getPassword('port-yard', 'agent-1')).toBeNull();
    expect(JSON.parse(await readFile(file, 'utf8')).agents).toHaveLength(1);
    await expect(registry.remove('agent-1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no agent agent-1',
    });
  });

  it('shows hasToken false when the keychain lost the token, and setToken restores it', async () => {
    await registry.add({ name: 'a', url: 'https://a.example', token: 'ta' });
    keytar.items.clear();
    expect((await registry.list())[0]!.hasToken).toBe(false);
    await registry.setToken('agent-1', 'fresh');
    expect(await registry.token('agent-1')).toBe('fresh');
    await expect(registry.setToken('agent-1', ' ')).rejects.toThrow('token: must not be empty');
    await expect(registry.setToken('nobody', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('adds an agent without a token (OIDC), which a sign-in gives one later', async () => {
    const added = await registry.add({ name: 'sso', url: 'https://sso.example' });
    expect(added).toEqual({ id: 'agent-1', name: 'sso', url: 'https://sso.example', hasToken: false });
    expect(keytar.items.size).toBe(0);
    expect(await registry.token('agent-1')).toBeUndefined();
    await registry.setToken('agent-1', 'pys_signed_in');
    expect(await registry.list()).toEqual([{ ...added, hasToken: true }]);
    // A token that is given must still be a valid one.
    await expect(registry.add({ name: 'b', url: 'https://b.example', token: ' ' })).rejects.toThrow(
      'token: must not be empty',
    );
  });

  it('keeps concurrent adds', async () => {
    await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        registry.add({ name: `a${index}`, url: `https://a${index}.example`, token: `t${index}` }),
      ),
    );
    expect(await open().list()).toHaveLength(5);
  });

  it('rolls the token back when the list cannot be written', async () => {
    // The user-data folder is a file: the list cannot be saved.
    await writeFile(join(dir, 'user-data'), 'in the way');
    await expect(registry.add({ name: 'a', url: 'https://a.example', token: 'ta' })).rejects.toThrow();
    expect(keytar.items.size).toBe(0);
  });

  it('names the file when it is not a valid list', async () => {
    await registry.add({ name: 'a', url: 'https://a.example', token: 'ta' });
    await writeFile(file, '{"version":1,"agents":[{"id":"x"}]}');
    await expect(open().list()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`${file} is not a valid agent list`),
    });
  });

  it('fails with the keychain error and stores nothing when the keychain is unavailable', async () => {
    const locked: KeytarApi = {
      ...keytar,
      setPassword: async () => {
        throw new Error('the collection is locked');
      },
    };
    await expect(
      open(locked).add({ name: 'a', url: 'https://a.example', token: 'ta' }),
    ).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
