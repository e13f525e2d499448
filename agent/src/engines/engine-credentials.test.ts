import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createEngineRegistry, engineFor } from './engine-registry.ts';
import type { ConnectionSettings } from './engine.ts';
import { parseMysqlToolVersion } from './mysql/mysql-dump-args.ts';
import { parsePostgresToolVersion } from './postgres/postgres-tool-env.ts';

/** Passwords never reach a command line: they live in a 0600 file that is removed after use. */
const password = 'p@ss"wo\\rd:with$specials';
const connection: ConnectionSettings = { host: 'db.example', port: 3307, user: 'backup', password };
const server = Promise.resolve({ flavor: 'MariaDB', version: '10.11.19-MariaDB', major: 10 });
const engines = createEngineRegistry();

async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('credentials of dump and restore commands', () => {
  it('mariadb: password in a 0600 option file named by --defaults-extra-file, removed by dispose', async () => {
    const dump = await engineFor(engines, 'mariadb').prepareDump({ connection, database: 'shop', server });
    const args = dump.command.args;
    expect(args.join(' ')).not.toContain(password);
    expect(args[0]).toMatch(/^--defaults-extra-file=/);
    expect(args).toEqual(
      expect.arrayContaining([
        '--single-transaction',
        '--quick',
        '--routines',
        '--triggers',
        '--events',
        '--hex-blob',
        '--default-character-set=utf8mb4',
      ]),
    );
    expect(args.at(-1)).toBe('shop');
    expect(dump.exitStatusTrusted).toBe(true);
    const file = args[0]!.slice('--defaults-extra-file='.length);
    expect(await fileMode(file)).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('password="p@ss\\"wo\\\\rd:with$specials"');
    expect(text).toContain('host="db.example"');
    expect(text).toContain('port=3307');
    await dump.dispose();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('postgres: password in a 0600 PGPASSFILE, never PGPASSWORD or argv', async () => {
    const dump = await engineFor(engines, 'postgres').prepareDump({
      connection: { ...connection, port: 5432 },
      database: 'shop',
      server: Promise.resolve({ flavor: 'PostgreSQL', version: '15.0', major: 15 }),
    });
    expect(dump.command.args).toEqual([
      '--format=custom',
      '--compress=0',
      '--no-password',
      "--dbname=dbname='shop'",
    ]);
    // pg_dump itself: its exit status says whether the dump is complete.
    expect(dump.exitStatusTrusted).toBe(true);
    expect(await dump.toolVersion).toMatch(/^1\d\.\d+/);
    const env = dump.command.env!;
    expect(env.PGPASSWORD).toBeUndefined();
    expect('PGPASSWORD' in env).toBe(true);
    expect(JSON.stringify(env)).not.toContain(password);
    expect(await fileMode(env.PGPASSFILE!)).toBe(0o600);
    expect(await readFile(env.PGPASSFILE!, 'utf8')).toBe('*:*:*:backup:p@ss"wo\\\\rd\\:with$specials\n');
    await dump.dispose();
    await expect(stat(env.PGPASSFILE!)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('postgres: refuses a pg_dump older than the server, naming both versions', async () => {
    const dump = await engineFor(engines, 'postgres').prepareDump({
      connection,
      database: 'shop',
      server: Promise.resolve({ flavor: 'PostgreSQL', version: '99.1', major: 99 }),
    });
    // The command is ready at once (the dump may start); its version check refuses it.
    await dump.dispose();
    await expect(dump.toolVersion).rejects.toMatchObject({
      code: 'VERSION_MISMATCH',
      message: expect.stringMatching(/pg_dump 1\d\.\d+ cannot dump PostgreSQL 99\.1/),
    });
  });
});

describe('tool version parsing', () => {
  it('reads MariaDB and MySQL dump tool versions', () => {
    expect(
      parseMysqlToolVersion(
        'mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
      ),
    ).toEqual({ version: '10.11.19-MariaDB', isMariadb: true });
    expect(
      parseMysqlToolVersion('mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)'),
    ).toEqual({ version: '8.0.36', isMariadb: false });
  });

  it('reads pg_dump versions', () => {
    expect(parsePostgresToolVersion('pg_dump (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)')).toEqual({
      version: '15.19',
      major: 15,
    });
    expect(parsePostgresToolVersion('pg_dump (PostgreSQL) 17.2')).toEqual({ version: '17.2', major: 17 });
  });
});
