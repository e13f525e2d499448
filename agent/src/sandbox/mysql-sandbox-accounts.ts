import type mysql from 'mysql2/promise';
import type { ConnectionSettings } from '../engines/engine.ts';
import { withMysqlConnection } from '../engines/mysql/mysql-connection.ts';
import { reassignDefiners } from './mysql-sandbox-definers.ts';
import { mysqlNativePasswordHash } from './mysql-native-password.ts';
import type { SandboxAccounts } from './sandbox-accounts.ts';
import { isSandboxId } from './sandbox-names.ts';

/** Sandbox users connect from anywhere; what they may reach is limited by their grants. */
const account = (user: string): string => `'${user}'@'%'`;

/** In a database-level GRANT, `_` and `%` are wildcards: escaped, the grant names one database. */
const grantedDatabase = (database: string): string => `\`${database.replace(/[\\_%]/g, (c) => `\\${c}`)}\``;

/** ER_PARSE_ERROR: a statement this server does not know. */
const parseErrorErrno = 1064;

async function killSessions(db: mysql.Connection, user: string): Promise<void> {
  const [sessions] = await db.query(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE CAST(USER AS BINARY) = CAST(? AS BINARY)',
    [user],
  );
  for (const { id } of sessions as { id: number }[])
    await db.query('KILL CONNECTION ?', [id]).catch(() => undefined); // gone meanwhile
}

/**
 * MariaDB/MySQL: `CREATE USER 'u'@'%'` and `GRANT ALL ON \`db\`.*` only. MariaDB gets the
 * mysql_native_password hash (`IDENTIFIED BY PASSWORD '*...'`), so the plain password never
 * travels; MySQL (untested here: no MySQL server) gets `IDENTIFIED BY` with the password, which
 * MySQL rewrites out of its own logs.
 */
export function createMysqlSandboxAccounts(connection: ConnectionSettings): SandboxAccounts {
  const use = <T>(work: (db: mysql.Connection) => Promise<T>): Promise<T> =>
    withMysqlConnection(connection, work);

  return {
    async isolateDatabase() {
      // Nothing to do: without a grant on it, no other user can reach a new database.
    },

    async createUser(user, password) {
      await use(async (db) => {
        const [rows] = await db.query('SELECT VERSION() AS version');
        const isMariadb = /mariadb/i.test((rows as { version: string }[])[0]?.version ?? '');
        if (isMariadb)
          await db.query(`CREATE USER ${account(user)} IDENTIFIED BY PASSWORD ?`, [
            mysqlNativePasswordHash(password),
          ]);
        else await db.query(`CREATE USER ${account(user)} IDENTIFIED BY ?`, [password]);
      });
    },

    async grantDatabase(database, user) {
      await use(async (db) => {
        await db.query(`GRANT ALL PRIVILEGES ON ${grantedDatabase(database)}.* TO ${account(user)}`);
        await reassignDefiners(db, database, user);
      });
    },

    async endSessions(user) {
      await use(async (db) => {
        // No new session between the kill and DROP DATABASE (MariaDB 10.4+, MySQL 5.7.6+; older
        // servers lack ACCOUNT LOCK, and only the kill is done).
        await db.query(`ALTER USER IF EXISTS ${account(user)} ACCOUNT LOCK`).catch((error: unknown) => {
          if ((error as { errno?: number }).errno !== parseErrorErrno) throw error;
        });
        await killSessions(db, user);
      });
    },

    async dropUser(user) {
      await use(async (db) => {
        await killSessions(db, user);
        await db.query(`DROP USER IF EXISTS ${account(user)}`);
      });
    },

    leftovers: () =>
      use(async (db) => {
        const [databases] = await db.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
        const [users] = await db.query(`SELECT User AS name FROM mysql.user WHERE Host = '%'`);
        const names = (rows: unknown): string[] =>
          (rows as { name: string }[]).map((row) => String(row.name)).filter(isSandboxId);
        return { databases: names(databases), users: names(users) };
      }),
  };
}
