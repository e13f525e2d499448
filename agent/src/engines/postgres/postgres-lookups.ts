import type { TableEstimate } from '@port-yard/shared';
import type pg from 'pg';
import type { BackupLookups, ConnectionSettings, ServerInfo } from '../engine.ts';
import {
  postgresMaintenanceDatabase as maintenanceDatabase,
  quotePostgresIdentifier,
} from '../sql-quoting.ts';
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

/**
 * Up to this size, a table without statistics is counted: a restore verification could check
 * nothing of it otherwise (an estimate of 0 passes any count).
 */
export const countMaxBytes = 16 * 1024 * 1024;

/**
 * Row estimates of the tables of the database `client` is connected to. A table never analyzed
 * (reltuples -1, PostgreSQL 14+: autovacuum analyzes a table only after 50 rows changed, so a
 * small lookup table may never be; a database just loaded has none analyzed) up to
 * `countMaxBytes` is counted instead, all in one query; a larger one keeps an estimate of
 * 0, which verification cannot check. The count is still an estimate: taken before the dump's
 * snapshot, a write between the two would fail a good backup's verification if it were exact.
 * Temporary tables (other sessions', in pg_temp_N) are left out: pg_dump dumps none of them.
 */
export async function tableEstimatesOf(client: pg.Client): Promise<TableEstimate[]> {
  const { rows } = await client.query<{ schema: string; name: string; rows: string; count: boolean }>(
    `SELECT n.nspname AS schema, c.relname AS name, GREATEST(c.reltuples, 0)::bigint AS rows,
       c.relkind = 'r' AND c.reltuples < 0 AND pg_relation_size(c.oid) <= ${countMaxBytes} AS count
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2`,
  );
  // Counts that cannot be taken (a table the user may not read) leave the estimates as they are.
  const counted = await rowCounts(
    client,
    rows.filter((row) => row.count),
  ).catch(() => new Map<string, number>());
  return rows.map((row) => {
    const count = counted.get(`${row.schema}\u0000${row.name}`);
    return { schema: row.schema, name: row.name, rows: count ?? Number(row.rows), exact: false };
  });
}

/** Row counts, by schema and name (NUL between), of `tables`, in batches of one query each. */
async function rowCounts(
  client: pg.Client,
  tables: readonly { schema: string; name: string }[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let start = 0; start < tables.length; start += 200) {
    const batch = tables.slice(start, start + 200);
    const sql = batch
      .map(
        (table, index) =>
          `SELECT ${index} AS i, count(*) AS n FROM ${quotePostgresIdentifier(table.schema)}.${quotePostgresIdentifier(table.name)}`,
      )
      .join(' UNION ALL ');
    const result = await client.query<{ i: number; n: string }>(sql);
    for (const row of result.rows) {
      const table = batch[row.i]!;
      counts.set(`${table.schema}\u0000${table.name}`, Number(row.n));
    }
  }
  return counts;
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
