import { resolve } from 'node:path';
import type { StorageConfig } from '@port-yard/shared';
import { assertRootUsable } from '../storage/filesystem-root.ts';
import type { Storage } from '../storage/storage.ts';

/** A key no backup ever writes: asking for it is the cheapest round trip a backend offers. */
export const probeKey = 'port-yard-readyz/probe';

/**
 * One cheap, read-only question to a storage: `stat` of a key that does not exist (a network
 * backend must connect and authenticate to answer it). Writing a probe object every few seconds
 * would wear an NFS share or cost S3 requests; `config check --storages` checks the write path.
 * A filesystem answers "not there" even when its folder can never exist (a file in the way), so
 * its root is looked at too: missing is fine (the first backup creates it), not a folder is not.
 */
export async function probeStorage(storage: Storage, config: StorageConfig | undefined): Promise<void> {
  await storage.stat(probeKey);
  if (config?.type === 'filesystem') await assertRootUsable(storage.name, resolve(config.path));
}
