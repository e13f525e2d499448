import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Manifest } from '@port-yard/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { commitManifest } from './commit-manifest.ts';

/**
 * A manifest put can fail after its object became visible (its answer lost). The cleanup removes
 * the manifest first and the data only then: a manifest left without its data would be an
 * artifact that cannot be restored; data left without a manifest is an orphan, swept later.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-commit-manifest-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const manifest = { artifactId: 'a' } as unknown as Manifest;
const manifestKey = 't/db/a.manifest.json';
const dataKey = 't/db/a.sql.zst';

/** A filesystem storage whose manifest put stores the manifest and then fails, as a lost answer does. */
function losingAnswers(name: string, options: { readonly deleteFails: boolean }): Storage {
  const storage = createFilesystemStorage({ name, root: join(dir, name) });
  return {
    ...storage,
    put: async (key, body, putOptions) => {
      const stored = await storage.put(key, body, putOptions);
      if (key.endsWith('.manifest.json')) throw new Error('socket hang up');
      return stored;
    },
    delete: (key) =>
      options.deleteFails && key.endsWith('.manifest.json')
        ? Promise.reject(new Error('socket hang up'))
        : storage.delete(key),
  };
}

async function filesOf(name: string): Promise<string[]> {
  return (await readdir(join(dir, name), { recursive: true })).filter((file) => file.includes('.')).sort();
}

describe('commitManifest', () => {
  it('keeps the data where the failed manifest could not be removed; removes both where it could', async () => {
    const stuck = losingAnswers('stuck', { deleteFails: true });
    const cleaned = losingAnswers('cleaned', { deleteFails: false });
    const healthy = createFilesystemStorage({ name: 'healthy', root: join(dir, 'healthy') });
    for (const storage of [stuck, cleaned, healthy])
      await storage.put(dataKey, Readable.from([Buffer.from('dump')]));

    const failures = await commitManifest([stuck, cleaned, healthy], manifestKey, manifest, dataKey);
    expect([...failures.keys()]).toEqual(['stuck', 'cleaned']);
    expect(await filesOf('stuck')).toEqual(['t/db/a.manifest.json', 't/db/a.sql.zst']);
    expect(await filesOf('cleaned')).toEqual([]);
    expect(await filesOf('healthy')).toEqual(['t/db/a.manifest.json', 't/db/a.sql.zst']);
  });
});
