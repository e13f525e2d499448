import { Readable } from 'node:stream';
import type { Manifest } from '@port-yard/shared';
import type { Storage } from '../storage/storage.ts';
import { noStorageLeft } from './destination-failures.ts';

/**
 * Writes the manifest to every storage that holds the data. Where that fails, the manifest and
 * then the data are removed again (no artifact there) and the failure is returned by storage
 * name; when it fails everywhere, the backup fails.
 */
export async function commitManifest(
  storages: readonly Storage[],
  key: string,
  manifest: Manifest,
  data: string,
): Promise<Map<string, string>> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const results = await Promise.allSettled(
    storages.map((storage) => storage.put(key, Readable.from([body]))),
  );
  const failures = new Map<string, string>();
  await Promise.all(
    results.map(async (result, index) => {
      if (result.status === 'fulfilled') return;
      const storage = storages[index]!;
      failures.set(storage.name, `writing the manifest failed: ${(result.reason as Error).message}`);
      // The manifest first: a put can fail after its object became visible (an answer lost).
      // Data goes only once its manifest is surely gone: a manifest without its data is worse
      // than data without a manifest (an orphan, which the retention pass sweeps).
      await storage
        .delete(key)
        .then(() => storage.delete(data))
        .catch(() => undefined);
    }),
  );
  if (failures.size === storages.length) throw noStorageLeft(failures, 'commit');
  return failures;
}
