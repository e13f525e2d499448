import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Storage } from './storage.ts';

/** What `config check --storages` found for one storage. */
export interface StorageCheck {
  readonly storage: string;
  readonly location: string;
  /** Undefined when every step passed; else what failed, and why. */
  readonly problem?: string;
  readonly ms: number;
}

/** Where the probe goes: a folder of its own, never an artifact key. */
export const checkPrefix = 'port-yard-check/';

/**
 * Does to a storage what backups, restores and retention will do, with one small object: write
 * it (with the storage's own durability: fsync and rename, or an S3 upload), list it, read it
 * back, delete it. A storage that takes writes but refuses deletes (an S3 policy without
 * DeleteObject) would fill up, since retention could never delete an old backup; one that cannot
 * list would lose its backups from the catalog. Each is reported with the step that failed.
 */
export async function checkStorage(storage: Storage): Promise<StorageCheck> {
  const started = performance.now();
  const key = `${checkPrefix}${randomBytes(6).toString('hex')}.probe`;
  const body = Buffer.from(`port-yard storage check ${new Date().toISOString()}\n`);
  const done = (problem?: string): StorageCheck => ({
    storage: storage.name,
    location: storage.location,
    ...(problem === undefined ? {} : { problem }),
    ms: Math.round(performance.now() - started),
  });
  /** One step: undefined when it passed, else what failed and why. */
  const step = async (what: string, work: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await work();
      return undefined;
    } catch (error) {
      return `cannot ${what}: ${(error as Error).message}`;
    }
  };

  const written = await step('write', () => storage.put(key, Readable.from([body])));
  if (written !== undefined) return done(written);
  const problem =
    (await step('list', async () => {
      for await (const info of storage.list(checkPrefix)) if (info.key === key) return;
      throw new Error(`the object written (${key}) is not listed`);
    })) ??
    (await step('read back', async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
      const read = Buffer.concat(chunks);
      if (!read.equals(body)) throw new Error(`got ${read.length} bytes, not the ${body.length} written`);
    }));
  // Deleted whatever else failed: a probe should not stay behind.
  const deleted = await step('delete (retention could not delete old backups)', () => storage.delete(key));
  return done(problem ?? (deleted === undefined ? undefined : `${deleted}; remove ${key} by hand`));
}
