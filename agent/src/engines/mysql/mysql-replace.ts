import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings, DatabaseReplacement, OpenConnections } from '../engine.ts';
import { openConnectionsConflict } from '../open-connections.ts';
import { DatabaseChangedError } from '../replace-errors.ts';
import { grantShape } from './grant-text.ts';
import { withMysqlConnection } from './mysql-connection.ts';
import { quoteMysqlIdentifier as quoteIdentifier } from '../sql-quoting.ts';

type Connection = Parameters<Parameters<typeof withMysqlConnection>[1]>[0];

async function sessionsOn(db: Connection, database: string): Promise<{ id: number; user: string }[]> {
  // Compared as bytes: the column's collation ignores case and accents, and a session on `cafe`
  // is none of a restore of `café`'s business (database names are case-sensitive on Linux).
  const [rows] = await db.query(
    'SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE CAST(DB AS BINARY) = CAST(? AS BINARY) AND ID <> CONNECTION_ID()',
    [database],
  );
  return (rows as { id: number; user: string }[]).map((row) => ({ id: Number(row.id), user: row.user }));
}

export function summarizeSessions(sessions: readonly { user: string }[]): OpenConnections {
  return { count: sessions.length, users: [...new Set(sessions.map((session) => session.user))].sort() };
}

export async function mysqlOpenConnections(
  connection: ConnectionSettings,
  database: string,
): Promise<OpenConnections> {
  return withMysqlConnection(connection, async (db) => {
    const [sessions, seesAll] = await Promise.all([sessionsOn(db, database), seesAllSessions(db)]);
    return { ...summarizeSessions(sessions), ...(seesAll ? {} : { othersHidden: true }) };
  });
}

/**
 * Whether PROCESSLIST shows other users' sessions: only with the global PROCESS privilege (or
 * ALL). SHOW GRANTS lists the user's grants and, on MariaDB, those of its enabled role; a
 * privilege reached another way (a MySQL role) is not seen, which errs towards the warning.
 */
async function seesAllSessions(db: Connection): Promise<boolean> {
  const [rows] = await db.query('SHOW GRANTS');
  return (rows as Record<string, string>[]).some((row) => hasGlobalProcess(Object.values(row)[0] ?? ''));
}

/** `GRANT <privileges> ON *.* TO ...` naming PROCESS or ALL PRIVILEGES. */
export function hasGlobalProcess(grant: string): boolean {
  const match = /^GRANT (.+?) ON \*\.\* TO /i.exec(grantShape(grant));
  return match !== null && /(^|,\s*)(ALL PRIVILEGES|PROCESS)(\s*,|$)/i.test(match[1]!);
}

export async function mysqlDatabaseSize(connection: ConnectionSettings, database: string): Promise<number> {
  return withMysqlConnection(connection, async (db) => {
    const [rows] = await db.query(
      `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
      [database],
    );
    return Number((rows as { bytes: string | number }[])[0]?.bytes ?? 0);
  });
}

/**
 * How long the DROP waits for another session's lock before the restore gives up, changing
 * nothing. A session whose default database is another one but whose open transaction read
 * `db`.t holds such a lock, and PROCESSLIST does not show it on `db`; the server's own default
 * (lock_wait_timeout, a day) would leave the restore hanging, past any cancel.
 */
export const dropLockWaitSeconds = 30;

/**
 * MariaDB/MySQL cannot rename a database, so a replacement empties it in place: other sessions
 * are refused or killed, the database is dropped and created again with its character set and
 * collation, and the dump loads into it. Grants on `db`.* live in mysql.db and survive the drop.
 * A failure once the DROP has begun is a DatabaseChangedError: the database may be emptied or gone.
 */
export async function mysqlBeginReplace(
  connection: ConnectionSettings,
  database: string,
  options: {
    readonly terminateConnections: boolean;
    readonly lockWaitSeconds?: number;
    /** Cancels: a DROP still waiting for another session's lock is stopped, changing nothing. */
    readonly signal?: AbortSignal;
  },
): Promise<DatabaseReplacement> {
  await withMysqlConnection(connection, async (db) => {
    const schema = await characterSetOf(db, database);
    const sessions = await sessionsOn(db, database);
    if (sessions.length > 0 && !options.terminateConnections)
      throw openConnectionsConflict(database, summarizeSessions(sessions));
    for (const session of sessions) {
      // The session may have ended meanwhile: "Unknown thread id" is fine.
      await db.query(`KILL CONNECTION ${session.id}`).catch(() => undefined);
    }
    const lockWait = options.lockWaitSeconds ?? dropLockWaitSeconds;
    await db.query(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(lockWait))}`);
    options.signal?.throwIfAborted();
    // Counted only where a cancel can come: it tells a stopped wait from a DROP begun.
    const tables = options.signal ? await tableCount(db, database) : 0;
    const stopDrop = (): void => void killQuery(connection, db.threadId);
    options.signal?.addEventListener('abort', stopDrop, { once: true });
    try {
      await db.query(`DROP DATABASE ${quoteIdentifier(database)}`);
    } catch (error) {
      if (options.signal?.aborted && (await tableCount(db, database)) === tables)
        throw new PortYardError(
          'CANCELLED',
          `the restore was cancelled while waiting to drop database ${database}; nothing was changed`,
          { phase: 'restore', cause: error },
        );
      throw dropFailure(error, database, lockWait);
    } finally {
      options.signal?.removeEventListener('abort', stopDrop);
    }
    await db
      .query(
        `CREATE DATABASE ${quoteIdentifier(database)} CHARACTER SET ${schema.characterSet} COLLATE ${schema.collation}`,
      )
      .catch((error: unknown) => {
        throw new DatabaseChangedError(
          'RESTORE_FAILED',
          `dropped database ${database} but could not create it again: ${(error as Error).message}`,
          error,
        );
      });
  });
  return { loadInto: database, commit: async () => undefined, abort: async () => undefined };
}

/**
 * A database's default character set and collation: what a replacement re-creates it with, and
 * what a manifest records (`databaseOptions`) for a restore into a new database.
 */
export async function characterSetOf(
  db: Connection,
  database: string,
): Promise<{ characterSet: string; collation: string }> {
  const [rows] = await db.query(
    `SELECT DEFAULT_CHARACTER_SET_NAME AS characterSet, DEFAULT_COLLATION_NAME AS collation
     FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
    [database],
  );
  const [schema] = rows as { characterSet: string; collation: string }[];
  if (!schema) throw new PortYardError('NOT_FOUND', `database ${database} does not exist`);
  if (!isSqlWord(schema.characterSet) || !isSqlWord(schema.collation))
    throw new PortYardError(
      'INTERNAL',
      `unexpected character set ${schema.characterSet} / ${schema.collation}`,
    );
  return schema;
}

/** A character set or collation name that can go into SQL unquoted. */
export const isSqlWord = (name: string): boolean => /^\w+$/.test(name);

/** Tables of `database` (none once it is gone). */
async function tableCount(db: Connection, database: string): Promise<number> {
  const [rows] = await db.query(
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [database],
  );
  return Number((rows as { n: number | string }[])[0]?.n ?? 0);
}

/** Stops the statement a session is running, from a connection of its own (best effort). */
async function killQuery(connection: ConnectionSettings, id: number): Promise<void> {
  await withMysqlConnection(connection, (db) => db.query(`KILL QUERY ${Number(id)}`)).catch(() => undefined);
}

/**
 * A lock wait times out before anything is dropped (the DROP locks every table first), so that is
 * a CONFLICT that changed nothing; any other failure may have dropped some tables already.
 */
function dropFailure(error: unknown, database: string, lockWait: number): PortYardError {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ER_LOCK_WAIT_TIMEOUT')
    return new PortYardError(
      'CONFLICT',
      `database ${database} is locked by another session (an open transaction that used its tables), ` +
        `still after ${lockWait} s; nothing was changed: end that transaction and restore again`,
      { phase: 'restore', cause: error },
    );
  return new DatabaseChangedError(
    'RESTORE_FAILED',
    `could not drop database ${database} to replace it: ${message ?? String(error)}`,
    error,
  );
}
