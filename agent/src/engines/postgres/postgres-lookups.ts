import type { TableEstimate } from '@port-yard/shared';
import type pg from 'pg';
import type { BackupLookups, ConnectionSettings, ServerInfo } from '../engine.ts';
import { postgresMaintenanceDatabase as maintenanceDatabase } from '../sql-quoting.ts';
import {
  isMissingPostgresDatabase,
  sharePostgresConnection,
  withPostgresConnection,
} from './postgres-connection.ts';
import { databaseOptionsOf } from './postgres-replace.ts';

/** The server's flavor and version (`Engine.probe`), on a connection to any of its databases. */
export async function serverInfoOf(client: pg.Client): Promise<ServerInfo> {
  const { rows } = await client.query<{ version: string; num: string }>(
    "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
  );
  const num = Number(rows[0]?.num ?? 0);
  return { flavor: 'PostgreSQL', version: rows[0]?.version ?? 'unknown', major: Math.floor(num / 10_000) };
}

/** Whether `database` exists, on a connection to any database of the server. */
export async function databaseExistsOn(client: pg.Client, database: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  return rows.length > 0;
}

/** Row estimates of the tables of the database `client` is connected to. */
export async function tableEstimatesOf(client: pg.Client): Promise<TableEstimate[]> {
  const { rows } = await client.query<{ schema: string; name: string; rows: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, GREATEST(c.reltuples, 0)::bigint AS rows
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2`,
  );
  return rows.map((row) => ({ schema: row.schema, name: row.name, rows: Number(row.rows), exact: false }));
}

/**
 * A backup's lookups over one connection to the database itself: the server's version and
 * `pg_database` can be read from any database. Only when it does not exist does the probe
 * connect to the maintenance database, to tell a missing database from an unreachable server.
 */
export function postgresBackupLookups(connection: ConnectionSettings, database: string): BackupLookups {
  const shared = sharePostgresConnection(connection, database);
  return {
    probe: () =>
      shared.use(serverInfoOf).catch((error: unknown) => {
        if (!isMissingPostgresDatabase(error)) throw error;
        return withPostgresConnection(connection, maintenanceDatabase, serverInfoOf);
      }),
    databaseExists: () =>
      shared
        .use((client) => databaseExistsOn(client, database))
        .catch((error: unknown) => {
          if (isMissingPostgresDatabase(error)) return false;
          throw error;
        }),
    tableEstimates: () => shared.use(tableEstimatesOf),
    databaseOptions: () => shared.use((client) => databaseOptionsOf(client, database)),
    close: () => shared.close(),
  };
}
