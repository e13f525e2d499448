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
  // Nothing here takes a lock on a table: pg_relation_size would wait behind one (below).
  const { rows } = await client.query<{
    oid: string;
    schema: string;
    name: string;
    rows: string;
    unknown: boolean;
  }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name,
       GREATEST(c.reltuples, 0)::bigint AS rows, c.relkind = 'r' AND c.reltuples < 0 AS unknown
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 2, 3`,
  );
  // Counts that cannot be taken (a table the user may not read, or one locked) leave the
  // estimates as they are.
  const unknown = rows.filter((row) => row.unknown);
  const counted =
    unknown.length === 0
      ? new Map<string, number>()
      : await withinBoundedTransaction(client, () => rowCounts(client, unknown)).catch(
          () => new Map<string, number>(),
        );
  return rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    rows: counted.get(row.oid) ?? Number(row.rows),
    exact: false,
  }));
}

/**
 * `work` in a transaction that gives up on a lock after 200 ms and on a statement after 5 s: a
 * table another session holds locked (a long ALTER TABLE) must not hold the backup up before its
 * dump has even started.
 */
async function withinBoundedTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query("SET LOCAL lock_timeout = '200ms'");
    await client.query("SET LOCAL statement_timeout = '5s'");
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Row counts, by oid, of those of `tables` (plain tables) up to `countMaxBytes`, in batches of one
 * query each. A table's own rows (ONLY), as its statistics count them: not its inheritance children's.
 */
async function rowCounts(
  client: pg.Client,
  tables: readonly { oid: string; schema: string; name: string }[],
): Promise<Map<string, number>> {
  const { rows: small } = await client.query<{ oid: string }>(
    `SELECT c.oid::int8 AS oid FROM pg_class c
     WHERE c.oid = ANY($1::oid[]) AND pg_relation_size(c.oid) <= ${countMaxBytes}`,
    [tables.map((table) => table.oid)],
  );
  const wanted = new Set(small.map((row) => row.oid));
  const counting = tables.filter((table) => wanted.has(table.oid));
  const counts = new Map<string, number>();
  for (let start = 0; start < counting.length; start += 200) {
    const batch = counting.slice(start, start + 200);
    const sql = batch
      .map(
        (table, index) =>
          `SELECT ${index} AS i, count(*) AS n FROM ONLY ${quotePostgresIdentifier(table.schema)}.${quotePostgresIdentifier(table.name)}`,
      )
      .join(' UNION ALL ');
    const result = await client.query<{ i: number; n: string }>(sql);
    for (const row of result.rows) counts.set(batch[row.i]!.oid, Number(row.n));
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
