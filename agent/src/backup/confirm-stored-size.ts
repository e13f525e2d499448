import type { Storage } from '../storage/storage.ts';

/**
 * Asks each storage that acknowledged the data object whether it holds it, whole: its size must
 * be the bytes the stream stored. A store that answers "stored" and keeps nothing, or less (a
 * proxy, a misbehaving S3-compatible store), must not get a manifest that points at nothing.
 * Returns why, by storage name, for each that does not; those copies are removed again.
 */
export async function confirmStoredSizes(
  storages: readonly Storage[],
  key: string,
  storedBytes: number,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  await Promise.all(
    storages.map(async (storage) => {
      const problem = await storedSizeProblem(storage, key, storedBytes);
      if (problem === undefined) return;
      failures.set(storage.name, problem);
      await storage.delete(key).catch(() => undefined);
    }),
  );
  return failures;
}

/**
 * Why `storage` does not hold `key` whole (missing, another size, or it could not say), or
 * undefined when it does: one `stat`, no read.
 */
export async function storedSizeProblem(
  storage: Storage,
  key: string,
  storedBytes: number,
): Promise<string | undefined> {
  return storage.stat(key).then(
    (info) =>
      info === undefined
        ? 'the storage acknowledged the data object, but does not hold it'
        : info.size === storedBytes
          ? undefined
          : `the storage acknowledged the data object, but holds ${info.size} of its ${storedBytes} bytes`,
    (error: unknown) => `the stored data object could not be checked: ${(error as Error).message}`,
  );
}
