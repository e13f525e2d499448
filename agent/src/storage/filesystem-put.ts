import type { FileHandle } from 'node:fs/promises';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError } from '@port-yard/shared';
import { errnoOf, storageFailed } from './filesystem-errors.ts';
import { temporaryNameFor } from './filesystem-temp-name.ts';
import { makeFolders } from './make-folders.ts';

export interface FilesystemPut {
  readonly storageName: string;
  readonly key: string;
  readonly finalPath: string;
  readonly body: Readable;
  readonly signal: AbortSignal | undefined;
}

/** Which stream failed first: the body (the producer's failure) or the file (a storage failure). */
interface FirstFailure {
  origin: 'body' | 'write' | undefined;
}

export interface TempFile {
  readonly handle: FileHandle;
  readonly path: string;
  /** The highest folder `mkdir` had to create, if any: its parent's entry changed too. */
  readonly firstCreated: string | undefined;
}

/**
 * How the filesystem keeps `Storage.put`'s promises: stream into `.<name>.<random>.port-yard-tmp`
 * beside the final file, fsync it, rename it over the final name (atomic within one folder), then
 * fsync every folder whose entries changed. Until the rename nothing is visible under the key;
 * on any failure the temp file is removed (or, if even that fails, left for `sweepTemporary`).
 * At worst a failing folder fsync after the rename rejects with the object already visible but
 * maybe not durable; the caller then writes no manifest, so it is an orphan that retention removes.
 * Resolves to the number of bytes written.
 */
export async function putFile(put: FilesystemPut): Promise<number> {
  const folder = dirname(put.finalPath);
  const failure: FirstFailure = { origin: undefined };
  // Listen at once: a body failing while the folder is made must not become an uncaught error.
  put.body.on('error', () => (failure.origin ??= 'body'));
  let tempPath: string | undefined;
  try {
    throwIfCancelled(put);
    const temp = await createTempFile(put, folder);
    tempPath = temp.path;
    const bytes = await writeBody(put, temp, failure);
    throwIfCancelled(put);
    await rename(temp.path, put.finalPath).catch((error: unknown) => {
      throw storageFailed(put.storageName, 'rename a temporary file to', put.finalPath, error);
    });
    tempPath = undefined;
    for (const changed of foldersToSync(folder, temp.firstCreated)) {
      await syncFolder(put.storageName, changed);
    }
    return bytes;
  } catch (error) {
    if (!put.body.destroyed) put.body.destroy();
    // Cleanup never masks the first error; a temp file that cannot be removed is swept later.
    if (tempPath !== undefined) await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

export async function createTempFile(
  put: Pick<FilesystemPut, 'storageName' | 'finalPath'>,
  folder: string,
): Promise<TempFile> {
  let firstCreated: string | undefined;
  for (let attempt = 1; ; attempt++) {
    let attempted = { what: 'create the folder', path: folder };
    try {
      const created = await makeFolders(folder);
      // Of two created folders (one per attempt) the shorter path is the higher one.
      if (created !== undefined && (firstCreated === undefined || created.length < firstCreated.length)) {
        firstCreated = created;
      }
      const path = join(folder, temporaryNameFor(basename(put.finalPath)));
      attempted = { what: 'create', path };
      // 0600: a dump holds every row of the database.
      return { handle: await open(path, 'wx', 0o600), path, firstCreated };
    } catch (error) {
      // A delete prunes folders as soon as they are empty, which can fall between our mkdir and
      // open, or inside a recursive mkdir: then the folder is simply made again.
      if (errnoOf(error) !== 'ENOENT' || attempt === 5) {
        throw storageFailed(put.storageName, attempted.what, attempted.path, error);
      }
    }
  }
}

/**
 * One `pipeline` from body to file: back-pressure end to end, every stream destroyed on failure.
 * Which stream emitted the first error tells a failed body (rethrown unchanged) from a failed write.
 */
async function writeBody(put: FilesystemPut, temp: TempFile, failure: FirstFailure): Promise<number> {
  // `flush`: the stream fsyncs before it closes, and pipeline settles only after the close.
  const out = temp.handle.createWriteStream({ flush: true });
  out.on('error', () => (failure.origin ??= 'write'));
  try {
    await pipeline(put.body, out, { signal: put.signal });
    return out.bytesWritten;
  } catch (error) {
    throwIfCancelled(put);
    if (failure.origin !== 'write' && put.body.errored) throw put.body.errored;
    throw storageFailed(put.storageName, 'write', temp.path, error);
  }
}

export function throwIfCancelled(put: Pick<FilesystemPut, 'storageName' | 'key' | 'signal'>): void {
  const signal = put.signal;
  if (!signal?.aborted) return;
  throw new PortYardError('CANCELLED', `storage "${put.storageName}": put of "${put.key}" was cancelled`, {
    phase: 'store',
    cause: signal.reason,
  });
}

/** The folder of the file, then each parent up to and including the parent of `firstCreated`. */
export function foldersToSync(folder: string, firstCreated: string | undefined): string[] {
  const folders = [folder];
  if (firstCreated === undefined) return folders;
  const stop = dirname(firstCreated);
  for (let current = folder; current !== stop && dirname(current) !== current;) {
    current = dirname(current);
    folders.push(current);
  }
  return folders;
}

const unsyncableFolder = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'ENOENT']);

export async function syncFolder(storageName: string, folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms and filesystems cannot open or fsync a folder, and a folder a concurrent
    // delete already removed needs no fsync: there is nothing more to do.
    if (unsyncableFolder.has(errnoOf(error) ?? '')) return;
    throw storageFailed(storageName, 'fsync the folder', folder, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
