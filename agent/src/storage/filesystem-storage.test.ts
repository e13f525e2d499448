import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemStorage } from './filesystem-storage.ts';
import type { Storage } from './storage.ts';
import { describeStorageContract } from './storage-contract.ts';
import {
  bodyOf,
  failingBody,
  heldBody,
  patternBytes,
  untilConsumed,
  visibleKeys,
} from './storage-contract-bodies.ts';

describeStorageContract('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'port-yard-fs-contract-'));
  return {
    // A root that does not exist yet: the first put creates it.
    storage: createFilesystemStorage({ name: 'contract', root: join(dir, 'not', 'yet') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** Every file and folder under `root`, relative, sorted: what an operator sees with `find`. */
async function onDisk(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map((path) => path.replaceAll('\\', '/')).sort();
}

describe('filesystem storage', () => {
  let dir: string;
  let root: string;
  let storage: Storage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'port-yard-fs-'));
    root = join(dir, 'root');
    storage = createFilesystemStorage({ name: 'local', root });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lays objects out as plain files named by their keys, readable only by the agent', async () => {
    const data = patternBytes(5000);
    await storage.put('t/db/2025-01-01T00-00-00Z_r1.sql.zst', bodyOf([data]));
    expect(storage.location).toBe(root);
    expect(await onDisk(root)).toEqual(['t', 't/db', 't/db/2025-01-01T00-00-00Z_r1.sql.zst']);
    const file = join(root, 't', 'db', '2025-01-01T00-00-00Z_r1.sql.zst');
    expect((await readFile(file)).equals(data)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('removes its temporary file when the body fails or the put is aborted', async () => {
    await expect(
      storage.put('t/db/x', failingBody(patternBytes(200_000), new Error('boom'))),
    ).rejects.toThrow('boom');
    const controller = new AbortController();
    const body = heldBody();
    const putting = storage.put('t/db/y', body, { signal: controller.signal });
    body.write(patternBytes(100_000));
    await untilConsumed(body);
    expect((await onDisk(root)).some((path) => path.endsWith('.port-yard-tmp'))).toBe(true);
    controller.abort();
    await expect(putting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await onDisk(root)).toEqual(['t', 't/db']);
  });

  it('hides temporary files left by a crash, and sweeps only those older than the age', async () => {
    await storage.put('t/db/real', bodyOf([patternBytes(10)]));
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    const stale = ['t/db/.real.0a1b2c3d4e5f.port-yard-tmp', 'lonely/.x.000000000000.port-yard-tmp'];
    for (const key of stale) {
      await mkdir(join(root, key, '..'), { recursive: true });
      await writeFile(join(root, key), 'half a dump');
      await utimes(join(root, key), hourAgo, hourAgo);
    }
    await writeFile(join(root, 't', '.fresh.ffffffffffff.port-yard-tmp'), 'a put in progress');
    expect(await visibleKeys(storage)).toEqual(['t/db/real']);

    expect((await storage.sweepTemporary(30 * 60_000)).sort()).toEqual([...stale].sort());
    expect(await onDisk(root)).toEqual(['t', 't/.fresh.ffffffffffff.port-yard-tmp', 't/db', 't/db/real']);
    await expect(storage.sweepTemporary(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('sweeps by the injected clock', async () => {
    await mkdir(root, { recursive: true });
    await writeFile(join(root, '.a.123456789abc.port-yard-tmp'), '');
    const later = createFilesystemStorage({ name: 'local', root, now: () => Date.now() + 2 * 60 * 60_000 });
    expect(await storage.sweepTemporary(60 * 60_000)).toEqual([]);
    expect(await later.sweepTemporary(60 * 60_000)).toEqual(['.a.123456789abc.port-yard-tmp']);
  });

  it('refuses keys that would look like its temporary files', async () => {
    const body = bodyOf([patternBytes(1)]);
    await expect(storage.put('t/.x.1.port-yard-tmp', body)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(storage.stat('t.port-yard-tmp/x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('removes the folders a delete leaves empty, up to but never the root', async () => {
    await storage.put('a/b/c/d', bodyOf([patternBytes(1)]));
    await storage.put('a/x', bodyOf([patternBytes(1)]));
    await storage.delete('a/b/c/d');
    expect(await onDisk(root)).toEqual(['a', 'a/x']);
    await storage.delete('a/x');
    expect(await onDisk(root)).toEqual([]);
    expect((await stat(root)).isDirectory()).toBe(true);
  });

  it('keeps puts and deletes racing in one folder from failing each other', async () => {
    // A delete prunes the folder it empties; a put may have just made sure that folder exists.
    // Starting the put a few event-loop turns later each round slides it across the delete.
    const turns = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    for (let round = 0; round < 60; round++) {
      await storage.put('race/f/old', bodyOf([patternBytes(10)]));
      const deleting = storage.delete('race/f/old');
      await turns(round % 12);
      await storage.put(`race/f/new`, bodyOf([patternBytes(10)]));
      await deleting;
      expect(await storage.stat('race/f/new')).toBeDefined();
      await storage.delete('race/f/new');
    }
    expect(await onDisk(root)).toEqual([]);
  });

  // Symlinks are an operator's doing, not a put's: they are never objects (POSIX only).
  it.skipIf(process.platform === 'win32')(
    'treats neither symlinks nor unnameable files as objects',
    async () => {
      await mkdir(join(root, 'x'), { recursive: true });
      await mkdir(join(dir, 'outside'));
      await writeFile(join(dir, 'outside', 'secret'), '');
      await symlink(join(dir, 'outside'), join(root, 'x', 'folder-link'));
      await symlink(join(dir, 'outside', 'secret'), join(root, 'x', 'file-link'));
      await writeFile(join(root, 'x', 'back\\slash'), '');
      await writeFile(join(root, 'x', 'ok'), '');
      expect(await visibleKeys(storage)).toEqual(['x/ok']);
      await expect(storage.get('x/file-link')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await storage.stat('x/file-link')).toBeUndefined();
      await storage.delete('x/file-link');
      expect((await readdir(join(root, 'x'))).sort()).toEqual([
        'back\\slash',
        'file-link',
        'folder-link',
        'ok',
      ]);
    },
  );
});
