import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('replaces the file and leaves no temp file behind', async () => {
  const path = join(dir, 'agents.json');
  await writeFile(path, 'old');
  await writeFileAtomic(path, 'new');
  expect(await readFile(path, 'utf8')).toBe('new');
  expect(await readdir(dir)).toEqual(['agents.json']);
});

it('leaves the old content and no temp file when the rename fails', async () => {
  // A directory in the way: rename(file, dir) fails after the temp file was written.
  const path = join(dir, 'taken');
  await writeFile(join(dir, 'keep'), 'x');
  await mkdir(join(path, 'inner'), { recursive: true });
  await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
  expect((await readdir(dir)).sort()).toEqual(['keep', 'taken']);
});
