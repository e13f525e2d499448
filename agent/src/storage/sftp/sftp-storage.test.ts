import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordUser } from '../../../test/sftp/password-user.ts';
import type { PasswordUser } from '../../../test/sftp/password-user.ts';
import { sftpConfigFor, startSshd } from '../../../test/sftp/sshd.ts';
import type { Sshd } from '../../../test/sftp/sshd.ts';
import { describeStorageContract } from '../storage-contract.ts';
import {
  bodyOf,
  getBytes,
  heldBody,
  patternBytes,
  untilConsumed,
  visibleKeys,
} from '../storage-contract-bodies.ts';
import type { SftpStorage } from './sftp-storage.ts';
import { createSftpStorage } from './sftp-storage.ts';

/**
 * The SFTP backend against a real OpenSSH server (`sshd` on a loopback port, see
 * `test/sftp/sshd.ts`): the shared contract, then what only SFTP has (layout, the three ways to
 * log in). Faults are in `sftp-faults.test.ts`.
 */
let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd({ passwordAuthentication: true });
});
afterAll(async () => {
  await sshd?.stop();
});

let contractRuns = 0;
describeStorageContract('sftp', async () => {
  const folder = join(sshd.root, `contract-${++contractRuns}`);
  // A base folder that does not exist yet: the first put creates it.
  const storage = createSftpStorage('contract', sftpConfigFor(sshd, { path: join(folder, 'not', 'yet') }));
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

/** Every file and folder below `root`, relative, sorted: what an operator sees on the server. */
async function onServer(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).sort();
}

describe('sftp storage', () => {
  const opened: SftpStorage[] = [];
  const open = (...args: Parameters<typeof createSftpStorage>): SftpStorage => {
    const storage = createSftpStorage(...args);
    opened.push(storage);
    return storage;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });

  it('lays objects out as files named by their keys, readable only by the agent, with no secret in its location', async () => {
    const root = join(sshd.root, 'layout');
    const storage = open('nas', sftpConfigFor(sshd, { path: `${root}/` }));
    expect(storage.location).toBe(`sftp://${sshd.user}@127.0.0.1:${sshd.port}${root}`);
    const data = patternBytes(5000);
    await storage.put('t/db/2025-01-01T00-00-00Z_r1.sql.zst', bodyOf([data]));
    expect(await onServer(root)).toEqual(['t', 't/db', 't/db/2025-01-01T00-00-00Z_r1.sql.zst']);
    const file = join(root, 't', 'db', '2025-01-01T00-00-00Z_r1.sql.zst');
    expect((await readFile(file)).equals(data)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('uses one connection for concurrent calls, and closes it once idle', async () => {
    const storage = open('nas', sftpConfigFor(sshd, { path: join(sshd.root, 'shared') }), { idleMs: 300 });
    const keys = ['a/1', 'a/2', 'b/3', 'c/4'];
    await Promise.all(keys.map((key) => storage.put(key, bodyOf([patternBytes(50_000)], 1))));
    expect(await sshd.connectionCount()).toBe(1);
    const held = await storage.get('a/1'); // an open stream keeps the connection past idleMs
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await sshd.connectionCount()).toBe(1);
    held.destroy();
    await until(async () => (await sshd.connectionCount()) === 0);
    expect(await visibleKeys(storage)).toEqual(keys);
  });

  it('hides temporary files, and sweeps only those older than the age by the server mtime', async () => {
    const root = join(sshd.root, 'sweep');
    const storage = open('nas', sftpConfigFor(sshd, { path: root }));
    const later = open('nas', sftpConfigFor(sshd, { path: root }), {
      now: () => Date.now() + 2 * 60 * 60_000,
    });
    await storage.put('t/db/real', bodyOf([patternBytes(10)]));
    const body = heldBody();
    const putting = storage.put('t/db/unfinished', body);
    body.write(patternBytes(100_000));
    await untilConsumed(body);
    expect(await visibleKeys(storage)).toEqual(['t/db/real']);
    expect(await storage.sweepTemporary(60 * 60_000)).toEqual([]);
    const swept = await later.sweepTemporary(60 * 60_000);
    expect(swept).toEqual([expect.stringMatching(/^t\/db\/\.unfinished\.[0-9a-f]{12}\.port-yard-tmp$/)]);
    expect(await onServer(root)).toEqual(['t', 't/db', 't/db/real']);
    body.end();
    await expect(putting).rejects.toMatchObject({ code: 'STORAGE_FAILED' }); // its temp file is gone
  });

  it('refuses keys that would look like its temporary files', async () => {
    const storage = open('nas', sftpConfigFor(sshd, { path: join(sshd.root, 'reserved') }));
    const body = bodyOf([patternBytes(1)]);
    await expect(storage.put('t/.x.1.port-yard-tmp', body)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(body.destroyed).toBe(true);
    await expect(storage.stat('t.port-yard-tmp/x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('removes the folders a delete leaves empty, up to but never the base folder', async () => {
    const root = join(sshd.root, 'prune');
    const storage = open('nas', sftpConfigFor(sshd, { path: root }));
    await storage.put('a/b/c/d', bodyOf([patternBytes(1)]));
    await storage.put('a/x', bodyOf([patternBytes(1)]));
    await storage.delete('a/b/c/d');
    expect(await onServer(root)).toEqual(['a', 'a/x']);
    await storage.delete('a/x');
    expect(await onServer(root)).toEqual([]);
  });

  it('logs in with an encrypted key and its passphrase, and says so when the passphrase is wrong', async () => {
    const config = sftpConfigFor(sshd, {
      path: join(sshd.root, 'encrypted'),
      privateKeyFile: sshd.encryptedKeyFile,
    });
    const storage = open('nas', { ...config, passphrase: sshd.passphrase });
    await storage.put('k', bodyOf([patternBytes(10)]));
    expect(await visibleKeys(storage)).toEqual(['k']);
    const wrong = open('nas', { ...config, passphrase: 'not it' });
    const message = new RegExp(
      `^storage "nas" \\(.*\\): cannot use the private key "${sshd.encryptedKeyFile}"`,
    );
    await expect(wrong.stat('k')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(message),
    });
    const none = open('nas', config);
    await expect(none.stat('k')).rejects.toMatchObject({ message: expect.stringMatching(/passphrase/) });
  });

  describe('password login (a throwaway local user)', () => {
    let user: PasswordUser | undefined;
    let refused: string | undefined;
    beforeAll(async () => {
      user = await createPasswordUser().catch((error: unknown) => {
        refused = `cannot create a local user (needs root with useradd): ${String(error)}`;
        return undefined;
      });
    });
    afterAll(async () => {
      await user?.remove();
    });

    it('stores with the right password and refuses the wrong one', async ({ skip }) => {
      if (user === undefined) return skip(refused);
      const config = {
        ...sftpConfigFor(sshd, { path: user.root, user: user.name }),
        privateKeyFile: undefined,
      };
      const storage = open('nas', { ...config, password: user.password });
      await storage.put('t/k', bodyOf([patternBytes(1000)]));
      expect((await getBytes(storage, 't/k')).length).toBe(1000);
      const wrong = open('nas', { ...config, password: `${user.password}x` });
      await expect(wrong.stat('t/k')).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
        message: expect.stringMatching(`authentication failed for user "${user.name}" \\(tried password\\)`),
      });
      expect(wrong.location).not.toContain(user.password);
    });
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
