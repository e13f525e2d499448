import type { FileHandle } from 'node:fs/promises';
import { open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { storageFailed } from './filesystem-errors.ts';
import { makeFolders } from './make-folders.ts';
import { temporaryNameFor } from './filesystem-temp-name.ts';

/**
 * Preflight for a filesystem storage (at startup, in `config check`): creates `root` if needed and
 * writes, fsyncs and removes a probe file in it, so a read-only mount, a full disk, a missing
 * permission or a file where the folder should be is reported before the first backup, not after
 * a dump. Rejects with STORAGE_FAILED naming the storage, the root and the OS code. The probe has
 * a temporary name: a crash mid-probe leaves nothing that `list` shows or `sweepTemporary` misses.
 */
export async function assertFilesystemWritable(root: string, storageName = 'filesystem'): Promise<void> {
  const folder = resolve(root);
  try {
    await makeFolders(folder);
  } catch (error) {
    throw storageFailed(storageName, 'create the root folder', folder, error);
  }
  const probe = join(folder, temporaryNameFor('port-yard-probe'));
  let handle: FileHandle | undefined;
  try {
    handle = await open(probe, 'wx', 0o600);
    await handle.write('port-yard write probe\n');
    await handle.sync();
  } catch (error) {
    throw storageFailed(storageName, 'write a probe file in the root folder', folder, error);
  } finally {
    await handle?.close().catch(() => undefined);
    if (handle !== undefined) await unlink(probe).catch(() => undefined);
  }
}
