import { randomBytes } from 'node:crypto';
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
