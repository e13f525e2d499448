import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionSettings } from '../src/engines/engine.ts';
import {
  mysqlFingerprint,
  mysqlFingerprintDetails,
  timedViewQueries,
} from '../src/engines/mysql/mysql-fingerprint.ts';
import { schemaViewQueries } from '../src/engines/mysql/mysql-fingerprint-schema.ts';
import {
  postgresFingerprint,
  postgresFingerprintDetails,
} from '../src/engines/postgres/postgres-fingerprint.ts';
import { runCli } from './support/run-cli.ts';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/sample-databases.ts';
import {
  cliEnv,
  mariadbCliArgs,
  mariadbServer,
  postgresCliArgs,
  postgresServer,
  withMariadb,
  withPostgres,
} from './support/servers.ts';
import type { ServerSettings } from './support/servers.ts';

/**
 * The skip-if-unchanged fingerprints against the real servers: stable when nothing changed (also
 * across a real dump and changes in another database), different after every kind of change.
 */

const settings = (server: ServerSettings): ConnectionSettings => ({
  host: server.host,
  port: server.port,
  user: server.user,
  password: server.password === '' ? undefined : server.password,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// "Unchanged" may rightly turn into "changed" when another test's long transaction started in the
// same second as our last write (the guard errs towards backing up): those tests retry.
describe('MariaDB fingerprint', { timeout: 120_000 }, () => {
  const connection = settings(mariadbServer);
  const db = uniqueDatabaseName('fp_my');
  const other = uniqueDatabaseName('fp_my_other');
  const exec = (database: string, ...statements: string[]) =>
    withMariadb(mariadbServer, database, async (c) => {
      for (const sql of statements) await c.query(sql);
    });

  /**
   * Waits out the "unsure" guards: a fingerprint that is different only because of its random
   * nonce would prove nothing about the facts behind it. Usually 2 s (a write in the last 2 s);
   * longer when another test's dump happened to start in the same second as our last write.
   */
  async function settled(): Promise<string> {
    for (let waited = 0; ; waited += 250) {
      const details = await mysqlFingerprintDetails(connection, db);
      if (details.unsure.length === 0) return details.fingerprint;
      if (waited > 40_000) throw new Error(`never settled: ${details.unsure.join('; ')}`);
      await sleep(250);
    }
  }

  beforeAll(async () => {
    await createDatabase('mariadb', db);
    await createDatabase('mariadb', other);
    await exec(
      db,
      'CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB',
      'INSERT INTO t (v) VALUES (1), (2), (3), (4)',
      'CREATE TABLE k (id INT PRIMARY KEY) ENGINE=InnoDB', // no AUTO_INCREMENT to give TRUNCATE away
      'INSERT INTO k VALUES (1), (2)',
      `CREATE TABLE p (id INT PRIMARY KEY, v INT) ENGINE=InnoDB
         PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)`,
      'INSERT INTO p VALUES (1, 1), (20, 1)',
      'CREATE TABLE m (id INT PRIMARY KEY, v INT) ENGINE=MyISAM',
      'INSERT INTO m VALUES (1, 1)',
      'CREATE TABLE mem (id INT PRIMARY KEY, v INT) ENGINE=MEMORY',
      'INSERT INTO mem VALUES (1, 1)',
      'CREATE SEQUENCE s NOCACHE',
      'CREATE TABLE dropme (id INT) ENGINE=InnoDB',
      'INSERT INTO dropme VALUES (1)',
    );
    await exec(other, 'CREATE TABLE o (id INT PRIMARY KEY) ENGINE=InnoDB', 'INSERT INTO o VALUES (1)');
  });

  afterAll(async () => {
    await dropDatabase('mariadb', db);
    await dropDatabase('mariadb', other);
  });

  it('reads only its own database: no query makes MariaDB open every table on the server', async () => {
    // Filtered on a column MariaDB cannot look the database up by, an information_schema query
    // opens every table of every database (slow on a big server, and MariaDB 10.11.19 crashed in
    // it: KEY_COLUMN_USAGE by CONSTRAINT_SCHEMA). EXPLAIN says which.
    const queries = [...schemaViewQueries().map((query) => query.sql), ...Object.values(timedViewQueries)];
    const plans = await withMariadb(mariadbServer, db, async (c) => {
      const found: [string, string][] = [];
      for (const sql of queries) {
        const [rows] = await c.query(`EXPLAIN ${sql}`, [db]);
        found.push([sql, String((rows as { Extra: string }[])[0]?.Extra)]);
      }
      return found;
    });
    expect(plans.filter(([, extra]) => extra.includes('Scanned all databases'))).toEqual([]);
    expect(plans.filter(([, extra]) => extra.includes('Scanned 1 database')).length).toBeGreaterThan(5);
  });

  it('is the same when nothing changed, also across a mariadb-dump run', { retry: 2 }, async () => {
    const first = await settled();
    expect(first).toMatch(/^my1:[0-9a-f]{64}$/);
    expect(await mysqlFingerprint(connection, db)).toBe(first);
    await runCli(
      {
        command: 'mariadb-dump',
        args: [
          ...mariadbCliArgs(mariadbServer),
          '--single-transaction',
          '--routines',
          '--triggers',
          '--events',
          db,
        ],
        env: cliEnv(mariadbServer),
      },
      Buffer.alloc(0),
    );
    expect(await mysqlFingerprint(connection, db)).toBe(first);
  });

  it('is the same after writes and DDL in another database', { retry: 2 }, async () => {
    const before = await settled();
    await exec(
      other,
      'INSERT INTO o VALUES (2)',
      'CREATE TABLE o2 (id INT) ENGINE=InnoDB',
      'CREATE VIEW ov AS SELECT 1',
    );
    await sleep(2100); // past our own recent-write guard, which only looks at our tables anyway
    expect(await settled()).toBe(before);
  });

  it.each([
    ['INSERT', ['INSERT INTO t (v) VALUES (5)']],
    ['UPDATE', ['UPDATE t SET v = v + 1 WHERE id = 1']],
    ['DELETE', ['DELETE FROM t WHERE id = 2']],
    ['TRUNCATE (no AUTO_INCREMENT)', ['TRUNCATE TABLE k']],
    ['UPDATE in one partition', ['UPDATE p SET v = 2 WHERE id = 1']],
    ['MyISAM UPDATE', ['UPDATE m SET v = 2']],
    ['MEMORY UPDATE', ['UPDATE mem SET v = 2']],
    ['NEXTVAL', ['SELECT NEXTVAL(s)']],
    ['CREATE TABLE', ['CREATE TABLE n (id INT) ENGINE=InnoDB']],
    ['ALTER TABLE ADD COLUMN', ['ALTER TABLE t ADD COLUMN extra INT']],
    ['CREATE INDEX', ['CREATE INDEX t_v ON t (v)']],
    ['DROP TABLE', ['DROP TABLE dropme']],
    ['CREATE VIEW', ['CREATE VIEW tv AS SELECT id FROM t']],
    ['CREATE OR REPLACE VIEW', ['CREATE OR REPLACE VIEW tv AS SELECT id, v FROM t']],
    ['CREATE TRIGGER', ['CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v']],
    ['CREATE FUNCTION', ['CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1']],
    ['CREATE PROCEDURE', ['CREATE PROCEDURE pr() SELECT 1']],
    ['CREATE EVENT', ['CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DISABLE DO SELECT 1']],
  ])('changes after %s', async (_label, statements) => {
    const before = await settled();
    await exec(db, ...statements);
    expect(await settled()).not.toBe(before);
  });

  it('never repeats right after a write: the same second could hold another one', { retry: 2 }, async () => {
    await exec(db, 'UPDATE t SET v = v + 1 WHERE id = 1');
    const [a, b] = [
      await mysqlFingerprintDetails(connection, db),
      await mysqlFingerprintDetails(connection, db),
    ];
    expect(a.unsure).toContain('a table was written less than 2 s ago');
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it(
    'is unsure while a transaction that started in the second of an UPDATE_TIME is open',
    { retry: 2 },
    async () => {
      // InnoDB sets UPDATE_TIME at commit to the second its transaction STARTED: a transaction opened
      // in the same second as the last write can commit later and leave UPDATE_TIME as it was.
      const updateTime = async (c: Connection) => {
        const [rows] = await c.query(
          'SELECT UNIX_TIMESTAMP(UPDATE_TIME) AS u FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
          [db, 't'],
        );
        return Number((rows as { u: string }[])[0]!.u);
      };
      // INNODB_TRX is refreshed only when nobody read it in the last 0.1 s.
      const ownTransactionStart = async (c: Connection) => {
        for (;;) {
          const [rows] = await c.query(
            'SELECT UNIX_TIMESTAMP(trx_started) AS s FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()',
          );
          const own = (rows as { s: string }[])[0];
          if (own) return Number(own.s);
          await sleep(150);
        }
      };
      await withMariadb(mariadbServer, db, async (writer) => {
        await withMariadb(mariadbServer, db, async (c) => {
          let stamp = 0;
          for (let attempt = 0; attempt < 5; attempt++) {
            await writer.query('UPDATE t SET v = v + 1 WHERE id = 1');
            stamp = await updateTime(c);
            await c.query('START TRANSACTION');
            await c.query('SELECT COUNT(*) FROM t'); // starts the InnoDB transaction
            if ((await ownTransactionStart(c)) === stamp) break; // else a second boundary fell in between
            await c.query('ROLLBACK');
          }
          await sleep(2100); // past the recent-write guard: only the open transaction is left
          const open = await mysqlFingerprintDetails(connection, db);
          expect(open.unsure).toEqual([
            expect.stringMatching(/^a transaction open since \d+ may still commit$/),
          ]);
          await c.query('UPDATE t SET v = v + 1 WHERE id = 1');
          await c.query('COMMIT');
          expect(await updateTime(c)).toBe(stamp); // the commit left UPDATE_TIME as it was
        });
      });
    },
  );

  it('changes after a rolled-back INSERT (it consumed an AUTO_INCREMENT value): one extra backup', async () => {
    const before = await settled();
    await withMariadb(mariadbServer, db, async (c) => {
      await c.query('START TRANSACTION');
      await c.query('INSERT INTO t (v) VALUES (99)');
      await c.query('ROLLBACK');
    });
    expect(await settled()).not.toBe(before);
  });

  it('never repeats for a table without a change signal (CSV)', async () => {
    await exec(other, 'CREATE TABLE c (id INT NOT NULL) ENGINE=CSV');
    const first = await mysqlFingerprintDetails(connection, other);
    expect(first.unsure).toContain('table c (CSV) has no change signal');
    expect((await mysqlFingerprintDetails(connection, other)).fingerprint).not.toBe(first.fingerprint);
  });

  it('fails NOT_FOUND for a database that does not exist', async () => {
    await expect(mysqlFingerprint(connection, `${db}_missing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('PostgreSQL fingerprint', () => {
  const connection = settings(postgresServer);
  const db = uniqueDatabaseName('fp_pg');
  const other = uniqueDatabaseName('fp_pg_other');
  /**
   * Runs the statements, then flushes this session's statistics before it returns. Without that,
   * a session's counters reach the shared statistics when it has been idle for up to ~10 s.
   */
  const exec = (database: string, ...statements: string[]) =>
    withPostgres(postgresServer, database, async (c) => {
      for (const sql of statements) await c.query(sql);
      await c.query('SELECT pg_stat_force_next_flush()');
    });
  const fingerprint = () => postgresFingerprint(connection, db);

  beforeAll(async () => {
    await createDatabase('postgres', db);
    await createDatabase('postgres', other);
    await exec(
      db,
      'CREATE TABLE t (id serial PRIMARY KEY, v int)',
      'INSERT INTO t (v) SELECT g FROM generate_series(1, 10) g',
      'CREATE TABLE dropme (id int)',
      'CREATE SEQUENCE s',
      `CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    );
    await exec(other, 'CREATE TABLE o (id int)', 'INSERT INTO o VALUES (1)');
  });

  afterAll(async () => {
    await dropDatabase('postgres', db);
    await dropDatabase('postgres', other);
  });

  it('is the same when nothing changed, also across a pg_dump run', { retry: 2 }, async () => {
    const first = await postgresFingerprintDetails(connection, db);
    expect(first.unsure).toEqual([]);
    expect(first.fingerprint).toMatch(/^pg2:[0-9a-f]{64}$/);
    expect(await fingerprint()).toBe(first.fingerprint);
    await runCli(
      {
        command: 'pg_dump',
        args: [...postgresCliArgs(postgresServer), '--format=custom', '--dbname', db],
        env: cliEnv(postgresServer),
      },
      Buffer.alloc(0),
    );
    expect(await fingerprint()).toBe(first.fingerprint);
  });

  it(
    'is the same after writes and DDL in another database, and CREATE/DROP DATABASE',
    { retry: 2 },
    async () => {
      const before = await fingerprint();
      await exec(other, 'INSERT INTO o VALUES (2)', 'CREATE TABLE o2 (id int)', 'CREATE VIEW ov AS SELECT 1');
      const scratch = uniqueDatabaseName('fp_pg_scratch');
      await createDatabase('postgres', scratch);
      await dropDatabase('postgres', scratch);
      expect(await fingerprint()).toBe(before);
    },
  );

  it.each([
    ['INSERT', ['INSERT INTO t (v) VALUES (11)']],
    ['UPDATE', ['UPDATE t SET v = v + 1 WHERE id = 1']],
    ['DELETE', ['DELETE FROM t WHERE id = 2']],
    ['TRUNCATE', ['TRUNCATE t']],
    ['nextval', ["SELECT nextval('s')"]],
    ['setval(…, false)', ["SELECT setval('s', 5, false)"]],
    ['setval(…, false) to another value', ["SELECT setval('s', 6, false)"]],
    ['CREATE TABLE', ['CREATE TABLE n (id int)']],
    ['ALTER TABLE ADD COLUMN', ['ALTER TABLE t ADD COLUMN extra int']],
    ['CREATE INDEX', ['CREATE INDEX t_v ON t (v)']],
    ['DROP TABLE', ['DROP TABLE dropme']],
    ['CREATE VIEW', ['CREATE VIEW tv AS SELECT id FROM t']],
    ['CREATE FUNCTION', ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$']],
    [
      'CREATE OR REPLACE FUNCTION',
      ['CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$'],
    ],
    ['CREATE PROCEDURE', ['CREATE PROCEDURE pr() LANGUAGE sql AS $$ SELECT 1 $$']],
    ['CREATE TRIGGER', ['CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()']],
    ['COMMENT ON', ["COMMENT ON TABLE t IS 'hello'"]],
    ['GRANT', ['GRANT SELECT ON t TO PUBLIC']],
    ['a large object', ["SELECT lo_from_bytea(0, '\\x0102'::bytea)"]],
  ])('changes after %s', async (_label, statements) => {
    const before = await fingerprint();
    await exec(db, ...statements);
    expect(await fingerprint()).not.toBe(before);
  });

  it('does not fail on a rolled-back change (which changes it: aborted rows are counted too)', async () => {
    const before = await fingerprint();
    await exec(db, 'BEGIN', 'INSERT INTO t (v) VALUES (99)', 'ROLLBACK');
    expect(await fingerprint()).not.toBe(before);
  });

  // pg_subscription is a shared catalog, left out with the others, yet pg_dump dumps a
  // superuser's subscriptions: a changed CONNECTION was skipped.
  it("changes with the database's subscriptions", async () => {
    const before = await fingerprint();
    await exec(
      db,
      "CREATE SUBSCRIPTION py_fp_sub CONNECTION 'host=127.0.0.1 dbname=nowhere' PUBLICATION p WITH (connect = false, slot_name = NONE)",
    );
    try {
      const created = await fingerprint();
      expect(created).not.toBe(before);
      await exec(db, "ALTER SUBSCRIPTION py_fp_sub CONNECTION 'host=10.9.9.9 dbname=newprimary'");
      expect(await fingerprint()).not.toBe(created);
    } finally {
      await exec(db, 'DROP SUBSCRIPTION py_fp_sub');
    }
  });

  // Its counts reach the statistics only once it is idle outside a transaction: the fingerprint
  // stayed equal for as long as the session sat in one, and scheduled runs skipped its writes.
  it('is unsure while another session of the database is in a transaction', async () => {
    const before = await postgresFingerprintDetails(connection, db);
    expect(before.unsure).toEqual([]);
    await withPostgres(postgresServer, db, async (c) => {
      await c.query('INSERT INTO t (v) VALUES (101)'); // committed, its count not reported yet
      await c.query('BEGIN');
      await c.query('SELECT 1');
      const during = await postgresFingerprintDetails(connection, db);
      expect(during.unsure).toEqual([
        '1 other session(s) of this database are in a transaction: what they committed before may not be counted yet',
      ]);
      expect(during.fingerprint).not.toBe(before.fingerprint);
      await c.query('COMMIT');
    });
  });

  it(
    'sees a write from a session that stays connected once its statistics are flushed (≤ ~10 s)',
    { timeout: 30_000 },
    async () => {
      const before = await fingerprint();
      await withPostgres(postgresServer, db, async (c) => {
        await c.query('INSERT INTO t (v) VALUES (100)'); // no forced flush: the real-world case
        const started = Date.now();
        let after = await fingerprint();
        while (after === before && Date.now() - started < 20_000) {
          await sleep(200);
          after = await fingerprint();
        }
        expect(after).not.toBe(before);
      });
    },
  );
});
