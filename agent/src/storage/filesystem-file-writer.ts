import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PortYardError } from '@port-yard/shared';
import { storageFailed } from './filesystem-errors.ts';
import {
  createTempFile,
  foldersToSync,
  syncFolder,
  throwIfCancelled,
  type FilesystemPut,
} from './filesystem-put.ts';
import type { CommittedFile, FileWriter } from './storage.ts';

export type FilesystemFileWrite = Omit<FilesystemPut, 'body'>;

/**
 * `Storage.openFileWriter` on a filesystem: the temp file of `putFile`, handed to another process.
 * The commit keeps `putFile`'s promises (fsync, rename, fsync of the changed folders); the sha256
 * is computed by reading the file back while it is fsynced, so the two overlap, and it is the hash
 * of what is really in the file.
 */
export async function openFilesystemFileWriter(write: FilesystemFileWrite): Promise<FileWriter> {
  throwIfCancelled(write);
  const folder = dirname(write.finalPath);
  const temp = await createTempFile(write, folder);
  let state: 'open' | 'committing' | 'ended' = 'open';
  let visible = false;
  const discard = async (): Promise<void> => {
    await temp.handle.close().catch(() => undefined);
    // A temp file that cannot be removed is left for `sweepTemporary`.
    if (!visible) await unlink(temp.path).catch(() => undefined);
  };
  const failed = (attempt: string, path: string) => (error: unknown) => {
    throw storageFailed(write.storageName, attempt, path, error);
  };

  return {
    fd: temp.handle.fd,
    async size() {
      if (state === 'ended') return 0;
      return (await temp.handle.stat()).size;
    },
    async commit(): Promise<CommittedFile> {
      if (state !== 'open') {
        throw new PortYardError('INTERNAL', `file writer for "${write.key}" was already ${state}`);
      }
      state = 'committing';
      try {
        throwIfCancelled(write);
        const [hashed] = await Promise.all([
          hashFile(temp.path).catch(failed('read back', temp.path)),
          temp.handle.sync().catch(failed('fsync', temp.path)),
        ]);
        await temp.handle.close().catch(failed('close', temp.path));
        throwIfCancelled(write);
        await rename(temp.path, write.finalPath).catch(failed('rename a temporary file to', write.finalPath));
        visible = true;
        for (const changed of foldersToSync(folder, temp.firstCreated)) {
          await syncFolder(write.storageName, changed);
        }
        return hashed;
      } catch (error) {
        await discard();
        throw error;
      } finally {
        state = 'ended';
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'ended';
      await discard();
    },
  };
}

/**
 * Reads the file back through its own descriptor (the writer's is write-only), into one reused
 * buffer: a new buffer per chunk would let ~100 MB of garbage pile up before a collection.
 */
async function hashFile(path: string): Promise<CommittedFile> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const handle = await open(path, 'r');
  try {
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) return { bytes, sha256: hash.digest('hex') };
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
