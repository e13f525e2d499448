import { PortYardError } from '@port-yard/shared';
import { basename } from 'node:path';
import { findExecutable } from '../../platform/find-executable.ts';
import { isScriptOrUnknown } from '../../platform/script-file.ts';
import { createSecretFiles } from '../../platform/secret-files.ts';
import { toolVersionText } from '../../platform/tool-version.ts';
import { trailerCheck } from '../completion-checks.ts';
import type { ConnectionSettings, Engine, PreparedCommand } from '../engine.ts';
import { customArchiveCheck } from './custom-archive-check.ts';
import { bypassPgWrapper } from './debian-pg-wrapper.ts';
import { libpqDbname } from './libpq-dbname.ts';
import { databaseExistsOn, postgresBackupLookups, serverInfoOf } from './postgres-lookups.ts';
import { postgresFingerprint } from './postgres-fingerprint.ts';
import { postgresDefaultPort, withPostgresConnection } from './postgres-connection.ts';
import {
  likeDatabaseSql,
  postgresBeginReplace,
  postgresDatabaseSize,
  postgresOpenConnections,
  stagingCopyOf,
} from './postgres-replace.ts';
import { parsePostgresToolVersion, pgpassLine, postgresToolEnv } from './postgres-tool-env.ts';
import {
  postgresMaintenanceDatabase as maintenanceDatabase,
  quotePostgresIdentifier as quoteIdentifier,
} from '../sql-quoting.ts';

/** The program to run: a configured one as it is; Debian's pg_wrapper links by what they run. */
async function tool(name: string, configured?: string): Promise<string> {
  const found = await findExecutable(configured ?? name);
  if (!found)
    throw new PortYardError('TOOL_MISSING', `${configured ?? name} is not installed or not on the PATH`);
  return configured === undefined ? bypassPgWrapper(found) : found;
}

/** A libpq tool with the password in a private PGPASSFILE that `dispose` removes. */
async function prepareLibpqCommand(
  command: string,
  args: string[],
  connection: ConnectionSettings,
): Promise<PreparedCommand> {
  const secrets = await createSecretFiles();
  try {
    const passFile =
      connection.password === undefined
        ? undefined
        : await secrets.write('pgpass', pgpassLine(connection.user, connection.password));
    return {
      command: { command, args, env: postgresToolEnv(connection, passFile) },
      dispose: () => secrets.dispose(),
    };
  } catch (error) {
    await secrets.dispose();
    throw error;
  }
}

export function createPostgresEngine(): Engine {
  const query = <T>(
    connection: ConnectionSettings,
    database: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> =>
    withPostgresConnection(
      connection,
      database,
      async (client) => (await client.query(sql, params)).rows as T[],
    );

  return {
    name: 'postgres',
    defaultPort: postgresDefaultPort,

    refusesRestoreInto(database) {
      if (database === 'template0' || database === 'template1')
        return 'it is a template database of the server (every new database is copied from one)';
      if (database === maintenanceDatabase)
        return 'it is the maintenance database Port-Yard connects to in order to create, swap and drop databases';
      return undefined;
    },

    probe: (connection) => withPostgresConnection(connection, maintenanceDatabase, serverInfoOf),

    stagingCopyOf,

    async listDatabases(connection) {
      const rows = await query<{ datname: string; datallowconn: boolean }>(
        connection,
        maintenanceDatabase,
        'SELECT datname, datallowconn FROM pg_database WHERE NOT datistemplate ORDER BY datname',
      );
      // A database that refuses connections is left out, but not one that a restore's swap left
      // so, killed with its staging copy still there: its backups then fail, loudly, instead of
      // ending unsaid. (A copy's name is cut to 63 bytes: a cut one names the start of its database.)
      const copies = rows.flatMap((row) => {
        const of = stagingCopyOf(row.datname);
        return of === undefined ? [] : [{ of, cut: Buffer.byteLength(row.datname) === 63 }];
      });
      const leftBlocked = (name: string): boolean =>
        copies.some((copy) => name === copy.of || (copy.cut && name.startsWith(copy.of)));
      // `databases: all` leaves the maintenance database out (list it to back it up).
      return rows
        .filter((row) => row.datallowconn || leftBlocked(row.datname))
        .map((row) => row.datname)
        .filter((name) => name !== maintenanceDatabase);
    },

    databaseExists: (connection, database) =>
      withPostgresConnection(connection, maintenanceDatabase, (client) => databaseExistsOn(client, database)),

    fingerprint: postgresFingerprint,

    backupLookups: postgresBackupLookups,

    async prepareDump(request) {
      const pgDump = await tool('pg_dump', request.dumpCommand);
      // Checked beside the dump, once it started, not before it: the dump need not wait for a
      // second program's start, and pg_dump refuses a newer server by itself anyway.
      const clientVersion = Promise.resolve(request.dumpStarted)
        .then(() => toolVersionText(pgDump, request.dumpCommand === undefined, 'pg_dump (PostgreSQL) '))
        .then(parsePostgresToolVersion);
      const toolVersion = Promise.all([clientVersion, request.server]).then(([client, server]) => {
        if (client.major < server.major) {
          throw new PortYardError(
            'VERSION_MISMATCH',
            `pg_dump ${client.version} cannot dump PostgreSQL ${server.version}: install pg_dump ${server.major} or newer (set dumpCommand to its path)`,
            { phase: 'dump' },
          );
        }
        return client.version;
      });
      toolVersion.catch(() => undefined); // the caller awaits it; meanwhile it is not unhandled
      const plain = request.dumpFormat === 'plain';
      const args = [
        `--format=${plain ? 'plain' : 'custom'}`,
        '--no-password',
        `--dbname=${libpqDbname(request.database)}`,
      ];
      // Custom format with pg_dump's own compression off: the pipeline compresses, much faster (zstd -T0).
      if (!plain) args.splice(1, 0, '--compress=0');
      const prepared = await prepareLibpqCommand(pgDump, args, request.connection);
      return {
        ...prepared,
        format: plain ? 'pg-plain' : 'pg-custom',
        extension: plain ? 'sql' : 'pgdump',
        toolName: 'pg_dump',
        exitStatusTrusted: basename(pgDump) === 'pg_dump' && !(await isScriptOrUnknown(pgDump)),
        toolVersion,
        createCompletionCheck: () =>
          plain
            ? trailerCheck('-- PostgreSQL database dump complete', 'pg_dump')
            : customArchiveCheck('pg_dump'),
      };
    },

    async createDatabase(connection, database, like) {
      const create = `CREATE DATABASE ${quoteIdentifier(database)}`;
      if (!like?.['encoding']) {
        await query(connection, maintenanceDatabase, create);
        return [];
      }
      try {
        await query(connection, maintenanceDatabase, `${create} ${likeDatabaseSql(like)}`);
        return [];
      } catch (error) {
        // A locale or provider this server lacks: the server's defaults, said in a warning. Any
        // other failure (no CREATEDB, the name taken) fails again here, and is thrown.
        await query(connection, maintenanceDatabase, create);
        return [
          `${database} was created with the server's default encoding and locale, not the dumped database's (${describeLike(like)}): ${(error as Error).message}`,
        ];
      }
    },

    async dropDatabase(connection, database) {
      await query(
        connection,
        maintenanceDatabase,
        `DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`,
      );
    },

    async prepareRestore(request) {
      if (request.format === 'pg-custom') {
        const args = ['--no-password', '--exit-on-error', `--dbname=${libpqDbname(request.database)}`];
        if (request.withoutOwnership) args.push('--no-owner', '--no-privileges');
        if (request.stagedFile) args.push(`--jobs=${request.stagedFile.jobs}`, request.stagedFile.path);
        else args.push('--single-transaction');
        return prepareLibpqCommand(await tool('pg_restore'), args, request.connection);
      }
      if (request.format === 'pg-plain') {
        const args = [
          '--no-password',
          '--no-psqlrc',
          '--quiet',
          '--set=ON_ERROR_STOP=1',
          '--single-transaction',
          `--dbname=${libpqDbname(request.database)}`,
        ];
        return prepareLibpqCommand(await tool('psql'), args, request.connection);
      }
      throw new PortYardError('INVALID_INPUT', `a postgres target cannot restore a ${request.format} dump`);
    },

    databaseSize: postgresDatabaseSize,
    openConnections: postgresOpenConnections,
    atomicReplace: true,
    beginReplace: postgresBeginReplace,
  };
}

/** `encoding UTF8, locale de-u-kn-true (icu)`: what a database was to be made like. */
function describeLike(like: Readonly<Record<string, string>>): string {
  const locale = like['locale'] ?? like['lcCollate'];
  return [
    `encoding ${like['encoding']}`,
    locale ? `locale ${locale}${like['localeProvider'] ? ` (${like['localeProvider']})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
