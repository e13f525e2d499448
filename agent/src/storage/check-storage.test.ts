import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStorage } from './check-storage.ts';
import { createFilesystemStorage } from './filesystem-storage.ts';
import type { Storage } from './storage.ts';

describe('checkStorage on a real filesystem storage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-test-check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, lists, reads back and deletes a probe, and leaves nothing behind', async () => {
    const root = join(dir, 'backups');
    const check = await checkStorage(createFilesystemStorage({ name: 'local', root }));
    expect(check).toMatchObject({ storage: 'local', location: root });
    expect(check.problem).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('names the step that failed: a file where the folder should be cannot be written', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const check = await checkStorage(createFilesystemStorage({ name: 'nas', root: join(dir, 'file') }));
    expect(check.problem).toMatch(/^cannot write: storage "nas": /);
  });

  it('reports a storage that refuses deletes, which retention needs (injected fault)', async () => {
    const real = createFilesystemStorage({ name: 'local', root: join(dir, 'backups') });
    const noDelete: Storage = {
      ...real,
      delete: async () => {
        throw new Error('AccessDenied: s3:DeleteObject');
      },
    };
    const check = await checkStorage(noDelete);
    expect(check.problem).toMatch(
      /^cannot delete \(retention could not delete old backups\): AccessDenied: s3:DeleteObject; remove port-yard-check\/[0-9a-f]{12}\.probe by hand$/,
    );
  });
});
