import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepAbandonedFolders } from './process-folders.ts';
import { createSecretFiles, secretFilesPrefix } from './secret-files.ts';

describe('secret files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-test-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('live in a private folder named with the process id, removed by dispose', async () => {
    const secrets = await createSecretFiles();
    const file = await secrets.write('client.cnf', '[client]\npassword=x\n');
    expect(basename(join(file, '..'))).toMatch(new RegExp(`^port-yard-secrets-${process.pid}-`));
    await secrets.dispose();
    await expect(readdir(join(file, '..'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a sweep removes the folders of processes that are gone, and only those', async () => {
    const dead = join(dir, 'port-yard-secrets-4000001-abc');
    const living = join(dir, `port-yard-secrets-${process.pid}-def`);
    const unnamed = join(dir, 'port-yard-secrets-ghi');
    for (const folder of [dead, living, unnamed]) {
      await mkdir(folder);
      await writeFile(join(folder, 'client.cnf'), 'password=x\n');
    }
    const removed = await sweepAbandonedFolders(dir, [secretFilesPrefix], (pid) => pid === process.pid);
    expect(removed).toEqual([dead]);
    expect((await readdir(dir)).sort()).toEqual([basename(living), basename(unnamed)].sort());
  });
});
