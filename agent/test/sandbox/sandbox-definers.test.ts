import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type SandboxCredentials } from '@port-yard/shared';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { startMariadbServer, type TestServer } from '../servers/test-servers.ts';
import { withMariadb } from '../support/servers.ts';
import { asSandboxUser } from './sandbox-fixture.ts';

/**
 * A MariaDB sandbox of a database whose views, triggers, routines and events name production
 * accounts as their DEFINER: one the test server does not have (`py_t_app_…`, which would make every
 * insert into a table with a trigger fail), and `root` (which would let the sandbox user run SQL
 * as the test server's admin through a SQL SECURITY DEFINER procedure). In the sandbox they all
 * run as the sandbox user, in their original order.
 */
const source = uniqueName('py_t_definers');
// The production account: it exists where the backup is made (else MariaDB itself prints its
// views unrestorably, with the database's name in them), not on the test server.
const app = uniqueName('py_t_app');
// A role as definer (printed without a host), with every right on the test server too.
const role = uniqueName('py_t_role');
let server: TestServer;
let dir: string;
let agent: Agent;
let sandbox: SandboxCredentials;
let artifactId: string;

beforeAll(async () => {
  server = await startMariadbServer();
  dir = await mkdtemp(join(tmpdir(), 'py-test-definers-'));
  await mariadbExec(`CREATE DATABASE ${source}`);
  await mariadbExec(`CREATE USER '${app}'@'%'; GRANT ALL ON ${source}.* TO '${app}'@'%'`);
  await mariadbExec(`CREATE ROLE ${role}; GRANT ALL ON ${source}.* TO ${role}`);
  await withMariadb(server, undefined, async (db) => {
    await db.query(`CREATE ROLE ${role}`);
    await db.query(`GRANT ALL ON *.* TO ${role}`);
  });
  await mariadbExec(
    `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40), note VARCHAR(40));
     INSERT INTO t (id, v) VALUES (1, 'one');
     CREATE DEFINER = '${app}'@'%' SQL SECURITY DEFINER VIEW v_t AS SELECT id, v FROM t;
     CREATE DEFINER = '${app}'@'%' TRIGGER t_first BEFORE INSERT ON t FOR EACH ROW SET NEW.v = CONCAT(NEW.v, '-a');
     CREATE DEFINER = '${app}'@'%' TRIGGER t_second BEFORE INSERT ON t FOR EACH ROW FOLLOWS t_first SET NEW.v = CONCAT(NEW.v, '-b');
     CREATE DEFINER = '${app}'@'%' FUNCTION f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
     CREATE DEFINER = 'root'@'localhost' PROCEDURE run_sql(IN s TEXT) SQL SECURITY DEFINER
       BEGIN SET @py_sql = s; PREPARE st FROM @py_sql; EXECUTE st; DEALLOCATE PREPARE st; END;
     CREATE DEFINER = ${role} PROCEDURE run_as_role(IN s TEXT) SQL SECURITY DEFINER EXECUTE IMMEDIATE s;
     CREATE DEFINER = 'root'@'event.corp' PROCEDURE definer_view() SELECT 1;
     CREATE DEFINER = '${app}'@'%' EVENT e_tidy ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM t WHERE id < 0;
     SET time_zone = '+05:00';
     CREATE DEFINER = '${app}'@'%' EVENT e_zoned ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE DO DELETE FROM t WHERE id < 0;
     CREATE TABLE secrets (v TEXT);
     CREATE DEFINER = '${app}'@'%' SQL SECURITY DEFINER VIEW v_secrets AS SELECT v FROM secrets;`,
    source,
  );
  await writeFile(join(dir, 'drop-secrets.sql'), 'DROP TABLE secrets;\n');
  const config = configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
    testServers: { scratch: { engine: 'mariadb', host: '127.0.0.1', port: server.port, user: server.user } },
    targets: {
      shop: { ...localMariadb, databases: [source], sandbox: { server: 'scratch' } },
      // Masking that drops a table a view reads: the view is left invalid.
      broken: {
        ...localMariadb,
        databases: [source],
        sandbox: { server: 'scratch', maskingSql: join(dir, 'drop-secrets.sql') },
      },
    },
  });
  agent = createAgent(config);
  const backup = await agent.backup({ targetName: 'shop' });
  expect(backup.status).toBe('succeeded');
  artifactId = backup.artifacts[0]!.id;
  sandbox = await agent.createSandbox({ artifactId, createdBy: 'test' });
}, 120_000);

afterAll(async () => {
  if (sandbox) await agent.destroySandbox(sandbox.id).catch(() => undefined);
  await agent?.close();
  await mariadbExec(
    `DROP DATABASE IF EXISTS ${source}; DROP USER IF EXISTS '${app}'@'%'; DROP ROLE IF EXISTS ${role}`,
  );
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a MariaDB sandbox of objects with production definers', () => {
  it('makes the sandbox user the definer of every view, trigger, routine and event', async () => {
    const definers = await withMariadb(server, undefined, async (db) => {
      const [rows] = await db.query(
        `SELECT DEFINER AS definer FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
         UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
         UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
         UNION ALL SELECT DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
        [sandbox.id, sandbox.id, sandbox.id, sandbox.id],
      );
      return (rows as { definer: string }[]).map((row) => row.definer);
    });
    expect(definers).toEqual(Array(10).fill(`${sandbox.id}@%`));
  });

  it('lets the sandbox user insert through the triggers (in their order), read the view, call the function', async () => {
    const seen = await asSandboxUser('mariadb', sandbox, async (query) => {
      await query(`INSERT INTO t (id, v) VALUES (2, 'two')`);
      return {
        inserted: (await query('SELECT v FROM t WHERE id = 2'))[0]?.['v'],
        view: (await query('SELECT COUNT(*) AS n FROM v_t'))[0]?.['n'],
        doubled: (await query('SELECT f_double(21) AS d'))[0]?.['d'],
      };
    });
    expect(seen).toEqual({ inserted: 'two-a-b', view: 2, doubled: 42 });
  });

  it('runs a SQL SECURITY DEFINER procedure with the sandbox user’s rights, not the admin’s', async () => {
    await asSandboxUser('mariadb', sandbox, async (query) => {
      await query(`CALL run_sql('INSERT INTO t (id, v) VALUES (3, ''three'')')`);
      await expect(query(`CALL run_sql('SELECT COUNT(*) FROM mysql.user')`)).rejects.toThrow(/denied/i);
      await expect(query(`CALL run_as_role('SELECT COUNT(*) FROM mysql.user')`)).rejects.toThrow(/denied/i);
    });
  });

  it('keeps an event\u2019s time zone, so its schedule means the same time', async () => {
    const zone = await withMariadb(server, undefined, async (db) => {
      const [rows] = await db.query(
        `SELECT TIME_ZONE AS zone FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? AND EVENT_NAME = 'e_zoned'`,
        [sandbox.id],
      );
      return (rows as { zone: string }[])[0]?.zone;
    });
    expect(zone).toBe('+05:00');
  });

  it('fails a sandbox whose masking SQL left a view invalid, naming the view, and leaves nothing', async () => {
    const before = (await agent.listSandboxes()).items.length;
    // The same database, backed up and deployed through the target whose masking drops the table.
    const brokenArtifact = await agent.backup({ targetName: 'broken' });
    expect(brokenArtifact.status).toBe('succeeded');
    await expect(
      agent.createSandbox({ artifactId: brokenArtifact.artifacts[0]!.id, createdBy: 'test' }),
    ).rejects.toThrow(/view v_secrets: .*masking SQL/);
    expect((await agent.listSandboxes()).items.length).toBe(before);
  });
});
