import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStorage } from './check-storage.ts';
import { createFilesystemStorage } from './filesystem-storage.ts';
import { bodyOf, getBytes, patternBytes, slowBody, visibleKeys } from './storage-contract-bodies.ts';

/**
 * Real faults, not mocks. Tests run as root, where permission bits stop nothing, so the faults
 * are ones root cannot write through: a full tmpfs (ENOSPC), a read-only mount (EROFS), a file
 * where a folder must be (ENOTDIR), a folder where the file must go (EISDIR). Mounting needs mount
 * rights; without them those tests are skipped and say why.
 */
const isRoot = process.getuid?.() === 0;

function mountTmpfs(at: string, options: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'port-yard-test', at], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a tmpfs (${stderr || String(error)}): ENOSPC/EROFS tests need root with mount rights`;
  }
}

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

describe('filesystem storage under real faults', () => {
  let dir: string;
  let mounted: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'port-yard-fault-'));
  });
  afterEach(async () => {
    if (mounted !== undefined) execFileSync('umount', ['-l', mounted], { stdio: 'pipe' });
    mounted = undefined;
    await chmod(dir, 0o700);
    await rm(dir, { recursive: true, force: true });
  });

  /** A tmpfs of `size` at `<dir>/mnt`; the storage root is a folder inside it. */
  async function tinyDisk(size: string, skip: (note: string) => never): Promise<string> {
    const at = join(dir, 'mnt');
    await mkdir(at);
    const refused = mountTmpfs(at, `size=${size},mode=0700`);
    if (refused !== undefined) skip(refused);
    mounted = at;
    return join(at, 'root');
  }

  it('fails STORAGE_FAILED with ENOSPC when the disk fills mid-stream, keeping the old object', async ({
    skip,
  }) => {
    const root = await tinyDisk('1m', skip);
    const storage = createFilesystemStorage({ name: 'tiny', root });
    const old = patternBytes(100_000);
    await storage.put('t/db/k', bodyOf([old]));
    const body = slowBody(patternBytes(4 * 1024 * 1024), 64 * 1024, 0);
    const error = await rejection(storage.put('t/db/k', body));
    expect(error).toMatchObject({ name: 'PortYardError', code: 'STORAGE_FAILED', cause: { code: 'ENOSPC' } });
    expect(error.message).toMatch(/^storage "tiny": cannot write ".*\.port-yard-tmp": ENOSPC/);
    expect(body.destroyed).toBe(true);
    expect((await getBytes(storage, 't/db/k')).equals(old)).toBe(true);
    expect(await readdir(join(root, 't', 'db'))).toEqual(['k']);
  });

  it('fails STORAGE_FAILED with EROFS on a read-only mount, while reads still work', async ({ skip }) => {
    const root = await tinyDisk('1m', skip);
    const storage = createFilesystemStorage({ name: 'ro', root });
    await storage.put('k', bodyOf([patternBytes(10)]));
    execFileSync('mount', ['-o', 'remount,ro', join(dir, 'mnt')], { stdio: 'pipe' });
    const refused = { code: 'STORAGE_FAILED', message: expect.stringMatching(/^storage "ro": .*EROFS/) };
    await expect(storage.put('k2', bodyOf([patternBytes(10)]))).rejects.toMatchObject(refused);
    await expect(storage.delete('k')).rejects.toMatchObject(refused);
    expect((await checkStorage(storage)).problem).toMatch(/^cannot write: storage "ro": .*EROFS/);
    expect(await visibleKeys(storage)).toEqual(['k']);
    expect((await getBytes(storage, 'k')).length).toBe(10);
  });

  it('the storage check (config check --storages) creates a missing root and leaves nothing in it', async () => {
    const root = join(dir, 'a', 'b');
    expect((await checkStorage(createFilesystemStorage({ name: 'fresh', root }))).problem).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('the storage check fails when a file stands where the root folder should be', async () => {
    await writeFile(join(dir, 'file'), 'not a folder');
    const root = join(dir, 'file', 'backups');
    const check = await checkStorage(createFilesystemStorage({ name: 'nas', root }));
    expect(check.problem).toContain(`cannot write: storage "nas": cannot create the folder "${root}`);
    expect(check.problem).toContain('ENOTDIR');
  });

  it.skipIf(isRoot)('the storage check fails on a root without write permission', async () => {
    await chmod(dir, 0o500);
    const check = await checkStorage(createFilesystemStorage({ name: 'locked', root: dir }));
    expect(check.problem).toContain('EACCES');
  });

  it('a put fails STORAGE_FAILED when a folder stands where the object goes, leaving no temp file', async () => {
    const root = join(dir, 'root');
    await mkdir(join(root, 't', 'k'), { recursive: true });
    await writeFile(join(root, 't', 'k', 'inside'), '');
    const storage = createFilesystemStorage({ name: 'local', root });
    const error = await rejection(storage.put('t/k', bodyOf([patternBytes(1000)])));
    expect(error).toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(await readdir(join(root, 't'))).toEqual(['k']);
  });

  it('a put fails STORAGE_FAILED when a file stands where a folder must be', async () => {
    const storage = createFilesystemStorage({ name: 'local', root: join(dir, 'root') });
    await storage.put('a', bodyOf([patternBytes(3)]));
    const error = await rejection(storage.put('a/b', bodyOf([patternBytes(3)])));
    expect(error).toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(await visibleKeys(storage)).toEqual(['a']);
  });

  it('a list fails STORAGE_FAILED when the root is a file, or a file stands where one of its folders should be', async () => {
    await writeFile(join(dir, 'file'), 'not a folder');
    const asRoot = createFilesystemStorage({ name: 'nas', root: join(dir, 'file') });
    await expect(visibleKeys(asRoot)).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: `storage "nas": ${join(dir, 'file')} is not a folder`,
    });
    const below = createFilesystemStorage({ name: 'nas', root: join(dir, 'file', 'backups') });
    await expect(visibleKeys(below)).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('a file is where a folder of the path should be'),
    });
  });

  it('a list of a root that does not exist yet is empty (the first backup creates it)', async () => {
    expect(await visibleKeys(createFilesystemStorage({ name: 'new', root: join(dir, 'later') }))).toEqual([]);
  });

  it('with createRoot false, a put and a file writer fail while the root is missing, creating nothing', async () => {
    const mountPoint = join(dir, 'mnt');
    await mkdir(mountPoint);
    const root = join(mountPoint, 'port-yard');
    const storage = createFilesystemStorage({ name: 'nas', root, createRoot: false });
    const refused = {
      code: 'STORAGE_FAILED',
      message: `storage "nas": ${root} does not exist, and storages.nas.createRoot is false: is the share mounted?`,
    };
    await expect(storage.put('t/db/a.sql.zst', bodyOf([patternBytes(3)]))).rejects.toMatchObject(refused);
    await expect(storage.openFileWriter!('t/db/b.sql.zst')).rejects.toMatchObject(refused);
    expect(await readdir(mountPoint)).toEqual([]);
    // Mounted (here: made): it works.
    await mkdir(root);
    await storage.put('t/db/a.sql.zst', bodyOf([patternBytes(3)]));
    expect(await visibleKeys(storage)).toEqual(['t/db/a.sql.zst']);
  });
});
