import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { configSchema, type PortYardConfig } from '@port-yard/shared';
import { localMariadb, localPostgres } from '../harness/temp-agent.ts';
import { startMariadbServer, startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { dropDatabase, loadSampleDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';
import { withMariadb, withPostgres } from '../support/servers.ts';

export type Engine = 'mariadb' | 'postgres';

/**
 * For the sandbox tests: the real Chinook sample on the machine's servers (the sources), a second
 * MariaDB and PostgreSQL started as test servers, masking SQL files (one that works, one that
 * fails half-way) and a config with a target per case. The PostgreSQL test server asks every
 * role but `postgres` for its SCRAM password over TCP (initdb's `trust` would accept anything).
 */
export interface SandboxFixture {
  readonly dir: string;
  readonly servers: Record<Engine, TestServer>;
  readonly sources: Record<Engine, string>;
  /** Targets: `maria`/`pg` (masking), `maria-badmask`/`pg-badmask` (a failing masking script). */
  config(): PortYardConfig;
  configInput(): Record<string, unknown>;
  close(): Promise<void>;
}

export const maskingSql: Record<Engine, string> = {
  mariadb: "UPDATE Customer SET Email = CONCAT('customer', CustomerId, '@example.invalid');\n",
  postgres: "UPDATE customer SET email = 'customer' || customer_id || '@example.invalid';\n",
};
const failingMaskingSql: Record<Engine, string> = {
  mariadb: "UPDATE Customer SET Email = 'x';\nUPDATE no_such_table SET x = 1;\n",
  postgres: "UPDATE customer SET email = 'x';\nUPDATE no_such_table SET x = 1;\n",
};

export async function startSandboxFixture(
  engines: readonly Engine[] = ['mariadb', 'postgres'],
): Promise<SandboxFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-sandbox-'));
  const servers = {} as Record<Engine, TestServer>;
  const sources = {} as Record<Engine, string>;
  const started = await Promise.all(
    engines.map(async (engine) => {
      const server = engine === 'mariadb' ? await startMariadbServer() : await startPostgresServer();
      if (engine === 'postgres') await requireScramOverTcp(server);
      const source = uniqueDatabaseName('sandbox_chinook');
      await loadSampleDatabase(engine, 'chinook', source);
      await writeFile(join(dir, `mask-${engine}.sql`), maskingSql[engine]);
      await writeFile(join(dir, `badmask-${engine}.sql`), failingMaskingSql[engine]);
      return [engine, server, source] as const;
    }),
  );
  for (const [engine, server, source] of started) {
    servers[engine] = server;
    sources[engine] = source;
  }
  const configInput = (): Record<string, unknown> => {
    const testServers: Record<string, unknown> = {};
    const targets: Record<string, unknown> = {};
    for (const engine of engines) {
      const name = engine === 'mariadb' ? 'maria' : 'pg';
      const server = servers[engine];
      testServers[name] = { engine, host: '127.0.0.1', port: server.port, user: server.user };
      const source = engine === 'mariadb' ? localMariadb : localPostgres;
      const sandbox = (file: string) => ({
        server: name,
        ttl: '8h',
        maskingSql: join(dir, `${file}-${engine}.sql`),
      });
      targets[name] = { ...source, databases: [sources[engine]], sandbox: sandbox('mask') };
      targets[`${name}-badmask`] = { ...source, databases: [sources[engine]], sandbox: sandbox('badmask') };
    }
    return {
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      testServers,
      targets,
    };
  };
  return {
    dir,
    servers,
    sources,
    configInput,
    config: () => configSchema.parse(configInput()),
    async close() {
      for (const engine of engines) await dropDatabase(engine, sources[engine]).catch(() => undefined);
      await Promise.all(engines.map((engine) => servers[engine]?.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** pg_hba: `postgres` is trusted (the admin), everyone else must give a SCRAM password over TCP. */
async function requireScramOverTcp(server: TestServer): Promise<void> {
  await writeFile(
    join(server.dir, 'data', 'pg_hba.conf'),
    [
      'local all all trust',
      'host all postgres 127.0.0.1/32 trust',
      'host all all 127.0.0.1/32 scram-sha-256',
      '',
    ].join('\n'),
  );
  await withPostgres(server, 'postgres', (client) => client.query('SELECT pg_reload_conf()'));
}

/** What of a sandbox exists on its test server, looked at as the admin. */
export async function sandboxTraces(
  engine: Engine,
  server: TestServer,
  id: string,
): Promise<{ database: boolean; user: boolean; row: boolean }> {
  if (engine === 'mariadb') {
    return withMariadb(server, undefined, async (db) => {
      const [databases] = await db.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
        id,
      ]);
      const [users] = await db.query('SELECT 1 FROM mysql.user WHERE User = ?', [id]);
      const [table] = await db.query(
        `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'port_yard' AND TABLE_NAME = 'sandboxes'`,
      );
      const [rows] = (table as unknown[]).length
        ? await db.query('SELECT 1 FROM port_yard.sandboxes WHERE id = ?', [id])
        : [[]];
      return { database: has(databases), user: has(users), row: has(rows) };
    });
  }
  return withPostgres(server, 'postgres', async (client) => {
    const databases = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [id]);
    const users = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [id]);
    const registry = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'port_yard'`);
    const rows = registry.rowCount
      ? await withPostgres(server, 'port_yard', (inner) =>
          inner.query('SELECT 1 FROM sandboxes WHERE id = $1', [id]),
        )
      : { rowCount: 0 };
    return { database: !!databases.rowCount, user: !!users.rowCount, row: !!rows.rowCount };
  });
}

/** Every `py_sbx_` database and user on the test server. */
export async function sandboxNames(engine: Engine, server: TestServer): Promise<string[]> {
  if (engine === 'mariadb') {
    return withMariadb(server, undefined, async (db) => {
      const [rows] = await db.query(
        `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'py\\_sbx\\_%'
         UNION ALL SELECT User FROM mysql.user WHERE User LIKE 'py\\_sbx\\_%'`,
      );
      return (rows as { name: string }[]).map((row) => String(row.name)).sort();
    });
  }
  return withPostgres(server, 'postgres', async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE datname LIKE 'py\\_sbx\\_%'
       UNION ALL SELECT rolname FROM pg_roles WHERE rolname LIKE 'py\\_sbx\\_%'`,
    );
    return rows.map((row) => row.name).sort();
  });
}

/** Runs `use` connected as a sandbox user with its password (never the admin). */
export async function asSandboxUser<T>(
  engine: Engine,
  login: { host: string; port: number; user: string; password: string; database: string },
  use: (query: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>,
): Promise<T> {
  const { host, port, user, password, database } = login;
  if (engine === 'mariadb') {
    const db = await mysql.createConnection({ host, port, user, password, database, connectTimeout: 5_000 });
    try {
      return await use(async (sql) => (await db.query(sql))[0] as Record<string, unknown>[]);
    } finally {
      await db.end();
    }
  }
  const client = new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

function has(rows: unknown): boolean {
  return (rows as unknown[]).length > 0;
}
