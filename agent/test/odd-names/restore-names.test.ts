import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMariadb, mariadbServer, postgresServer } from '../support/servers.ts';
import {
  backedUp,
  connectionOf,
  createOddDatabase,
  dropOddDatabases,
  oddConfig,
  oddDatabases,
  oddDir,
  oddPrefix,
  tableValues,
  type OddDir,
} from './odd.ts';

/**
 * Restores whose destination name the server reads differently from Port-Yard, on the machine's
 * servers (only `py_odd_t<hex>_*` databases are made and dropped).
 */
const prefix = oddPrefix();
let dir: OddDir;

beforeAll(async () => {
  dir = await oddDir();
});

afterAll(async () => {
  await dropOddDatabases('mariadb', prefix).catch(() => undefined);
  await dropOddDatabases('postgres', prefix).catch(() => undefined);
  await dir?.cleanup();
});

describe('PostgreSQL: a name of at most 63 characters but more than 63 bytes', () => {
  // PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); the name rule counts characters.
  const padTo63Bytes = (start: string): string => {
    let name = start;
    if ((63 - Buffer.byteLength(name)) % 2 === 1) name += 'x';
    while (Buffer.byteLength(name + 'é') <= 63) name += 'é';
    return name;
  };
  const existing = padTo63Bytes(`${prefix}keep_`); // exactly 63 bytes: what PostgreSQL keeps of `longer`
  const longer = `${existing}${'é'.repeat(10)}`; // the same first 63 bytes, then more

  it('restore --to-database <longer name> never replaces the database its first 63 bytes name', async () => {
    expect([...longer].length).toBeLessThanOrEqual(63); // the config's rule accepts it
    expect(Buffer.byteLength(longer)).toBeGreaterThan(63);
    expect(Buffer.byteLength(existing)).toBe(63);
    const source = `${prefix}src`;
    await createOddDatabase('postgres', source, ['from the artifact']);
    await createOddDatabase('postgres', existing, ['KEEP ME: another database']);
    const cli = await oddConfig(dir, 'pg-long.json', {
      p: { ...connectionOf(postgresServer), databases: [source] },
    });
    const backup = await cli('backup', 'p', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);

    const restore = await cli('restore', artifact!.id, '--to-database', longer, '--yes');
    // Before: the plan said "REPLACES database <longer>" (pg_database.datname = $1 cuts the
    // parameter too), the safety backup was filed under <longer>, and the swap replaced <existing>.
    expect(await tableValues('postgres', existing)).toEqual(['KEEP ME: another database']);
    expect(restore.stderr).not.toMatch(/REPLACES database/);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('must be at most 63 bytes for PostgreSQL');
    expect(await oddDatabases('postgres', prefix)).not.toContain(longer);
  });
});

describe('MariaDB: open sessions are matched case- and accent-insensitively', () => {
  // information_schema.PROCESSLIST.DB is utf8mb3_general_ci: 'x_café' = 'x_cafe' = 'X_CAFE'.
  let other: mysql.Connection | undefined;
  afterAll(async () => {
    await other?.end().catch(() => undefined);
  });

  it('replacing x_café with --terminate-connections leaves a session on x_cafe alone', async () => {
    const target = `${prefix}café`;
    const bystander = `${prefix}cafe`;
    await createOddDatabase('mariadb', target, ['café']);
    await createOddDatabase('mariadb', bystander, ['cafe']);
    const cli = await oddConfig(dir, 'maria-accent.json', {
      m: { ...connectionOf(mariadbServer), databases: [target] },
    });
    const backup = await cli('backup', 'm', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);

    other = await connectMariadb(mariadbServer, bystander);
    const restore = await cli('restore', artifact!.id, '--yes', '--terminate-connections');
    expect(restore.code, restore.stderr).toBe(0);
    // Before, the restore KILLed this session, which never used the database being replaced
    // ("Connection lost: The server closed the connection").
    const [rows] = await other.query('SELECT v FROM t ORDER BY id');
    expect(rows).toEqual([{ v: 'cafe' }]);
    expect(restore.stderr).not.toMatch(/open connection/);
  });

  it('replacing x_UPPER is not refused because of a session on x_upper', async () => {
    const target = `${prefix}UPPER`;
    const bystander = `${prefix}upper`;
    const lowerCaseNames = await connectMariadb(mariadbServer).then(async (c) => {
      const [[row]] = (await c.query('SELECT @@lower_case_table_names AS l')) as unknown as [[{ l: number }]];
      await c.end();
      return Number(row.l);
    });
    if (lowerCaseNames !== 0) return; // the two names are one database there
    await createOddDatabase('mariadb', target, ['UPPER']);
    await createOddDatabase('mariadb', bystander, ['upper']);
    const cli = await oddConfig(dir, 'maria-case.json', {
      m: { ...connectionOf(mariadbServer), databases: [target] },
    });
    const backup = await cli('backup', 'm', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = backedUp(backup);

    const session = await connectMariadb(mariadbServer, bystander);
    try {
      const restore = await cli('restore', artifact!.id, '--yes');
      // Before: CONFLICT, "database x_UPPER has 1 open connection(s)", exit 1.
      expect(restore.code, restore.stderr).toBe(0);
      expect(await tableValues('mariadb', target)).toEqual(['UPPER']);
    } finally {
      await session.end();
    }
  });
});
