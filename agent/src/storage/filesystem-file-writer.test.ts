import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTool } from '../platform/spawn-tool.ts';
import { createFilesystemStorage } from './filesystem-storage.ts';
import type { FileWriter } from './storage.ts';

/** `openFileWriter` on a filesystem: another process writes the temp file; commit makes it visible. */
const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function storageIn(): Promise<{ root: string; storage: ReturnType<typeof createFilesystemStorage> }> {
  const root = await mkdtemp(join(tmpdir(), 'py-file-writer-'));
  roots.push(root);
  return { root, storage: createFilesystemStorage({ name: 'local', root }) };
}

/** A child process writes `seq 1 <n>` into the writer's descriptor. */
async function writeFromChild(writer: FileWriter, n: number): Promise<void> {
  const child = spawnTool({ command: 'seq', args: ['1', String(n)] }, { stdout: writer.fd });
  expect(await child.exited).toEqual({ code: 0, signal: null });
}

async function allFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('filesystem openFileWriter', () => {
  it('shows nothing until commit, then the file with its size and sha256', async () => {
    const { root, storage } = await storageIn();
    const writer = await storage.openFileWriter!('t/db/a.sql');
    await writeFromChild(writer, 50_000);
    expect(await writer.size()).toBeGreaterThan(0);
    expect(await storage.stat('t/db/a.sql')).toBeUndefined();
    for await (const listed of storage.list('')) expect.fail(`listed ${listed.key} before the commit`);
    const committed = await writer.commit();
    const bytes = await readFile(join(root, 't', 'db', 'a.sql'));
    expect(bytes.toString()).toBe(`${Array.from({ length: 50_000 }, (_, i) => i + 1).join('\n')}\n`);
    expect(committed).toEqual({
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(await allFiles(root)).toEqual(['a.sql']);
  });

  it('replaces an existing object atomically on commit', async () => {
    const { root, storage } = await storageIn();
    const writer = await storage.openFileWriter!('a.sql');
    await writeFile(join(root, 'a.sql'), 'old');
    await writeFromChild(writer, 10);
    expect(await readFile(join(root, 'a.sql'), 'utf8')).toBe('old');
    await writer.commit();
    expect(await readFile(join(root, 'a.sql'), 'utf8')).toBe('1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n');
  });

  it('fails a commit it cannot finish with STORAGE_FAILED, removing the temp file', async () => {
    const { root, storage } = await storageIn();
    // A folder (not empty) already has the key's name: the rename into place fails.
    await mkdir(join(root, 'a.sql'));
    await writeFile(join(root, 'a.sql', 'keep'), 'kept');
    const writer = await storage.openFileWriter!('a.sql');
    await writeFromChild(writer, 1000);
    await expect(writer.commit()).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('rename'),
    });
    expect(await allFiles(root)).toEqual(['keep']);
    await writer.abort();
  });

  it('removes the temp file on abort, and abort twice is harmless', async () => {
    const { root, storage } = await storageIn();
    const writer = await storage.openFileWriter!('t/db/a.sql');
    await writeFromChild(writer, 1000);
    expect((await allFiles(root)).length).toBe(1);
    await writer.abort();
    await writer.abort();
    expect(await allFiles(root)).toEqual([]);
    await expect(writer.commit()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('refuses to commit after its signal aborted: CANCELLED, and nothing visible', async () => {
    const { root, storage } = await storageIn();
    const controller = new AbortController();
    const writer = await storage.openFileWriter!('a.sql', { signal: controller.signal });
    await writeFromChild(writer, 1000);
    controller.abort();
    await expect(writer.commit()).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await allFiles(root)).toEqual([]);
  });

  it('rejects keys the storage reserves, and cannot be opened after a cancel', async () => {
    const { storage } = await storageIn();
    await expect(storage.openFileWriter!('../a')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(storage.openFileWriter!('a/.b.x.port-yard-tmp')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(storage.openFileWriter!('a', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });

  it('names a folder that cannot be made as STORAGE_FAILED', async () => {
    const { root } = await storageIn();
    await writeFile(join(root, 'file'), 'not a folder');
    const storage = createFilesystemStorage({ name: 'local', root: join(root, 'file') });
    await expect(storage.openFileWriter!('t/a.sql')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('ENOTDIR'),
    });
  });
});
