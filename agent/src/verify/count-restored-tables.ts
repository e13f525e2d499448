import type { ConnectionSettings } from '../engines/engine.ts';
import { withMysqlConnection } from '../engines/mysql/mysql-connection.ts';
import { withPostgresConnection } from '../engines/postgres/postgres-connection.ts';
import type { EngineFamily } from './engine-family.ts';
import {
  quoteMysqlIdentifier as mysqlQuote,
  quotePostgresIdentifier as postgresQuote,
} from '../engines/sql-quoting.ts';

/** One base table of a restored database with its exact row count. */
export interface RestoredTable {
  /** PostgreSQL only. */
  readonly schema?: string;
  readonly name: string;
  readonly rows: number;
}

/**
 * The base tables of `database` and an exact `COUNT(*)` of each: the same tables the engines list
 * for a manifest (MariaDB/MySQL: TABLE_TYPE 'BASE TABLE'; PostgreSQL: relkind r/p outside the
 * system schemas; an inheritance parent without its children's rows). Checks `signal` between tables.
 */
export async function countRestoredTables(
  family: EngineFamily,
  connection: ConnectionSettings,
  database: string,
  signal?: AbortSignal,
): Promise<RestoredTable[]> {
  if (family === 'mysql') {
    return withMysqlConnection(connection, async (db) => {
      const [rows] = await db.query(
        `SELECT TABLE_NAME AS name FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
        [database],
      );
      const tables: RestoredTable[] = [];
      for (const { name } of rows as { name: string }[]) {
        signal?.throwIfAborted();
        const [count] = await db.query(
          `SELECT COUNT(*) AS n FROM ${mysqlQuote(database)}.${mysqlQuote(name)}`,
        );
        tables.push({ name, rows: Number((count as { n: number | string }[])[0]!.n) });
      }
      return tables;
    });
  }
  return withPostgresConnection(connection, database, async (client) => {
    const { rows } = await client.query<{ schema: string; name: string; partitioned: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'p' AS partitioned
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2`,
    );
    const tables: RestoredTable[] = [];
    for (const { schema, name, partitioned } of rows) {
      signal?.throwIfAborted();
      // A table's own rows, as its statistics (the manifest's estimate) count them: an inheritance
      // parent's children are tables of their own. A partitioned table holds only its partitions'.
      const count = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${partitioned ? '' : 'ONLY '}${postgresQuote(schema)}.${postgresQuote(name)}`,
      );
      tables.push({ schema, name, rows: Number(count.rows[0]!.n) });
    }
    return tables;
  });
}
