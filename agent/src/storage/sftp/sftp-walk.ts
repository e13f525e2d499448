import { posix } from 'node:path';
import type { FileEntryWithStats, SFTPWrapper } from 'ssh2';
import { sftpCall } from './sftp-call.ts';
import type { SftpPlace } from './sftp-errors.ts';
import { isNoSuchFile, sftpFailed } from './sftp-errors.ts';

export interface SftpWalkedFile {
  readonly path: string;
  /** Its path below the base folder, one entry per level (keys join them with '/'). */
  readonly segments: readonly string[];
  readonly size: number;
  /** Whole seconds since the epoch, as SFTP v3 reports it. */
  readonly mtime: number;
}

export interface SftpWalk {
  readonly place: SftpPlace;
  readonly base: string;
  /** Where to start, below `base`. */
  readonly segments: readonly string[];
  /** Whether to enter a sub-folder, given its segments; every one unless said otherwise. */
  readonly descend?: (segments: readonly string[]) => boolean;
  /** Runs each READDIR (so the caller can hold the connection and retry on a dropped one). */
  readonly run: <T>(work: (sftp: SFTPWrapper) => Promise<T>) => Promise<T>;
}

/**
 * Yields every regular file below the start folder, depth first, one READDIR per folder. The
 * server reports entries as `lstat` sees them, so symbolic links are neither followed nor files:
 * no loops, no escaping the base. A folder that is missing, not a folder, or removed while walked
 * (a concurrent delete) yields nothing; other failures are STORAGE_FAILED.
 */
export async function* walkRemoteFiles(walk: SftpWalk): AsyncGenerator<SftpWalkedFile> {
  const { place, base, segments, descend = () => true } = walk;
  const folder = posix.join(base, ...segments);
  let entries: FileEntryWithStats[];
  try {
    entries = await walk.run((sftp) =>
      sftpCall<FileEntryWithStats[]>(sftp, (done) => sftp.readdir(folder, done)),
    );
  } catch (error) {
    if (isNoSuchFile(error)) return;
    throw sftpFailed(place, 'list', folder, error);
  }
  for (const entry of entries) {
    const childSegments = [...segments, entry.filename];
    if (entry.attrs.isDirectory()) {
      if (descend(childSegments)) yield* walkRemoteFiles({ ...walk, segments: childSegments });
    } else if (entry.attrs.isFile()) {
      const path = posix.join(folder, entry.filename);
      yield { path, segments: childSegments, size: entry.attrs.size, mtime: entry.attrs.mtime };
    }
  }
}
