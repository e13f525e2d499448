import type { FileHandle } from 'node:fs/promises';
import { constants, lstat, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import { errnoOf, isGone, storageFailed } from './filesystem-errors.ts';
import type { GetOptions, ObjectInfo } from './storage.ts';
import { assertByteRange } from './storage-key.ts';

// O_NOFOLLOW is POSIX; where it does not exist (Windows) the flag is 0 and symlinks are followed.
const noFollow = constants.O_NOFOLLOW ?? 0;
const notAFile = new Set(['EISDIR', 'ELOOP']);

export interface FileAt {
  readonly storageName: string;
  readonly key: string;
  readonly path: string;
}

/**
 * `Storage.get` on a file: opens it first, so a missing object rejects NOT_FOUND before any
 * stream exists, then streams the inclusive range (an `end` past the size is clamped by the read
 * stream itself; a `start` past it reads nothing). Only regular files are objects: a folder or a
 * symbolic link is NOT_FOUND, as `list` never shows them either.
 */
export async function getFile(file: FileAt, options: GetOptions = {}): Promise<Readable> {
  const { range, signal } = options;
  if (range !== undefined) assertByteRange(range);
  if (signal?.aborted) {
    const message = `storage "${file.storageName}": get of "${file.key}" was cancelled`;
    throw new PortYardError('CANCELLED', message, { cause: signal.reason });
  }
  let handle: FileHandle;
  try {
    handle = await open(file.path, constants.O_RDONLY | noFollow);
  } catch (error) {
    // Windows refuses to open a folder (EISDIR); Linux opens it and fstat tells. ELOOP: a symlink.
    if (isGone(error) || notAFile.has(errnoOf(error) ?? '')) throw notFound(file);
    throw storageFailed(file.storageName, 'open', file.path, error);
  }
  const isFile = await handle.stat().then(
    (info) => info.isFile(),
    (error: unknown) => storageFailed(file.storageName, 'stat', file.path, error),
  );
  if (isFile !== true) {
    await handle.close().catch(() => undefined);
    throw isFile === false ? notFound(file) : isFile;
  }
  return handle.createReadStream({
    start: range?.start ?? 0,
    ...(range?.end === undefined ? {} : { end: range.end }),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** `Storage.stat` on a file: undefined unless a regular file (not a folder, not a symlink) is there. */
export async function statFile(file: FileAt): Promise<ObjectInfo | undefined> {
  try {
    const info = await lstat(file.path);
    return info.isFile() ? { key: file.key, size: info.size, modifiedAt: info.mtime } : undefined;
  } catch (error) {
    if (isGone(error)) return undefined;
    throw storageFailed(file.storageName, 'stat', file.path, error);
  }
}

function notFound(file: FileAt): PortYardError {
  return new PortYardError('NOT_FOUND', `storage "${file.storageName}": no object "${file.key}"`);
}
