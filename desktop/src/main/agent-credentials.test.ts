import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createAgentCredentials } from './agent-credentials.ts';
import { createAgentRegistry } from './agent-registry.ts';
import { createKeychain, createMemoryKeytar } from './keychain.ts';

it('keeps URL and token per agent as of the last refresh', async () => {
  const tokens = new Map([['a1', 'pyt_one']]);
  const agents = [{ id: 'a1', name: 'one', url: 'https://one.example' }];
  const credentials = createAgentCredentials({
    entries: async () => agents,
    token: async (id) => tokens.get(id),
  });
  expect(credentials.current()).toEqual([]);
  await credentials.refresh();
  expect(credentials.current()).toEqual([{ url: 'https://one.example', token: 'pyt_one' }]);
  agents.push({ id: 'a2', name: 'two', url: 'https://two.example' });
  tokens.delete('a1');
  await credentials.refresh();
  expect(credentials.current()).toEqual([
    { url: 'https://one.example', token: undefined },
    { url: 'https://two.example', token: undefined },
  ]);
});

it('reads each token from the keychain once per refresh', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'py-credentials-'));
  try {
    const keytar = createMemoryKeytar();
    const reads: string[] = [];
    const counted = {
      ...keytar,
      getPassword: (service: string, account: string) => {
        reads.push(account);
        return keytar.getPassword(service, account);
      },
    };
    const registry = createAgentRegistry({
      file: join(dir, 'agents.json'),
      keychain: createKeychain(counted),
    });
    const one = await registry.add({ name: 'one', url: 'https://one.example', token: 'pyt_one' });
    const two = await registry.add({ name: 'two', url: 'https://two.example' });
    const credentials = createAgentCredentials(registry);
    await credentials.refresh();
    expect(credentials.current()).toEqual([
      { url: 'https://one.example', token: 'pyt_one' },
      { url: 'https://two.example', token: undefined },
    ]);
    expect(reads.sort()).toEqual([one.id, two.id].sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// One unreadable token (an unlock prompt dismissed, no Secret Service) stopped the app from
// starting ("Port-Yard cannot start"), and no agent could be listed or removed.
it('takes a token the keychain does not give as none, and lists the agents all the same', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'py-credentials-'));
  try {
    const keytar = createMemoryKeytar();
    let locked = false;
    const lockable = {
      ...keytar,
      getPassword: (service: string, account: string) =>
        locked ? Promise.reject(new Error('the keyring is locked')) : keytar.getPassword(service, account),
    };
    const registry = createAgentRegistry({
      file: join(dir, 'agents.json'),
      keychain: createKeychain(lockable),
    });
    const one = await registry.add({ name: 'one', url: 'https://one.example', token: 'pyt_one' });
    locked = true;
    const credentials = createAgentCredentials(registry);
    await credentials.refresh();
    expect(credentials.current()).toEqual([{ url: 'https://one.example', token: undefined }]);
    expect(await registry.list()).toEqual([{ ...one, hasToken: false }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
