import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolVersionText } from './tool-version.ts';

describe('toolVersionText', () => {
  let dir: string;
  let program: string;
  let calls: string;

  /** A program that prints `version` and counts how often it ran. */
  async function writeProgram(version: string, exitCode = 0): Promise<void> {
    await writeFile(program, `#!/bin/sh\necho x >> '${calls}'\necho '${version}'\nexit ${exitCode}\n`, {
      mode: 0o700,
    });
  }
  const runs = async (): Promise<number> =>
    (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-tool-version-'));
    program = join(dir, 'pg_dump');
    calls = join(dir, 'calls');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks an engine program once while its file stays the same', async () => {
    await writeProgram('pg_dump (PostgreSQL) 15.4');
    expect(await toolVersionText(program, true)).toBe('pg_dump (PostgreSQL) 15.4\n');
    expect(await toolVersionText(program, true)).toBe('pg_dump (PostgreSQL) 15.4\n');
    expect(await runs()).toBe(1);
  });

  it('asks again once the file was replaced or touched (an upgrade)', async () => {
    await writeProgram('pg_dump (PostgreSQL) 15.4');
    await toolVersionText(program, true);
    await writeProgram('pg_dump (PostgreSQL) 16.1');
    const later = new Date(Date.now() + 5_000);
    await utimes(program, later, later);
    expect(await toolVersionText(program, true)).toBe('pg_dump (PostgreSQL) 16.1\n');
    expect(await runs()).toBe(2);
  });

  it('asks a configured program (a wrapper may run another) every time', async () => {
    await writeProgram('pg_dump (PostgreSQL) 15.4');
    await toolVersionText(program, false);
    await toolVersionText(program, false);
    expect(await runs()).toBe(2);
  });

  it('keeps at most 32 answers: the oldest program is asked again', async () => {
    const programs = Array.from({ length: 33 }, (_, index) => join(dir, `pg_dump-${index}`));
    for (const path of programs) {
      await writeFile(path, `#!/bin/sh\necho x >> '${calls}'\necho 'pg_dump (PostgreSQL) 15.4'\n`, {
        mode: 0o700,
      });
      await toolVersionText(path, true);
    }
    expect(await runs()).toBe(33);
    await toolVersionText(programs[32]!, true); // the newest is kept
    expect(await runs()).toBe(33);
    await toolVersionText(programs[0]!, true); // the oldest was dropped
    expect(await runs()).toBe(34);
  });

  it('does not keep a failure: the next call asks again', async () => {
    await writeProgram('broken', 3);
    await expect(toolVersionText(program, true)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(toolVersionText(program, true)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await runs()).toBe(2);
  });
});
