import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PortYardConfig } from '@port-yard/shared';

/**
 * Filesystem storages whose folder does not exist. That is right before the first backup, but an
 * unmounted NAS looks the same: an empty storage. `list` says so, instead of a silent nothing.
 */
export async function missingStorageFolders(
  config: PortYardConfig,
): Promise<{ readonly storage: string; readonly path: string }[]> {
  const missing: { storage: string; path: string }[] = [];
  for (const [name, storage] of Object.entries(config.storages)) {
    if (storage.type !== 'filesystem') continue;
    const path = resolve(storage.path);
    const gone = await stat(path).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    if (gone) missing.push({ storage: name, path });
  }
  return missing;
}
