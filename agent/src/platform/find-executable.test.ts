import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExecutable } from './find-executable.ts';

describe('findExecutable', () => {
  let dir: string;
  const folders = ['a', 'b', 'c', 'd'];
  const path = (): string => folders.map((name) => join(dir, name)).join(delimiter);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-find-exe-'));
    for (const name of folders) await mkdir(join(dir, name));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function tool(folder: string, mode: number): Promise<string> {
    const file = join(dir, folder, 'tool');
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, mode);
    return file;
  }

  it('takes the first folder in PATH order that has it, however the lookups finish', async () => {
    await tool('d', 0o755);
    const first = await tool('b', 0o755);
    expect(await findExecutable('tool', path())).toBe(first);
  });

  it('passes over a file that is not executable (even for root: no execute bit at all)', async () => {
    await tool('a', 0o644);
    const runnable = await tool('c', 0o755);
    expect(await findExecutable('tool', path())).toBe(runnable);
  });

  it('is undefined when no folder has it, or for an empty PATH', async () => {
    expect(await findExecutable('tool', path())).toBeUndefined();
    expect(await findExecutable('tool', '')).toBeUndefined();
  });

  it('takes a path as it is, if it can be run', async () => {
    const file = await tool('a', 0o755);
    expect(await findExecutable(file, '')).toBe(file);
    expect(await findExecutable(join(dir, 'a', 'missing'), path())).toBeUndefined();
  });
});
