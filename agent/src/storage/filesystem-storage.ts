import { lstat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PortYardError } from '@port-yard/shared';
import { isGone, storageFailed } from './filesystem-errors.ts';
import { deleteFile, pruneEmptyFolders } from './filesystem-delete.ts';
import { openFilesystemFileWriter } from './filesystem-file-writer.ts';
import { putFile } from './filesystem-put.ts';
import type { FileAt } from './filesystem-read.ts';
import { getFile, statFile } from './filesystem-read.ts';
import { isReservedSegment, isTemporaryName } from './filesystem-temp-name.ts';
import { assertRootExists, assertRootUsable } from './filesystem-root.ts';
import { walkFiles } from './filesystem-walk.ts';
import type { WalkedFile } from './filesystem-walk.ts';
import type { ObjectInfo, Storage } from './storage.ts';
import { assertStorageKey, assertStoragePrefix } from './storage-key.ts';

export interface FilesystemStorageOptions {
  readonly name: string;
  /** The folder that holds the objects; created on the first put. Key `a/b` is file `<root>/a/b`. */
  readonly root: string;
  /** false: a write needs `root` to exist already (a mount point's share must be mounted). */
  readonly createRoot?: boolean;
  /** Milliseconds since the epoch, for `sweepTemporary`'s age test; `Date.now` unless a test says. */
  readonly now?: () => number;
}

/**
 * A `Storage` on a local or mounted filesystem (a disk, NFS, SMB). Objects are plain files laid
 * out exactly as their keys, so an operator can restore with `cp` and `zstd` alone; temporary files
 * follow `filesystem-temp-name.ts`. Nothing touches the disk until a method is called.
 */
export function createFilesystemStorage(options: FilesystemStorageOptions): Storage {
  const { name } = options;
  const root = resolve(options.root);
  const now = options.now ?? Date.now;
  const createRoot = options.createRoot ?? true;
  const beforeWrite = async (): Promise<void> => {
    if (!createRoot) await assertRootExists(name, root);
  };
  const fileAt = (key: string): FileAt => {
    assertStorageKey(key);
    if (key.split('/').some(isReservedSegment)) {
      throw new PortYardError(
        'INVALID_INPUT',
        `storage key reserved for temporary files: ${JSON.stringify(key)}`,
      );
    }
    return { storageName: name, key, path: join(root, ...key.split('/')) };
  };

  return {
    name,
    location: root,
    async put(key, body, putOptions) {
      let file: FileAt;
      try {
        file = fileAt(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      try {
        await beforeWrite();
      } catch (error) {
        body.destroy();
        throw error;
      }
      const bytes = await putFile({
        storageName: name,
        key,
        finalPath: file.path,
        body,
        signal: putOptions?.signal,
      });
      return { bytes };
    },
    async openFileWriter(key, writeOptions) {
      const file = fileAt(key);
      await beforeWrite();
      return openFilesystemFileWriter({
        storageName: name,
        key,
        finalPath: file.path,
        signal: writeOptions?.signal,
      });
    },
    get: async (key, getOptions) => getFile(fileAt(key), getOptions),
    stat: async (key) => statFile(fileAt(key)),
    delete: async (key) => deleteFile(root, fileAt(key)),
    async *list(prefix) {
      assertStoragePrefix(prefix);
      await assertRootUsable(name, root);
      for await (const file of walkPrefix(name, root, prefix)) {
        const key = file.segments.join('/');
        if (!key.startsWith(prefix) || !isObjectKey(key)) continue;
        // A file deleted since the folder was read is simply no longer listed.
        const info: ObjectInfo | undefined = await statFile({ storageName: name, key, path: file.path });
        if (info !== undefined) yield info;
      }
    },
    async sweepTemporary(olderThanMs) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
        throw new PortYardError('INVALID_INPUT', `sweepTemporary needs an age >= 0 ms, got ${olderThanMs}`);
      }
      const stale = await findStaleTemporaryFiles(name, root, now() - olderThanMs);
      for (const file of stale) {
        await unlink(file.path).catch((error: unknown) => {
          if (!isGone(error)) throw storageFailed(name, 'remove the temporary file', file.path, error);
        });
        await pruneEmptyFolders(root, dirname(file.path));
      }
      return stale.map((file) => file.segments.join('/'));
    },
  };
}

/** Walks only the folders that can hold keys starting with `prefix`. */
function walkPrefix(storageName: string, root: string, prefix: string): AsyncGenerator<WalkedFile> {
  const lastSlash = prefix.lastIndexOf('/');
  const segments = lastSlash === -1 ? [] : prefix.slice(0, lastSlash).split('/');
  const descend = (folder: readonly string[]): boolean => {
    const folderKey = `${folder.join('/')}/`;
    return folderKey.startsWith(prefix) || prefix.startsWith(folderKey);
  };
  return walkFiles({ storageName, folder: join(root, ...segments), segments, descend });
}

/** Files on disk that no put could have made (a temp file, a stray `a\b`) are not objects. */
function isObjectKey(key: string): boolean {
  try {
    assertStorageKey(key);
  } catch {
    return false;
  }
  return !key.split('/').some((segment) => isReservedSegment(segment) || isTemporaryName(segment));
}

async function findStaleTemporaryFiles(
  storageName: string,
  root: string,
  cutoffMs: number,
): Promise<WalkedFile[]> {
  // Collected first, removed after: the walk never reads a folder that is being pruned.
  const stale: WalkedFile[] = [];
  for await (const file of walkFiles({ storageName, folder: root, segments: [] })) {
    if (!isTemporaryName(file.segments.at(-1) ?? '')) continue;
    const info = await lstat(file.path).catch((error: unknown) => {
      if (isGone(error)) return undefined;
      throw storageFailed(storageName, 'stat', file.path, error);
    });
    if (info !== undefined && info.mtimeMs < cutoffMs) stale.push(file);
  }
  return stale;
}
