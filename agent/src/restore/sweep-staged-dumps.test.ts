import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TargetConfig } from '@port-yard/shared';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sweepAbandonedStagedDumps } from './sweep-staged-dumps.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-sweep-staged-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("removes the staged dumps of stopped processes in every target's stagingDir, and only those", async () => {
  const dead = join(dir, 'port-yard-restore-4000001-abc');
  const living = join(dir, `port-yard-restore-${process.pid}-def`);
  const other = join(dir, 'port-yard-secrets-4000001-ghi');
  for (const folder of [dead, living, other]) {
    await mkdir(folder);
    await writeFile(join(folder, 'dump'), 'INSERT INTO t VALUES (1);\n');
  }
  const targets = { shop: { restore: { stagingDir: dir } } as unknown as TargetConfig };
  expect(await sweepAbandonedStagedDumps(targets)).toEqual([dead]);
  expect((await readdir(dir)).sort()).toEqual([basename(living), basename(other)].sort());
});
