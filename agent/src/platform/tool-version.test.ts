import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bypassPgWrapper } from '../engines/postgres/debian-pg-wrapper.ts';
import { findExecutable } from './find-executable.ts';
import { compiledInLine, toolVersionText } from './tool-version.ts';

const run = promisify(execFile);

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
    await expect(toolVersionText(program, true)).rejects.toMatchObject({ code: 'DUMP_FAILED' });
    await expect(toolVersionText(program, true)).rejects.toMatchObject({ code: 'DUMP_FAILED' });
    expect(await runs()).toBe(2);
  });
});

describe('compiledInLine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-compiled-in-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const prefix = 'pg_dump (PostgreSQL) ';
  /** Random bytes without a `p`, so that they never start the prefix. */
  const noise = (size: number): Buffer =>
    Buffer.from(randomBytes(size).map((byte) => (byte === 0x70 ? 0x71 : byte)));
  /** A file that starts as an ELF program does, holding `strings` NUL-terminated among other bytes. */
  async function elf(...strings: string[]): Promise<string> {
    const path = join(dir, 'pg_dump');
    const parts = [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), noise(4096)];
    for (const text of strings) parts.push(Buffer.from(`${text}\0`, 'latin1'), noise(512));
    await writeFile(path, Buffer.concat(parts), { mode: 0o700 });
    return path;
  }

  it('reads the line the real pg_dump prints, without starting it', async () => {
    const pgDump = bypassPgWrapper((await findExecutable('pg_dump'))!);
    const printed = (await run(await pgDump, ['--version'])).stdout;
    expect(await compiledInLine(await pgDump, prefix)).toBe(printed);
  });

  it('finds one line, also when it is there twice', async () => {
    expect(await compiledInLine(await elf('usage', `${prefix}15.4 (Debian 15.4-1)`), prefix)).toBe(
      `${prefix}15.4 (Debian 15.4-1)\n`,
    );
    expect(await compiledInLine(await elf(`${prefix}15.4`, 'x', `${prefix}15.4`), prefix)).toBe(
      `${prefix}15.4\n`,
    );
  });

  it('leaves it to the program: two versions, none, a script, or an unprintable line', async () => {
    expect(await compiledInLine(await elf(`${prefix}15.4`, `${prefix}16.1`), prefix)).toBeUndefined();
    expect(await compiledInLine(await elf('usage'), prefix)).toBeUndefined();
    expect(await compiledInLine(await elf(`${prefix}15.4\n`), prefix)).toBeUndefined();
    const script = join(dir, 'script');
    await writeFile(script, `#!/bin/sh\necho '${prefix}15.4'\n\0`, { mode: 0o700 });
    expect(await compiledInLine(script, prefix)).toBeUndefined();
    expect(await compiledInLine(join(dir, 'missing'), prefix)).toBeUndefined();
  });

  it('is what toolVersionText answers for an engine program, which is then not started', async () => {
    // An ELF file that cannot run (not a real program): starting it would fail.
    const path = await elf(`${prefix}15.4`);
    expect(await toolVersionText(path, true, prefix)).toBe(`${prefix}15.4\n`);
    await expect(toolVersionText(path, false, prefix)).rejects.toThrow();
  });
});
