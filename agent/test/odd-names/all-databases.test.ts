import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariadbServer, startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { postgresMaintenanceDatabase, withPostgres } from '../support/servers.ts';
import {
  backedUp,
  connectionOf,
  createOddDatabase,
  listed,
  oddConfig,
  oddDir,
  quotePg,
  tableValues,
  type OddDir,
} from './odd.ts';

/**
 * `databases: all` backs up whatever the server lists, with names the config's own rule
 * (letters, digits, `_`, `$`, `-`) would refuse. On servers of their own (started here, on free
 * ports), so `all` covers only the `py_odd_*` databases made here.
 */
let maria: TestServer;
let pg: TestServer;
let dir: OddDir;

beforeAll(async () => {
  dir = await oddDir();
  [maria, pg] = await Promise.all([startMariadbServer(), startPostgresServer()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop()]);
  await dir?.cleanup();
});

describe('MariaDB, databases: all', () => {
  it('a database with a space in its name can be excluded', async () => {
    await createOddDatabase('mariadb', 'py_odd_with space', ['x'], maria);
    const cli = await oddConfig(dir, 'exclude.json', {
      m: { ...connectionOf(maria), databases: 'all', exclude: ['py_odd_with space'] },
    });
    // Before: exit 2, "targets.m.exclude[0]: must be letters, digits, _, $ or - ...", while
    // `databases: all` backed it up: a database that could not be left out.
    const check = await cli('config', 'check');
    expect(check.code, check.stderr).toBe(0);
  });

  it('an exclude entry that names no database is a warning of the run (a typo backs up what it meant to leave out)', async () => {
    await createOddDatabase('mariadb', 'py_odd_analytics', ['x'], maria);
    const cli = await oddConfig(dir, 'exclude-typo.json', {
      m: { ...connectionOf(maria), databases: 'all', exclude: ['py_odd_analytcs', 'mysql'] },
    });
    const backup = await cli('backup', 'm', '--database', 'py_odd_analytics', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).warnings).toEqual([
      'exclude names "py_odd_analytcs", which is no database on the server (a typo?)',
    ]);
    const text = await cli('backup', 'm', '--database', 'py_odd_analytics');
    expect(text.stderr).toContain(
      'warning: exclude names "py_odd_analytcs", which is no database on the server',
    );
    // A system database, which `all` leaves out anyway, is no typo.
    expect(text.stderr).not.toContain('"mysql"');
  });

  it("an artifact of `py_odd_it's` restores over its own database (the default restore)", async () => {
    const name = "py_odd_it's";
    await createOddDatabase('mariadb', name, ['before'], maria);
    const cli = await oddConfig(dir, 'quote.json', { m: { ...connectionOf(maria), databases: 'all' } });
    const backup = await cli('backup', 'm', '--database', name, '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);
    expect(artifact?.database).toBe(name);

    // Before: exit 2, `toDatabase "py_odd_it's" is not a valid database name` (no --to-database
    // was given): a backup taken with exit 0 that could only be restored under another name.
    const restore = await cli('restore', artifact!.id, '--yes');
    expect(restore.code, restore.stderr).toBe(0);
    expect(await tableValues('mariadb', name, maria)).toEqual(['before']);
  });

  it('a 64-character name (MariaDB allows 64) restores over its own database', async () => {
    const name = `py_odd_${'L'.repeat(57)}`;
    expect(name).toHaveLength(64);
    await createOddDatabase('mariadb', name, ['long'], maria);
    const cli = await oddConfig(dir, 'long.json', { m: { ...connectionOf(maria), databases: 'all' } });
    const backup = await cli('backup', 'm', '--database', name, '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);
    // Before: exit 2, "... (at most 63 characters ...)".
    const restore = await cli('restore', artifact!.id, '--yes');
    expect(restore.code, restore.stderr).toBe(0);
  });

  // Before: exit 0 and an id, stored as m/py_odd_sl/ash/<id>.sql.zst, which `list` skipped as
  // "not a Port-Yard artifact": a backup reported as stored that could be neither found nor
  // restored. Now the database fails, saying why and how to leave it out; `list` has nothing.
  it('a database with a `/` in its name fails, naming the rule and exclude, and stores nothing', async () => {
    const name = 'py_odd_sl/ash';
    await createOddDatabase('mariadb', name, ['slash'], maria);
    const cli = await oddConfig(dir, 'slash.json', { m: { ...connectionOf(maria), databases: 'all' } });
    const backup = await cli('backup', 'm', '--database', name);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain(`database "${name}" cannot be backed up: its name must be`);
    expect(backup.stderr).toContain("add it to the target's exclude");
    const list = await cli('list', 'm', '--json');
    expect(list.stderr).not.toMatch(/not a Port-Yard artifact/);
    expect(listed(list).filter((artifact) => artifact.database.startsWith('py_odd_sl'))).toEqual([]);
    const excluded = await oddConfig(dir, 'slash-excluded.json', {
      m: { ...connectionOf(maria), databases: 'all', exclude: [name] },
    });
    expect((await excluded('config', 'check')).code).toBe(0);
  });
});

describe('PostgreSQL, databases: all', () => {
  it('a database with `=` in its name is dumped as a database, not parsed as a libpq connection string', async () => {
    const name = 'py_odd_k=v';
    await createOddDatabase('postgres', name, ['equals'], pg);
    const cli = await oddConfig(dir, 'equals.json', { p: { ...connectionOf(pg), databases: 'all' } });
    // Before: DUMP_FAILED, `pg_dump: error: invalid connection option "py_odd_k"`: pg_dump got
    // --dbname=<name>, and libpq reads any dbname holding `=` (or starting postgresql://) as
    // conninfo. A database named `dbname=postgres host=elsewhere` would have been dumped from
    // another database or host, with the target's password (the pgpass line matches any host).
    const backup = await cli('backup', 'p', '--database', name, '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);
    expect(artifact?.database).toBe(name);
  });

  it("leaves out a restore's staging copy (half-loaded, or left by a killed restore), saying so", async () => {
    // What a restore over py_odd_shop loads into, and leaves behind when it is killed (kill -9).
    await createOddDatabase('postgres', 'py_odd_shop', ['kept'], pg);
    await createOddDatabase('postgres', 'py_odd_shop_pyr_0a1b2c3d', ['half'], pg);
    const cli = await oddConfig(dir, 'staging.json', { p: { ...connectionOf(pg), databases: 'all' } });
    const backup = await cli('backup', 'p', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const databases = backedUp(backup).map((artifact) => artifact.database);
    expect(databases).toContain('py_odd_shop');
    expect(databases).not.toContain('py_odd_shop_pyr_0a1b2c3d');
    expect(JSON.parse(backup.stdout).warnings).toContain(
      "left out py_odd_shop_pyr_0a1b2c3d: a restore's staging copy of py_odd_shop, being loaded or left by a restore that stopped (drop it once no restore of py_odd_shop runs)",
    );
  });

  it('backs up a database that a killed restore left refusing connections (its backup fails), not one closed on purpose', async () => {
    // A restore over py_odd_swap killed in its swap: connections to the original are blocked
    // and its staging copy is still there. Before: `all` left it out, unsaid, run after run.
    await createOddDatabase('postgres', 'py_odd_swap', ['kept'], pg);
    await createOddDatabase('postgres', 'py_odd_swap_pyr_0a1b2c3d', ['loaded'], pg);
    await createOddDatabase('postgres', 'py_odd_closed', ['closed'], pg);
    const close = (name: string, allow: boolean): Promise<unknown> =>
      withPostgres(pg, postgresMaintenanceDatabase, (c) =>
        c.query(`ALTER DATABASE ${quotePg(name)} WITH ALLOW_CONNECTIONS ${allow}`),
      );
    await close('py_odd_swap', false);
    await close('py_odd_closed', false);
    try {
      const cli = await oddConfig(dir, 'swap.json', { p: { ...connectionOf(pg), databases: 'all' } });
      const backup = await cli('backup', 'p', '--json');
      expect(backup.code, backup.stderr).toBe(1);
      const result = JSON.parse(backup.stdout) as { failures: { database: string; message: string }[] };
      expect(result.failures).toEqual([
        expect.objectContaining({
          database: 'py_odd_swap',
          message: expect.stringContaining('database "py_odd_swap" is not currently accepting connections'),
        }),
      ]);
      expect(backedUp(backup).map((artifact) => artifact.database)).not.toContain('py_odd_closed');
    } finally {
      await close('py_odd_swap', true);
      await close('py_odd_closed', true);
    }
  });
});
