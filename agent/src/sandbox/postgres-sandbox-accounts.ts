import type pg from 'pg';
import type { ConnectionSettings } from '../engines/engine.ts';
import { withPostgresConnection } from '../engines/postgres/postgres-connection.ts';
import type { SandboxAccounts } from './sandbox-accounts.ts';
import { isSandboxId, sandboxPrefix } from './sandbox-names.ts';
import { postgresOwnershipStatements } from './postgres-sandbox-ownership.ts';
import { scramSha256Verifier } from './scram-verifier.ts';
import {
  postgresMaintenanceDatabase as maintenanceDatabase,
  quotePostgresIdentifier as quote,
} from '../engines/sql-quoting.ts';

/**
 * PostgreSQL: the sandbox role owns its database and (after a `--no-owner --no-privileges`
 * restore) every object in it, so developers can also migrate its schema; PUBLIC loses CONNECT
 * on it, so no other sandbox role can even connect. The password is sent as a SCRAM-SHA-256
 * verifier.
 */
export function createPostgresSandboxAccounts(connection: ConnectionSettings): SandboxAccounts {
  const use = <T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> =>
    withPostgresConnection(connection, database, work);

  return {
    async isolateDatabase(database) {
      await use(maintenanceDatabase, (client) =>
        client.query(`REVOKE ALL ON DATABASE ${quote(database)} FROM PUBLIC`),
      );
    },

    async createUser(user, password) {
      await use(maintenanceDatabase, async (client) => {
        // A verifier of base64 characters, `$` and `:` only: a literal needs no escaping here.
        await client.query(
          `CREATE ROLE ${quote(user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
           PASSWORD '${scramSha256Verifier(password)}'`,
        );
        // A non-superuser admin (CREATEROLE) must be a member to hand objects over to the role.
        const { rows } = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
        if (!rows[0]?.rolsuper) await client.query(`GRANT ${quote(user)} TO CURRENT_USER`);
      });
    },

    async grantDatabase(database, user) {
      await use(maintenanceDatabase, (client) =>
        client.query(`ALTER DATABASE ${quote(database)} OWNER TO ${quote(user)}`),
      );
      await use(database, async (client) => {
        await client.query('BEGIN');
        for (const statement of await postgresOwnershipStatements(client, user))
          await client.query(statement);
        await client.query('COMMIT');
      });
    },

    async endSessions() {
      // Nothing to do: DROP DATABASE ... WITH (FORCE) ends the sessions connected to it.
    },

    async dropUser(user) {
      // Locked out first: should the drop fail, the expired sandbox's login must not work on.
      const elsewhere = await use(maintenanceDatabase, async (client) => {
        const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
        if (rows.length === 0) return undefined;
        await client.query(`ALTER ROLE ${quote(user)} NOLOGIN`);
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
          user,
        ]);
        // Other databases where it owns objects or holds privileges (a table it made in another
        // database that lets PUBLIC create): DROP ROLE fails until each is cleared there.
        const { rows: databases } = await client.query<{ name: string }>(
          `SELECT DISTINCT d.datname AS name FROM pg_shdepend s
             JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = s.refobjid
            WHERE r.rolname = $1 AND d.datallowconn AND d.datname <> $2`,
          [user, maintenanceDatabase],
        );
        return databases.map((row) => row.name);
      });
      if (elsewhere === undefined) return;
      for (const database of elsewhere)
        await use(database, (client) => client.query(`DROP OWNED BY ${quote(user)}`));
      await use(maintenanceDatabase, async (client) => {
        // What it may own or was granted here (its own database is dropped before).
        await client.query(`DROP OWNED BY ${quote(user)}`);
        await client.query(`DROP ROLE IF EXISTS ${quote(user)}`);
      });
    },

    leftovers: () =>
      use(maintenanceDatabase, async (client) => {
        const like = `${sandboxPrefix.replace(/_/g, '\\_')}%`;
        const databases = await client.query<{ name: string }>(
          'SELECT datname AS name FROM pg_database WHERE datname LIKE $1',
          [like],
        );
        const users = await client.query<{ name: string }>(
          'SELECT rolname AS name FROM pg_roles WHERE rolname LIKE $1',
          [like],
        );
        return {
          databases: databases.rows.map((row) => row.name).filter(isSandboxId),
          users: users.rows.map((row) => row.name).filter(isSandboxId),
        };
      }),
  };
}
