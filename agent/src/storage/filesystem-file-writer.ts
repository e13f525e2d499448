import { rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PortYardError } from '@port-yard/shared';
import { followFile } from './file-follower.ts';
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
 * is of what is really in the file, read back from it. Both the reading and the flushing follow
 * the writer while it writes (file-follower.ts), so little of either is left for the commit.
 */
export async function openFilesystemFileWriter(write: FilesystemFileWrite): Promise<FileWriter> {
  throwIfCancelled(write);
  const folder = dirname(write.finalPath);
  const temp = await createTempFile(write, folder);
  const follower = followFile(temp.handle, temp.path);
  let state: 'open' | 'committing' | 'ended' = 'open';
  let visible = false;
  const discard = async (): Promise<void> => {
    await follower.stop();
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
        const hashed = await follower.finish().catch(failed('read back and fsync', temp.path));
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
