import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TargetConfig } from '@port-yard/shared';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { hostTag } from './process-folders.ts';
import { sweepStoppedProcessFolders } from './sweep-process-folders.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-sweep-staged-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stagingIn = (folder: string) => ({
  shop: { restore: { stagingDir: folder } } as unknown as TargetConfig,
});

it("removes the staged dumps of stopped processes in every target's stagingDir, and only those", async () => {
  const dead = join(dir, 'port-yard-restore-4000001-abc');
  const living = join(dir, `port-yard-restore-${process.pid}-def`);
  const other = join(dir, 'port-yard-secrets-4000001-ghi');
  for (const folder of [dead, living, other]) {
    await mkdir(folder);
    await writeFile(join(folder, 'dump'), 'INSERT INTO t VALUES (1);\n');
  }
  const targets = stagingIn(dir);
  expect((await sweepStoppedProcessFolders(targets)).stagedDumps).toEqual([dead]);
  expect((await readdir(dir)).sort()).toEqual([basename(living), basename(other)].sort());
});

// A stagingDir shared by containers (a cron job's and the agent's): another host's pid is no
// process here, so its folder, maybe a restore that is running, is left alone.
it("leaves another host's folders alone, and removes this host's of stopped processes", async () => {
  const ours = join(dir, `port-yard-restore-4000001-${hostTag}-abcdef`);
  const theirs = join(
    dir,
    `port-yard-restore-4000001-${hostTag === '00000000' ? '11111111' : '00000000'}-abcdef`,
  );
  for (const folder of [ours, theirs]) await mkdir(folder);
  expect((await sweepStoppedProcessFolders(stagingIn(dir))).stagedDumps).toEqual([ours]);
  expect(await readdir(dir)).toEqual([basename(theirs)]);
});
