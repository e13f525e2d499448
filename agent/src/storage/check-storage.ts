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
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T | string> => {
    try {
      return await work();
    } catch (error) {
      return `cannot ${what}: ${(error as Error).message}`;
    }
  };

  const put = await step('write', () => storage.put(key, Readable.from([body])));
  if (typeof put === 'string') return done(put);
  let problem: string | undefined;
  const listed = await step('list', async () => {
    for await (const info of storage.list(checkPrefix)) if (info.key === key) return true;
    return false;
  });
  if (typeof listed === 'string') problem = listed;
  else if (!listed) problem = `cannot list: the object written (${key}) is not listed`;
  if (problem === undefined) {
    const read = await step('read back', async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
    if (typeof read === 'string') problem = read;
    else if (!read.equals(body))
      problem = `cannot read back: got ${read.length} bytes, not the ${body.length} written`;
  }
  // Deleted whatever else failed: a probe should not stay behind.
  const deleted = await step('delete (retention could not delete old backups)', () => storage.delete(key));
  if (typeof deleted === 'string') return done(problem ?? `${deleted}; remove ${key} by hand`);
  return done(problem);
}
