import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStorage } from './check-storage.ts';
import { createFilesystemStorage } from './filesystem-storage.ts';
import { bodyOf } from './storage-contract-bodies.ts';
import { makeFolders } from './make-folders.ts';

/** Settles within `ms` or fails the test: the bug was a promise that never settled. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms),
    ),
  ]);

describe('makeFolders', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-test-folders-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the missing levels and resolves with the highest one it made', async () => {
    expect(await makeFolders(join(dir, 'a', 'b', 'c'))).toBe(join(dir, 'a'));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    expect(await makeFolders(join(dir, 'a', 'b', 'd'))).toBe(join(dir, 'a', 'b', 'd'));
  });

  it('resolves with undefined when the folder is there already', async () => {
    expect(await makeFolders(dir)).toBeUndefined();
  });

  it('fails with EEXIST or ENOTDIR when a file is where a folder must be', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeFolders(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeFolders(join(dir, 'file', 'below'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('makes the same folders from several calls at once', async () => {
    const target = join(dir, 'x', 'y', 'z');
    await Promise.all(Array.from({ length: 8 }, () => makeFolders(target)));
    expect((await stat(target)).isDirectory()).toBe(true);
  });

  // Node's own recursive mkdir spins for ever here (ENOENT although the parent exists).
  it.runIf(existsSync('/proc/self'))(
    'fails at once where a folder cannot be made under an existing parent',
    async () => {
      await expect(within(5000, makeFolders('/proc/port-yard-test/backups'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
    },
  );
});

describe.runIf(existsSync('/proc/self'))('a filesystem storage under /proc', () => {
  const root = '/proc/port-yard-test/backups';

  it('fails its storage check at once, naming the storage and the folder', async () => {
    const check = await within(5000, checkStorage(createFilesystemStorage({ name: 'local', root })));
    expect(check.problem).toContain('storage "local"');
    expect(check.problem).toContain('/proc/port-yard-test');
  });

  it('fails a put at once', async () => {
    const storage = createFilesystemStorage({ name: 'local', root });
    await expect(
      within(5000, storage.put('t/db/a.sql.zst', bodyOf([Buffer.from('x')]))),
    ).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
  });
});
