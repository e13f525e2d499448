import type { TableEstimate } from '@port-yard/shared';
import type { Connection } from 'mysql2/promise';
import type { BackupLookups, ConnectionSettings, ServerInfo } from '../engine.ts';
import { shareMysqlConnection } from './mysql-connection.ts';
import { characterSetOf } from './mysql-replace.ts';

async function rowsOf<T>(db: Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params))[0] as T[];
}

/** The server's flavor and version (`Engine.probe`). */
export async function serverInfoOf(db: Connection): Promise<ServerInfo> {
  const [row] = await rowsOf<{ version: string }>(db, 'SELECT VERSION() AS version');
  const version = row?.version ?? 'unknown';
  return {
    flavor: /mariadb/i.test(version) ? 'MariaDB' : 'MySQL',
    version,
    major: Number.parseInt(version, 10),
  };
}

export async function databaseExistsOn(db: Connection, database: string): Promise<boolean> {
  const rows = await rowsOf(db, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    database,
  ]);
  return rows.length > 0;
}

export async function tableEstimatesOn(db: Connection, database: string): Promise<TableEstimate[]> {
  const rows = await rowsOf<{ name: string; rows: number | null }>(
    db,
    `SELECT TABLE_NAME AS name, TABLE_ROWS AS \`rows\` FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.map((row) => ({ name: row.name, rows: Number(row.rows ?? 0), exact: false }));
}

/** A backup's lookups over one connection (the server's catalog answers them all). */
export function mysqlBackupLookups(connection: ConnectionSettings, database: string): BackupLookups {
  const shared = shareMysqlConnection(connection);
  return {
    probe: () => shared.use(serverInfoOf),
    databaseExists: () => shared.use((db) => databaseExistsOn(db, database)),
    tableEstimates: () => shared.use((db) => tableEstimatesOn(db, database)),
    databaseOptions: () => shared.use((db) => characterSetOf(db, database)),
    close: () => shared.close(),
  };
}
