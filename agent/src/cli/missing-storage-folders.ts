import { resolve } from 'node:path';
import type { PortYardConfig } from '@port-yard/shared';
import { rootIsMissing } from '../storage/filesystem-root.ts';

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
    if (await rootIsMissing(path)) missing.push({ storage: name, path });
  }
  return missing;
}
