import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKeychain, createMemoryKeytar, type KeytarApi } from './keychain.ts';

const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const secretService = has('dbus-run-session') && has('gnome-keyring-daemon');

describe('createKeychain over a memory keytar', () => {
  it('stores, reads and deletes per account under the service port-yard', async () => {
    const keytar = createMemoryKeytar();
    const keychain = createKeychain(keytar);
    await keychain.setPassword('agent-1', 'pyt_one');
    await keychain.setPassword('agent-2', 'pyt_two');
    expect(await keychain.getPassword('agent-1')).toBe('pyt_one');
    expect(await keytar.getPassword('port-yard', 'agent-2')).toBe('pyt_two');
    expect(await keychain.deletePassword('agent-1')).toBe(true);
    expect(await keychain.deletePassword('agent-1')).toBe(false);
    expect(await keychain.getPassword('agent-1')).toBeNull();
    expect([...keytar.items.keys()]).toEqual(['port-yard\u0000agent-2']);
  });

  it('reports a failing OS keychain as CONNECTION_FAILED without the secret', async () => {
    const broken: KeytarApi = {
      getPassword: async () => null,
      setPassword: async () => {
        throw new Error('Couldn\u2019t access platform storage');
      },
      deletePassword: async () => false,
    };
    const failure = createKeychain(broken).setPassword('agent-1', 'pyt_secret');
    await expect(failure).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await expect(failure).rejects.toThrow(/could not store a token: Couldn.t access platform storage/);
    await expect(failure).rejects.not.toThrow(/pyt_secret/);
  });
});

const realTitle = secretService
  ? 'the OS keychain: a real Secret Service (gnome-keyring)'
  : 'the OS keychain: SKIPPED, dbus-run-session or gnome-keyring-daemon is missing (apt-get install -y gnome-keyring dbus-x11)';

describe.skipIf(!secretService)(realTitle, () => {
  it('stores, reads and deletes a token through @napi-rs/keyring, never in plain text', async () => {
    const dataHome = await mkdtemp(join(tmpdir(), 'py-keyring-'));
    try {
      const script = fileURLToPath(new URL('../../test/main/keychain-roundtrip.ts', import.meta.url));
      const child = spawnSync(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$NODE" "$SCRIPT"',
        ],
        {
          env: { ...process.env, XDG_DATA_HOME: dataHome, NODE: process.execPath, SCRIPT: script },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(child.status, child.stderr).toBe(0);
      const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
      expect(seen).toMatchObject({
        readMatches: true,
        rawMatches: true,
        deleted: true,
        afterDelete: null,
        deletedAgain: false,
      });
      // gnome-keyring keeps its items encrypted under XDG_DATA_HOME/keyrings: no plain token.
      const files = await readdir(join(dataHome, 'keyrings'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files)
        expect((await readFile(join(dataHome, 'keyrings', file))).includes(seen.token)).toBe(false);
    } finally {
      await rm(dataHome, { recursive: true, force: true });
    }
  });
});
