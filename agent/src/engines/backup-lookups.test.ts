import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/harness/free-port.ts';
import { localMariadb, localPostgres } from '../../test/harness/temp-agent.ts';
import { mariadbExec, postgresExec, uniqueName } from '../../test/harness/sql.ts';
import { createEngineRegistry, engineFor } from './engine-registry.ts';
import type { BackupLookups, Engine } from './engine.ts';

/** A backup's four lookups share one connection, and answer as the engine's own methods do. */
const engines = createEngineRegistry();
const pgDatabase = uniqueName('py_lookups');
const mariaDatabase = uniqueName('py_lookups');

beforeAll(async () => {
  await postgresExec(`CREATE DATABASE ${pgDatabase}`);
  await postgresExec('CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); ANALYZE t', pgDatabase);
  await mariadbExec(`CREATE DATABASE ${mariaDatabase} CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
  await mariadbExec('CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)', mariaDatabase);
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
  await mariadbExec(`DROP DATABASE IF EXISTS ${mariaDatabase}`);
});

async function allOf(lookups: BackupLookups) {
  try {
    const [server, exists, tables, options] = await Promise.all([
      lookups.probe(),
      lookups.databaseExists(),
      lookups.tableEstimates(),
      lookups.databaseOptions(),
    ]);
    return { server, exists, tables, options };
  } finally {
    await lookups.close();
  }
}

/** What each lookup should find, read from the server directly (and the engine's own probe). */
async function postgresExpected(engine: Engine, database: string) {
  const { rows } = await postgresExec(
    `SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS "lcCollate", datctype AS "lcCtype"
     FROM pg_database WHERE datname = '${database}'`,
  );
  return {
    server: await engine.probe(localPostgres),
    exists: true,
    tables: [{ schema: 'public', name: 't', rows: 2, exact: false }],
    options: rows[0] as Record<string, string>,
  };
}

async function mariadbExpected(engine: Engine, database: string) {
  const [table] = (await mariadbExec(
    `SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = 't'`,
  )) as { n: number }[];
  return {
    server: await engine.probe(localMariadb),
    exists: true,
    tables: [{ name: 't', rows: Number(table!.n), exact: false }],
    options: { characterSet: 'latin1', collation: 'latin1_swedish_ci' },
  };
}

const cases = [
  {
    engine: 'postgres' as const,
    target: localPostgres,
    database: pgDatabase,
    connects: () => vi.spyOn(pg.Client.prototype, 'connect'),
    expectedOf: postgresExpected,
  },
  {
    engine: 'mariadb' as const,
    target: localMariadb,
    database: mariaDatabase,
    connects: () => vi.spyOn(mysql, 'createConnection'),
    expectedOf: mariadbExpected,
  },
];

describe.each(cases)('$engine backup lookups', ({ engine: name, target, database, connects, expectedOf }) => {
  const engine = engineFor(engines, name);

  it('answer as the server says, over one connection', async () => {
    const expected = await expectedOf(engine, database);
    const spy = connects();
    // pg warns (and 9.0 will refuse) when a query is sent while another runs on the connection.
    const warnings = vi.spyOn(process, 'emitWarning');
    try {
      const found = await allOf(engine.backupLookups(target, database));
      expect(found).toEqual(expected);
      expect(found.exists).toBe(true);
      expect(found.tables.map((table) => table.name)).toEqual(['t']);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      warnings.mockRestore();
    }
  });

  it('say a missing database does not exist, and still probe the server', async () => {
    const missing = uniqueName('py_lookups_missing');
    const lookups = engine.backupLookups(target, missing);
    try {
      expect(await lookups.databaseExists()).toBe(false);
      expect((await lookups.probe()).major).toBeGreaterThan(0);
      await expect(lookups.databaseOptions()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await lookups.close();
    }
  });

  it('fail every lookup with the connection failure, classified', async () => {
    // Nothing listens on a free port.
    const lookups = engine.backupLookups({ ...target, port: await freePort() }, database);
    try {
      await expect(lookups.probe()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
      await expect(lookups.databaseExists()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    } finally {
      await lookups.close();
    }
  });

  it('connect to nothing when none is asked, and may be closed twice', async () => {
    const spy = connects();
    try {
      const lookups = engine.backupLookups(target, database);
      await lookups.close();
      await lookups.close();
      expect(spy).not.toHaveBeenCalled();
      await expect(lookups.probe()).rejects.toThrow(/closed/);
    } finally {
      spy.mockRestore();
    }
  });
});

// A database just loaded has no table analyzed: every estimate was 0, which verification passes
// whatever the restore holds, and its "every table came out empty" check never fired.
describe('PostgreSQL table estimates without statistics', () => {
  const database = uniqueName('py_lookups_fresh');
  beforeAll(async () => {
    await postgresExec(`CREATE DATABASE ${database}`);
    await postgresExec(
      'CREATE TABLE fresh (id int); INSERT INTO fresh SELECT generate_series(1, 7); CREATE TABLE "odd ""name" (id int); INSERT INTO "odd ""name" VALUES (1)',
      database,
    );
  });
  afterAll(() => postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  // Another session's temporary table was listed (pg_dump dumps none: verification then failed a
  // good backup for a table "missing from the restored copy"), and its count failed them all.
  it('counts a small table never analyzed, still as an estimate, and leaves temporary tables out', async () => {
    const lookups = engineFor(engines, 'postgres').backupLookups(localPostgres, database);
    const { host, port, user } = localPostgres;
    const other = new pg.Client({ host, port, user, database });
    await other.connect();
    try {
      await other.query('CREATE TEMPORARY TABLE scratch (id int); INSERT INTO scratch VALUES (1)');
      expect(await lookups.tableEstimates()).toEqual([
        { schema: 'public', name: 'fresh', rows: 7, exact: false },
        { schema: 'public', name: 'odd "name', rows: 1, exact: false },
      ]);
    } finally {
      await lookups.close();
      await other.end();
    }
  });

  // It waited for the lock: the backup hung before its dump had even started.
  it('gives up counting a table another session holds locked, keeping its estimate', async () => {
    const { host, port, user } = localPostgres;
    const holder = new pg.Client({ host, port, user, database });
    await holder.connect();
    const lookups = engineFor(engines, 'postgres').backupLookups(localPostgres, database);
    try {
      await holder.query('BEGIN; LOCK TABLE fresh IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const tables = await lookups.tableEstimates();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(tables.find((table) => table.name === 'fresh')).toMatchObject({ rows: 0, exact: false });
    } finally {
      await lookups.close();
      await holder.end();
    }
  });
});
