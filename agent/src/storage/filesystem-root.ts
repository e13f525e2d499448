import { stat } from 'node:fs/promises';
import { PortYardError } from '@port-yard/shared';
import { errnoOf } from './filesystem-errors.ts';

/**
 * A filesystem storage's root may be missing (the first backup creates it) but must not be
 * something else: a file there, or a file where one of its parent folders should be, would list as
 * an empty storage and fail only the next backup, after its dump. STORAGE_FAILED naming the
 * storage and the path; other OS errors (EACCES) too.
 */
export async function assertRootUsable(storageName: string, root: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(root)).isDirectory();
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return;
    const reason = code === 'ENOTDIR' ? 'a file is where a folder of the path should be' : code;
    throw new PortYardError('STORAGE_FAILED', `storage "${storageName}": cannot use ${root}: ${reason}`, {
      phase: 'store',
      cause: error,
    });
  }
  if (!isFolder)
    throw new PortYardError('STORAGE_FAILED', `storage "${storageName}": ${root} is not a folder`, {
      phase: 'store',
    });
}

/** Whether nothing is at `root` (ENOENT); any other answer, an error included, is not "missing". */
export async function rootIsMissing(root: string): Promise<boolean> {
  return stat(root).then(
    () => false,
    (error: unknown) => errnoOf(error) === 'ENOENT',
  );
}

/** `createRoot: false`: the root must be there already (a share mounted on it), and a folder. */
export async function assertRootExists(storageName: string, root: string): Promise<void> {
  if (await rootIsMissing(root))
    throw new PortYardError(
      'STORAGE_FAILED',
      `storage "${storageName}": ${root} does not exist, and storages.${storageName}.createRoot is false: is the share mounted?`,
      { phase: 'store' },
    );
  await assertRootUsable(storageName, root);
}
