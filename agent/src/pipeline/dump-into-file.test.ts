import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zstdDecompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { trailerCheck } from '../engines/completion-checks.ts';
import { findExecutable } from '../platform/find-executable.ts';
import type { ToolCommand } from '../platform/spawn-tool.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { createCodec } from './compression.ts';
import { streamDump, type StreamDumpRequest } from './stream-dump.ts';
import { zstdDirect, type DirectEnds } from './zstd-direct.ts';

/**
 * streamDump's fast path (one filesystem destination, zstd): the dump tool and zstd are real
 * processes joined by a kernel pipe, and zstd writes the storage's temp file itself.
 */
const run = promisify(execFile);
const fakeDump = (script: string): ToolCommand => ({ command: 'sh', args: ['-c', script] });
const completeDump = fakeDump('seq 1 200000; echo "-- Dump completed on 2026-11-26"');
const key = 't/db/a.sql.zst';
const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

/** A filesystem storage whose `put` must not be used: the bytes go through `openFileWriter`. */
async function fileOnlyStorage(root?: string, name = 'local'): Promise<{ storage: Storage; root: string }> {
  const folder = root ?? (await mkdtemp(join(tmpdir(), 'py-into-file-')));
  if (root === undefined) roots.push(folder);
  const storage = createFilesystemStorage({ name, root: folder });
  return {
    root: folder,
    storage: {
      ...storage,
      put: (_key, body) => {
        // As the contract says of a rejected put: the body is destroyed.
        body.destroy();
        return Promise.reject(new Error('put was used: the fast path was not taken'));
      },
    },
  };
}

async function request(overrides: Partial<StreamDumpRequest> & Pick<StreamDumpRequest, 'storages'>) {
  return {
    dump: completeDump,
    dumpName: 'fake-dump',
    completion: trailerCheck('-- Dump completed', 'fake-dump'),
    codec: await createCodec('zstd'),
    key,
    ...overrides,
  } satisfies StreamDumpRequest;
}

/** Every file below `root`, temp files included (they start with a dot). */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('streamDump into a local file (dump | zstd > temp file)', () => {
  it('commits the compressed dump with its size and the sha256 of the stored bytes', async () => {
    const { storage, root } = await fileOnlyStorage();
    const progress: [number, number][] = [];
    let startedAt: number | undefined;
    const result = await streamDump(
      await request({
        storages: [storage],
        dump: fakeDump('seq 1 400000; sleep 1.2; echo "-- Dump completed"'),
        onBytes: (raw, stored) => progress.push([raw, stored]),
        onDumpStarted: () => (startedAt ??= Date.now()),
      }),
    );
    // Told of the dump's start at once, not at its end (the backup's SQL checks wait for it): the
    // dump sleeps 1.2 s after its output, so its start came well before the backup ended.
    expect(Date.now() - startedAt!).toBeGreaterThanOrEqual(1000);
    const stored = await readFile(join(root, ...key.split('/')));
    const expected = `${Array.from({ length: 400_000 }, (_, i) => i + 1).join('\n')}\n-- Dump completed\n`;
    expect(zstdDecompressSync(stored).toString()).toBe(expected);
    expect(result).toEqual({
      rawBytes: Buffer.byteLength(expected),
      storedBytes: stored.length,
      sha256: createHash('sha256').update(stored).digest('hex'),
      destinations: [{ storage: 'local', committed: true }],
    });
    expect(await filesBelow(root)).toEqual(['a.sql.zst']);
    // Progress while the dump sleeps: the raw bytes zstd has read.
    // (zstd -T0 writes whole jobs of several MB, so a small dump shows no stored bytes before its end.)
    expect(progress.some(([raw]) => raw > 1_000_000)).toBe(true);
  });

  it('works without mkfifo: the dump reaches zstd through a socket pair instead', async () => {
    // A PATH with the dump's own programs but no mkfifo: createOsPipe makes no pipe, and the dump
    // tool's stdout becomes Node's socket pair, handed to zstd as its stdin.
    const bin = await mkdtemp(join(tmpdir(), 'py-no-mkfifo-'));
    roots.push(bin);
    for (const program of ['sh', 'seq']) {
      const found = await findExecutable(program);
      if (!found) throw new Error(`${program} is not installed`);
      await symlink(found, join(bin, program));
    }
    const { storage, root } = await fileOnlyStorage();
    const direct = await request({ storages: [storage] }); // finds zstd on the real PATH first
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      expect(await findExecutable('mkfifo')).toBeUndefined();
      const result = await streamDump(direct);
      const stored = await readFile(join(root, ...key.split('/')));
      const expected = `${Array.from({ length: 200_000 }, (_, i) => i + 1).join('\n')}\n-- Dump completed on 2026-11-26\n`;
      expect(zstdDecompressSync(stored).toString()).toBe(expected);
      expect(result).toMatchObject({
        rawBytes: Buffer.byteLength(expected),
        storedBytes: stored.length,
        sha256: createHash('sha256').update(stored).digest('hex'),
      });
    } finally {
      process.env.PATH = path;
    }
  });

  it('fails with DUMP_FAILED when the dump tool fails, and leaves no file', async () => {
    const { storage, root } = await fileOnlyStorage();
    const result = streamDump(
      await request({ storages: [storage], dump: fakeDump('seq 1 100000; echo boom >&2; exit 3') }),
    );
    await expect(result).rejects.toMatchObject({
      code: 'DUMP_FAILED',
      phase: 'dump',
      message: 'fake-dump exited with code 3: boom',
    });
    expect(await filesBelow(root)).toEqual([]);
  });

  it('fails with DUMP_FAILED when the dump tool wrote nothing', async () => {
    const { storage, root } = await fileOnlyStorage();
    const result = streamDump(await request({ storages: [storage], dump: fakeDump('true') }));
    await expect(result).rejects.toMatchObject({ code: 'DUMP_FAILED', message: 'fake-dump wrote nothing' });
    expect(await filesBelow(root)).toEqual([]);
  });

  it('fails with COMPRESS_FAILED when zstd fails, stops the dump, and leaves no file', async () => {
    const { storage, root } = await fileOnlyStorage();
    const codec = {
      ...(await createCodec('zstd')),
      compressFrom: (ends: DirectEnds) => zstdDirect('/bin/false', 3, ends),
    };
    const started = Date.now();
    // The dump would never end: it must be stopped by the broken pipe once zstd is gone.
    const result = streamDump(
      await request({ storages: [storage], codec, dump: fakeDump('while true; do seq 1 1000; done') }),
    );
    await expect(result).rejects.toMatchObject({
      code: 'COMPRESS_FAILED',
      message: 'zstd exited with code 1',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await filesBelow(root)).toEqual([]);
  });

  it('cancels on abort: both processes stopped, CANCELLED, no file', async () => {
    const { storage, root } = await fileOnlyStorage();
    const controller = new AbortController();
    const result = streamDump(
      await request({
        storages: [storage],
        dump: fakeDump('while true; do seq 1 1000; sleep 0.05; done'),
        signal: controller.signal,
        onBytes: (raw) => {
          if (raw > 0) controller.abort();
        },
      }),
    );
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await filesBelow(root)).toEqual([]);
  });

  it('stops at once on a cancel that lands while the file and the pipe are being made', async () => {
    // Whenever the abort comes, a dump that would run for 30 s is stopped within seconds.
    for (const delayMs of [0, 1, 2, 4, 8, 16]) {
      const { storage, root } = await fileOnlyStorage();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delayMs);
      const started = Date.now();
      const result = streamDump(
        await request({
          storages: [storage],
          dump: fakeDump('sleep 30; echo "-- Dump completed"'),
          signal: controller.signal,
        }),
      );
      await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await filesBelow(root)).toEqual([]);
    }
  });

  it('names a storage folder that cannot be created as STORAGE_FAILED', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'py-into-file-'));
    roots.push(parent);
    await writeFile(join(parent, 'file'), 'a file where the storage folder should be');
    const { storage } = await fileOnlyStorage(join(parent, 'file', 'backups'));
    const result = streamDump(await request({ storages: [storage] }));
    await expect(result).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('ENOTDIR'),
    });
  });

  it('names a full disk as STORAGE_FAILED with ENOSPC, and leaves no temp file', async (context) => {
    const mountPoint = await mkdtemp(join(tmpdir(), 'py-into-file-tiny-'));
    roots.push(mountPoint);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    } catch (error) {
      context.skip(`cannot mount a tiny tmpfs here: ${(error as Error).message}`);
    }
    try {
      const { storage } = await fileOnlyStorage(join(mountPoint, 'backups'));
      await mkdir(join(mountPoint, 'backups'));
      // Random bytes do not compress: 4 MB cannot fit in 1 MB.
      const result = streamDump(
        await request({ storages: [storage], dump: fakeDump('head -c 4000000 /dev/urandom') }),
      );
      await expect(result).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
        phase: 'store',
        message: expect.stringContaining('ENOSPC'),
      });
      expect(await filesBelow(mountPoint)).toEqual([]);
    } finally {
      await run('umount', [mountPoint]);
    }
  });

  it('takes the general path for several destinations', async () => {
    const { storage } = await fileOnlyStorage();
    const second = await fileOnlyStorage(undefined, 'second');
    // Both refuse `put`, so taking the general path shows as their failure.
    const result = streamDump(await request({ storages: [storage, second.storage] }));
    await expect(result).rejects.toMatchObject({ message: expect.stringContaining('put was used') });
  });
});
