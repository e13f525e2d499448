import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * Where the test databases live. Defaults are the servers every machine of this project runs
 * (ENVIRONMENT.md); the PY_TEST_* variables point the same tests at another server (CI, or the
 * second "test server" a restore test starts on its own port: pass a `ServerSettings` then).
 */
export type Engine = 'mariadb' | 'postgres';

export interface ServerSettings {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

const env = process.env;

export const mariadbServer: ServerSettings = {
  engine: 'mariadb',
  host: env.PY_TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(env.PY_TEST_MARIADB_PORT ?? 3306),
  user: env.PY_TEST_MARIADB_USER ?? 'root',
  password: env.PY_TEST_MARIADB_PASSWORD ?? '',
};

export const postgresServer: ServerSettings = {
  engine: 'postgres',
  host: env.PY_TEST_POSTGRES_HOST ?? '127.0.0.1',
  port: Number(env.PY_TEST_POSTGRES_PORT ?? 5432),
  user: env.PY_TEST_POSTGRES_USER ?? 'postgres',
  password: env.PY_TEST_POSTGRES_PASSWORD ?? '',
};

/** PostgreSQL needs some database to connect to for CREATE/DROP DATABASE. */
export const postgresMaintenanceDatabase = env.PY_TEST_POSTGRES_MAINTENANCE_DB ?? 'postgres';

export function defaultServer(engine: Engine): ServerSettings {
  return engine === 'mariadb' ? mariadbServer : postgresServer;
}

/**
 * A MariaDB connection. `dateStrings` and big-number strings keep values exactly as the server
 * prints them, so fingerprints never depend on the JS time zone or float rounding.
 */
export async function connectMariadb(server: ServerSettings, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
    charset: 'UTF8MB4_GENERAL_CI',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

export async function connectPostgres(server: ServerSettings, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
  });
  await client.connect();
  return client;
}

/**
 * Runs `fn` with a connection and always closes it. With a database, it returns only once the
 * server has let go of the connection: `end()` only sends QUIT, and a restore begun right after
 * would otherwise see the test's own connection still open on the database and refuse.
 */
export async function withMariadb<T>(
  server: ServerSettings,
  database: string | undefined,
  fn: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  const connection = await connectMariadb(server, database);
  try {
    return await fn(connection);
  } finally {
    await connection.end();
    if (database !== undefined) await untilGone(server, connection.threadId);
  }
}

async function untilGone(server: ServerSettings, threadId: number | null): Promise<void> {
  if (threadId === null) return;
  const watcher = await connectMariadb(server);
  try {
    for (let tries = 0; tries < 200; tries++) {
      const [rows] = await watcher.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ?',
        [threadId],
      );
      if (rows.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`MariaDB connection ${threadId} still open 2 s after it was closed`);
  } finally {
    await watcher.end();
  }
}

export async function withPostgres<T>(
  server: ServerSettings,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectPostgres(server, database);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Arguments and environment for the `mariadb` / `psql` / dump CLIs. Passwords go through the
 * environment (MYSQL_PWD, PGPASSWORD), never argv, where `ps` would show them.
 */
export function mariadbCliArgs(server: ServerSettings): string[] {
  return [
    '--no-defaults', // a ~/.my.cnf on a developer machine must not change what the tests load
    `--host=${server.host}`,
    `--port=${server.port}`,
    `--user=${server.user}`,
    '--protocol=TCP',
  ];
}

export function postgresCliArgs(server: ServerSettings): string[] {
  return ['--host', server.host, '--port', String(server.port), '--username', server.user, '--no-password'];
}

export function cliEnv(server: ServerSettings): NodeJS.ProcessEnv {
  const base = { ...process.env };
  if (server.engine === 'mariadb') {
    delete base.MYSQL_PWD;
    return server.password === '' ? base : { ...base, MYSQL_PWD: server.password };
  }
  // The fixtures are UTF-8 files; without this psql would use the locale's encoding.
  const pgEnv: NodeJS.ProcessEnv = { ...base, PGCLIENTENCODING: 'UTF8' };
  delete pgEnv.PGPASSWORD;
  return server.password === '' ? pgEnv : { ...pgEnv, PGPASSWORD: server.password };
}

/** The databases on `server` whose names start with `prefix`. */
export async function databasesStartingWith(
  engine: Engine,
  prefix: string,
  server: ServerSettings = defaultServer(engine),
): Promise<string[]> {
  if (engine === 'mariadb')
    return withMariadb(server, undefined, async (c) => {
      const [rows] = await c.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
      return (rows as { name: string }[]).map((row) => row.name).filter((name) => name.startsWith(prefix));
    });
  return withPostgres(server, postgresMaintenanceDatabase, async (c) => {
    const { rows } = await c.query<{ name: string }>('SELECT datname AS name FROM pg_database');
    return rows.map((row) => row.name).filter((name) => name.startsWith(prefix));
  });
}
