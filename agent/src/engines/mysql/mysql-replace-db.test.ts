import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { mariadbExec, uniqueName, writableMariadbDatadir } from '../../../test/harness/sql.ts';
import { localMariadb } from '../../../test/harness/temp-agent.ts';
import { DatabaseChangedError } from '../replace-errors.ts';
import { mysqlBeginReplace } from './mysql-replace.ts';

/** Replacing a database in place on the local MariaDB: what a failure leaves, and what it says. */
const server = localMariadb;
const created: string[] = [];

async function databaseWithRow(): Promise<string> {
  const database = uniqueName('py_t_replace');
  created.push(database);
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT); INSERT INTO ${database}.t VALUES (1);`,
  );
  return database;
}

afterAll(async () => {
  for (const database of created) await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
});

describe('mysqlBeginReplace', () => {
  it('gives up on a lock held by a session on another default database, changing nothing', async () => {
    const database = await databaseWithRow();
    // No default database: PROCESSLIST does not show this session on `database`.
    const holder = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      await holder.query('START TRANSACTION');
      await holder.query(`SELECT * FROM ${database}.t`);
      const replacing = mysqlBeginReplace(server, database, {
        terminateConnections: true,
        lockWaitSeconds: 1,
      });
      await expect(replacing).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/locked by another session .* nothing was changed/),
      });
      await expect(replacing).rejects.not.toBeInstanceOf(DatabaseChangedError);
    } finally {
      await holder.end();
    }
    expect(await mariadbExec(`SELECT id FROM ${database}.t`)).toEqual([{ id: 1 }]);
  });

  it('a cancel while the DROP waits for that lock stops it, changing nothing', async () => {
    const database = await databaseWithRow();
    const holder = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      await holder.query('START TRANSACTION');
      await holder.query(`SELECT * FROM ${database}.t`);
      const cancel = new AbortController();
      const replacing = mysqlBeginReplace(server, database, {
        terminateConnections: true,
        lockWaitSeconds: 60,
        signal: cancel.signal,
      });
      const outcome = replacing.then(
        () => undefined,
        (error: unknown) => error,
      );
      const waiting = async () =>
        (await mariadbExec(
          `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DROP DATABASE %${database}%' AND STATE LIKE 'Waiting%'`,
        )) as unknown[];
      await expect.poll(waiting).toHaveLength(1);
      const cancelledAt = Date.now();
      cancel.abort();
      const error = await outcome;
      expect(error).toMatchObject({
        code: 'CANCELLED',
        message: expect.stringContaining('nothing was changed'),
      });
      expect(error).not.toBeInstanceOf(DatabaseChangedError);
      // Stopped by the cancel, long before the lock wait's end.
      expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    } finally {
      await holder.end();
    }
    expect(await mariadbExec(`SELECT id FROM ${database}.t`)).toEqual([{ id: 1 }]);
  });

  // A file the server does not know in the database's folder: the DROP removes the tables, then
  // fails to remove the folder (errno 39). The database is changed, and the error must say so.
  it('reports a DROP that failed midway as a change to the database', async (context) => {
    const datadir = await writableMariadbDatadir();
    if (!datadir) return context.skip('the MariaDB data folder is not writable here');
    const database = await databaseWithRow();
    const stray = join(datadir, database, 'stray.txt');
    await writeFile(stray, 'not a table');
    try {
      const replacing = mysqlBeginReplace(server, database, { terminateConnections: false });
      await expect(replacing).rejects.toBeInstanceOf(DatabaseChangedError);
      await expect(replacing).rejects.toMatchObject({
        code: 'RESTORE_FAILED',
        message: expect.stringContaining(`could not drop database ${database} to replace it`),
      });
    } finally {
      await rm(stray, { force: true });
    }
  });
});
