import { randomBytes } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** Short helpers for tests that set up their own databases on the local servers. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function mariadbExec(sql: string, database?: string): Promise<unknown> {
  const db = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    database,
    multipleStatements: true,
  });
  try {
    return (await db.query(sql))[0];
  } finally {
    await db.end();
  }
}

export async function postgresExec(sql: string, database = 'postgres'): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The local MariaDB's data folder, when this process can write into it (the server runs on this
 * machine and we are root): tests that plant a stray file in a database's folder need it.
 */
export async function writableMariadbDatadir(): Promise<string | undefined> {
  const rows = (await mariadbExec('SELECT @@datadir AS datadir')) as { datadir: string }[];
  const datadir = rows[0]?.datadir;
  if (!datadir) return undefined;
  try {
    await access(datadir, constants.W_OK);
    return datadir;
  } catch {
    return undefined;
  }
}
