import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { isGone, storageFailed } from './filesystem-errors.ts';

export interface WalkedFile {
  /** The file's path on disk. */
  readonly path: string;
  /** Its path relative to the storage root, one entry per folder level (keys join them by '/'). */
  readonly segments: readonly string[];
}

export interface WalkStart {
  readonly storageName: string;
  readonly folder: string;
  readonly segments: readonly string[];
  /** Whether to enter a sub-folder, given its segments; every one unless said otherwise. */
  readonly descend?: (segments: readonly string[]) => boolean;
}

/**
 * Yields every regular file under `start.folder`, depth first, streaming (a folder of a million
 * files is never held in memory). Symbolic links are not followed: no loops, no escaping the root.
 * A folder that is missing or is not a folder yields nothing, and so does one removed while it is
 * walked (a concurrent delete): an empty prefix is not an error. Other OS errors are STORAGE_FAILED.
 */
export async function* walkFiles(start: WalkStart): AsyncGenerator<WalkedFile> {
  const { storageName, folder, segments, descend = () => true } = start;
  let entries;
  try {
    entries = await opendir(folder);
  } catch (error) {
    if (isGone(error)) return;
    throw storageFailed(storageName, 'list', folder, error);
  }
  try {
    for await (const entry of entries) {
      const path = join(folder, entry.name);
      const childSegments = [...segments, entry.name];
      if (entry.isDirectory()) {
        if (descend(childSegments)) yield* walkFiles({ ...start, folder: path, segments: childSegments });
      } else if (entry.isFile()) yield { path, segments: childSegments };
    }
  } catch (error) {
    if (isGone(error)) return;
    throw storageFailed(storageName, 'list', folder, error);
  }
}
