import { lstat, rmdir, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { errnoOf, isGone, storageFailed } from './filesystem-errors.ts';
import type { FileAt } from './filesystem-read.ts';

/**
 * `Storage.delete` on a file: idempotent (nothing there, or no object there, is success), then
 * removes the folders this left empty, up to but never including the root, so deleting every
 * artifact of a database leaves no empty `<target>/<database>/` skeleton behind.
 */
export async function deleteFile(root: string, file: FileAt): Promise<void> {
  try {
    if (!(await lstat(file.path)).isFile()) return; // a folder or a symlink is not an object
    await unlink(file.path);
  } catch (error) {
    if (!isGone(error)) throw storageFailed(file.storageName, 'delete', file.path, error);
  }
  await pruneEmptyFolders(root, dirname(file.path));
}

/**
 * Removes `folder`, then its parents, while they are empty and inside `root`. Best effort: an
 * empty folder is harmless (it is not an object), so failing to remove one never fails the caller.
 * A put racing with this recreates its folder (see `createTempFile`).
 */
export async function pruneEmptyFolders(root: string, folder: string): Promise<void> {
  for (let current = folder; isInside(root, current); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') return;
    }
  }
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot !== '' && fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot);
}
