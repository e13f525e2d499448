import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bypassPgWrapper } from './debian-pg-wrapper.ts';

describe('bypassPgWrapper', () => {
  let dir: string;
  const executable = async (path: string): Promise<void> => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, 0o755);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-pg-wrapper-'));
    await executable(join(dir, 'share/postgresql-common/pg_wrapper'));
    await mkdir(join(dir, 'bin'));
    for (const program of ['pg_dump', 'psql'])
      await symlink('../share/postgresql-common/pg_wrapper', join(dir, 'bin', program));
    await executable(join(dir, 'lib/9.6/bin/pg_dump'));
    await executable(join(dir, 'lib/15/bin/pg_dump'));
    await executable(join(dir, 'lib/15/bin/psql'));
    await executable(join(dir, 'lib/16/bin/psql')); // 16 has no pg_dump: only its client library
    await mkdir(join(dir, 'lib/not-a-version'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs the newest version that has the program, as pg_wrapper does with a host given', async () => {
    expect(await bypassPgWrapper(join(dir, 'bin/pg_dump'), join(dir, 'lib'))).toBe(
      join(dir, 'lib/15/bin/pg_dump'),
    );
    expect(await bypassPgWrapper(join(dir, 'bin/psql'), join(dir, 'lib'))).toBe(join(dir, 'lib/16/bin/psql'));
  });

  it('leaves anything else alone: a real binary, a missing program, no installed version', async () => {
    expect(await bypassPgWrapper(join(dir, 'lib/15/bin/pg_dump'), join(dir, 'lib'))).toBe(
      join(dir, 'lib/15/bin/pg_dump'),
    );
    await symlink('../share/postgresql-common/pg_wrapper', join(dir, 'bin/pg_restore'));
    expect(await bypassPgWrapper(join(dir, 'bin/pg_restore'), join(dir, 'lib'))).toBe(
      join(dir, 'bin/pg_restore'),
    );
    expect(await bypassPgWrapper(join(dir, 'bin/pg_dump'), join(dir, 'nowhere'))).toBe(
      join(dir, 'bin/pg_dump'),
    );
  });

  it.runIf(existsSync('/usr/share/postgresql-common/pg_wrapper'))(
    "on this machine: Debian's /usr/bin/pg_dump is the newest installed version's binary",
    async () => {
      expect(await bypassPgWrapper('/usr/bin/pg_dump')).toMatch(
        /^\/usr\/lib\/postgresql\/\d+\/bin\/pg_dump$/,
      );
    },
  );
});
