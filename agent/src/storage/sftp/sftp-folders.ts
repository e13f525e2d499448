import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { sftpCall } from './sftp-call.ts';
import type { SftpPlace } from './sftp-errors.ts';
import { isNoSuchFile, sftpFailed } from './sftp-errors.ts';

/**
 * `mkdir -p` over SFTP: creates `folder` and every missing parent. A folder that exists already
 * (made by a concurrent put, or there all along) is success; anything else there is STORAGE_FAILED.
 * SFTP has no "exists" status (OpenSSH says FAILURE for EEXIST), so a failed mkdir is followed by
 * a stat to tell "already a folder" from a real failure.
 */
export async function makeFolders(sftp: SFTPWrapper, place: SftpPlace, folder: string): Promise<void> {
  try {
    await sftpCall(sftp, (done) => sftp.mkdir(folder, { mode: 0o700 }, done));
    return;
  } catch (error) {
    const parent = posix.dirname(folder);
    if (isNoSuchFile(error) && parent !== folder && parent !== '.') {
      await makeFolders(sftp, place, parent);
      return makeFolders(sftp, place, folder);
    }
    const info = await sftpCall<Stats>(sftp, (done) => sftp.stat(folder, done)).catch(() => undefined);
    if (info?.isDirectory()) return;
    throw sftpFailed(place, 'create the folder', folder, error);
  }
}

/**
 * Removes the folders of `segments` (a key's folders, highest first) from the deepest up while
 * they are empty, never `base` itself. Best effort, as on the filesystem: an empty folder is not an
 * object, so a folder that cannot be removed (not empty, a put racing into it) stops the pruning
 * and fails nothing. A put that loses that race makes its folder again (see `openTempFile`).
 */
export async function pruneEmptyFolders(
  sftp: SFTPWrapper,
  base: string,
  folders: readonly string[],
): Promise<void> {
  for (let depth = folders.length; depth > 0; depth--) {
    const folder = posix.join(base, ...folders.slice(0, depth));
    try {
      await sftpCall(sftp, (done) => sftp.rmdir(folder, done));
    } catch (error) {
      if (!isNoSuchFile(error)) return;
    }
  }
}
