import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sftpConfigFor, startSshd } from '../../../test/sftp/sshd.ts';
import type { Sshd } from '../../../test/sftp/sshd.ts';
import {
  bodyOf,
  getBytes,
  heldBody,
  patternBytes,
  untilConsumed,
  visibleKeys,
} from '../storage-contract-bodies.ts';
import { sshFingerprint } from './sftp-host-key.ts';
import type { SftpStorage } from './sftp-storage.ts';
import { createSftpStorage } from './sftp-storage.ts';

/**
 * Real faults against a real OpenSSH server: an impostor host key, refused credentials, an
 * unreachable or silent server, connections killed between calls and in the middle of a put
 * (the sshd process serving the connection is SIGKILLed), and SFTP errors from the server.
 */
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('sftp storage under faults', () => {
  const opened: SftpStorage[] = [];
  const open = (...args: Parameters<typeof createSftpStorage>): SftpStorage => {
    const storage = createSftpStorage(...args);
    opened.push(storage);
    return storage;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });
  const server = (): string => `sftp://${sshd.user}@127.0.0.1:${sshd.port}`;

  it('refuses a server whose host key is not the pinned one, before logging in or writing', async () => {
    const pinned = sshFingerprint(randomBytes(51));
    const root = join(sshd.root, 'pinned');
    const storage = open('nas', sftpConfigFor(sshd, { path: root, hostKey: pinned }));
    const accepted = sshd.log().filter((line) => line.includes('Accepted')).length;
    const body = bodyOf([patternBytes(1000)]);
    const error = await rejection(storage.put('t/k', body));
    expect(error).toMatchObject({ name: 'PortYardError', code: 'STORAGE_FAILED' });
    expect(error.message).toBe(
      `storage "nas" (${server()}): the host key does not match: expected ${pinned}, ` +
        `the server presented ${sshd.hostKeyFingerprint}; refusing to connect ` +
        '(if the server key changed on purpose, update hostKey): Host denied (verification failed)',
    );
    expect(body.destroyed).toBe(true);
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(sshd.log().filter((line) => line.includes('Accepted')).length).toBe(accepted);
    // The same fingerprint with base64 padding, as some tools print it, is the same key.
    const padded = open('nas', sftpConfigFor(sshd, { path: root, hostKey: `${sshd.hostKeyFingerprint}=` }));
    await padded.put('t/k', bodyOf([patternBytes(10)]));
    expect(await visibleKeys(padded)).toEqual(['t/k']);
  });

  it('says which user was refused when the key is not authorized, and when the key file is missing', async () => {
    const strangerKey = join(sshd.dir, `stranger-${randomBytes(3).toString('hex')}`);
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const stranger = open('nas', sftpConfigFor(sshd, { privateKeyFile: strangerKey }));
    await expect(stranger.stat('k')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: `storage "nas" (${server()}): authentication failed for user "${sshd.user}" (tried publickey): All configured authentication methods failed`,
    });
    const missing = open('nas', sftpConfigFor(sshd, { privateKeyFile: join(sshd.dir, 'no-such-key') }));
    await expect(missing.stat('k')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining(
        `cannot read the private key file "${join(sshd.dir, 'no-such-key')}": ENOENT`,
      ),
    });
  });

  describe('servers that do not answer', () => {
    let silent: Server | undefined;
    afterEach(async () => {
      await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
      silent = undefined;
    });

    it('fails fast when nothing listens, and times out on a server that never speaks SSH', async () => {
      silent = createServer((socket) => socket.resume()); // accepts, reads, says nothing
      await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as { port: number }).port;
      const quiet = open('nas', { ...sftpConfigFor(sshd), port }, { readyTimeoutMs: 300 });
      const started = Date.now();
      await expect(quiet.stat('k')).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
        message: expect.stringContaining('cannot connect: no SSH session within 300 ms'),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => silent?.close(resolve));
      silent = undefined;
      const refused = open('nas', { ...sftpConfigFor(sshd), port });
      await expect(refused.stat('k')).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
        message: expect.stringMatching(/: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
      });
    });
  });

  it('reconnects after the connection dropped between two calls', async () => {
    const logins = (): number => sshd.log().filter((line) => line.includes('Accepted publickey')).length;
    const before = logins();
    const storage = open('nas', sftpConfigFor(sshd, { path: join(sshd.root, 'drop') }));
    await storage.put('t/one', bodyOf([patternBytes(1000, 1)]));
    expect(await sshd.dropConnections()).toBe(1);
    // No pause: the call may still find the dead connection, and then runs again on a new one.
    await storage.put('t/two', bodyOf([patternBytes(1000, 2)]));
    expect(await sshd.dropConnections()).toBe(1);
    expect(await storage.stat('t/one')).toMatchObject({ size: 1000 });
    expect((await getBytes(storage, 't/two')).equals(patternBytes(1000, 2))).toBe(true);
    expect(await visibleKeys(storage)).toEqual(['t/one', 't/two']);
    expect(await sshd.connectionCount()).toBe(1);
    expect(logins() - before).toBe(3); // the first login, then one after each drop
  });

  it('fails a put whose connection drops mid-stream, shows nothing of it, and sweeps what it left', async () => {
    const root = join(sshd.root, 'mid-put');
    const storage = open('nas', sftpConfigFor(sshd, { path: root }));
    const later = open('nas', sftpConfigFor(sshd, { path: root }), { now: () => Date.now() + 60 * 60_000 });
    await storage.put('t/old', bodyOf([patternBytes(2000, 9)]));
    const body = heldBody();
    const putting = storage.put('t/old', body);
    body.write(patternBytes(512 * 1024, 3));
    await untilConsumed(body);
    await sshd.dropConnections();
    const error = await rejection(putting);
    expect(error).toMatchObject({ code: 'STORAGE_FAILED' });
    expect(error.message).toMatch(
      new RegExp(
        `^storage "nas": cannot write "${server()}${root}/t/\\.old\\.[0-9a-f]{12}\\.port-yard-tmp": connection failed: `,
      ),
    );
    expect(body.destroyed).toBe(true);
    // The next call reconnects; the old object is whole; the temp file, if the dead connection
    // could not remove it, is invisible and swept.
    expect((await getBytes(storage, 't/old')).equals(patternBytes(2000, 9))).toBe(true);
    expect(await visibleKeys(storage)).toEqual(['t/old']);
    const left = (await readdir(join(root, 't'))).filter((name) => name !== 'old');
    expect(await later.sweepTemporary(30 * 60_000)).toEqual(left.map((name) => `t/${name}`));
    expect(await readdir(join(root, 't'))).toEqual(['old']);
  });

  it('fails STORAGE_FAILED with the SFTP status when the server refuses, leaving no temp file', async () => {
    const root = join(sshd.root, 'refusals');
    const storage = open('nas', sftpConfigFor(sshd, { path: root }));
    await storage.put('a', bodyOf([patternBytes(3)]));
    const error = await rejection(storage.put('a/b', bodyOf([patternBytes(3)])));
    expect(error).toMatchObject({ code: 'STORAGE_FAILED' });
    expect(error.message).toBe(
      `storage "nas": cannot create the folder "${server()}${root}/a": SFTP status 4 FAILURE: Failure`,
    );
    // A folder where the object goes: the rename fails, and the temp file is removed.
    await mkdir(join(root, 't', 'k'), { recursive: true });
    await writeFile(join(root, 't', 'k', 'inside'), '');
    const renaming = await rejection(storage.put('t/k', bodyOf([patternBytes(1000)])));
    expect(renaming.message).toMatch(
      new RegExp(
        `^storage "nas": cannot rename a temporary file to "${server()}${root}/t/k": SFTP status \\d+ [A-Z_]+: `,
      ),
    );
    expect(await readdir(join(root, 't'))).toEqual(['k']);
    expect(await visibleKeys(storage)).toEqual(['a', 't/k/inside']);
  });
});
