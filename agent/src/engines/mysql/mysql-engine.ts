import type { EngineName } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { findExecutable } from '../../platform/find-executable.ts';
import { isScriptOrUnknown } from '../../platform/script-file.ts';
import { createSecretFiles } from '../../platform/secret-files.ts';
import { toolVersionText } from '../../platform/tool-version.ts';
import { trailerCheck } from '../completion-checks.ts';
import type { ConnectionSettings, DumpRequest, Engine } from '../engine.ts';
import { mysqlDefaultPort, withMysqlConnection } from './mysql-connection.ts';
import { mysqlMissingDefiners } from './mysql-definers.ts';
import { mysqlFingerprint } from './mysql-fingerprint.ts';
import { databaseExistsOn, mysqlBackupLookups, serverInfoOf } from './mysql-lookups.ts';
import { mysqlDumpArgs, mysqlRestoreArgs, parseMysqlToolVersion } from './mysql-dump-args.ts';
import { mysqlOptionsFile } from './mysql-options-file.ts';
import { isSqlWord, mysqlBeginReplace, mysqlDatabaseSize, mysqlOpenConnections } from './mysql-replace.ts';
import { routineAccessProblem } from './mysql-routine-access.ts';
import { quoteMysqlIdentifier as quoteIdentifier } from '../sql-quoting.ts';
import { renameAlterDatabase } from './rename-alter-database.ts';

const systemDatabases = new Set(['information_schema', 'performance_schema', 'mysql', 'sys']);

export interface MysqlFamilyOptions {
  readonly name: Extract<EngineName, 'mariadb' | 'mysql'>;
  /** Dump tools to try, in order, when the target names none. */
  readonly dumpTools: readonly string[];
  readonly clientTools: readonly string[];
}

async function firstTool(candidates: readonly string[], configured?: string): Promise<string> {
  for (const candidate of configured ? [configured] : candidates) {
    const found = await findExecutable(candidate);
    if (found) return found;
  }
  throw new PortYardError(
    'TOOL_MISSING',
    `none of ${(configured ? [configured] : candidates).join(', ')} is installed`,
  );
}

/** `remember`: the engine's own program, whose answer may be kept (tool-version.ts). */
async function toolFlavor(tool: string, remember: boolean): Promise<{ version: string; isMariadb: boolean }> {
  return parseMysqlToolVersion(await toolVersionText(tool, remember));
}

interface DumpToolFlavor {
  readonly isMariadb: boolean;
  readonly mysql8: boolean;
  readonly version: Promise<string>;
}

/**
 * What the dump's arguments depend on. MariaDB's own tool (by its file's real name: `mysqldump`
 * is often a link to it) is known without asking it, so the dump need not wait for another
 * program's start: its version is asked once the dump runs (as pg_dump's is). Any other tool is
 * asked first (MySQL 8's tools take other arguments).
 */
async function dumpToolFlavor(tool: string, request: DumpRequest): Promise<DumpToolFlavor> {
  const remember = request.dumpCommand === undefined;
  if (remember && basename(await realpath(tool).catch(() => tool)) === 'mariadb-dump') {
    const version = Promise.resolve(request.dumpStarted)
      .then(() => toolFlavor(tool, remember))
      .then((asked) => asked.version);
    version.catch(() => undefined); // awaited by the backup; meanwhile it is not unhandled
    return { isMariadb: true, mysql8: false, version };
  }
  const asked = await toolFlavor(tool, remember);
  return {
    isMariadb: asked.isMariadb,
    mysql8: asked.version.startsWith('8'),
    version: Promise.resolve(asked.version),
  };
}

/** MariaDB and MySQL: one engine, two flavors of tools. */
export function createMysqlFamilyEngine(options: MysqlFamilyOptions): Engine {
  const query = <T>(connection: ConnectionSettings, sql: string, params: unknown[] = []): Promise<T> =>
    withMysqlConnection(connection, async (db) => (await db.query(sql, params))[0] as T);

  return {
    name: options.name,
    defaultPort: mysqlDefaultPort,

    refusesRestoreInto(database) {
      // Compared in lower case: information_schema is case-insensitive everywhere, and so are all
      // database names where lower_case_table_names is set.
      return systemDatabases.has(database.toLowerCase())
        ? 'it is a system database of the server'
        : undefined;
    },

    probe: (connection) => withMysqlConnection(connection, serverInfoOf),

    async listDatabases(connection) {
      const rows = await query<{ Database: string }[]>(connection, 'SHOW DATABASES');
      return rows.map((row) => row.Database).filter((name) => !systemDatabases.has(name.toLowerCase()));
    },

    databaseExists: (connection, database) =>
      withMysqlConnection(connection, (db) => databaseExistsOn(db, database)),

    fingerprint: mysqlFingerprint,

    backupLookups: mysqlBackupLookups,

    async dumpOmissions(connection) {
      const problem = await withMysqlConnection(connection, routineAccessProblem);
      return problem ? [problem] : [];
    },

    async prepareDump(request) {
      const tool = await firstTool(options.dumpTools, request.dumpCommand);
      const flavor = await dumpToolFlavor(tool, request);
      const secrets = await createSecretFiles();
      try {
        const optionsPath = await secrets.write(
          'client.cnf',
          mysqlOptionsFile(request.connection, !flavor.isMariadb),
        );
        const toolName = tool.split('/').pop() ?? tool;
        return {
          command: {
            command: tool,
            args: mysqlDumpArgs(optionsPath, request.database, !flavor.isMariadb && flavor.mysql8),
          },
          dispose: () => secrets.dispose(),
          format: 'sql',
          extension: 'sql',
          toolName,
          exitStatusTrusted:
            ['mariadb-dump', 'mysqldump'].includes(toolName) && !(await isScriptOrUnknown(tool)),
          toolVersion: flavor.version,
          createCompletionCheck: () => trailerCheck('-- Dump completed', toolName),
        };
      } catch (error) {
        await secrets.dispose();
        throw error;
      }
    },

    async createDatabase(connection, database, like) {
      const create = `CREATE DATABASE ${quoteIdentifier(database)}`;
      const { characterSet, collation } = like ?? {};
      if (characterSet && collation && isSqlWord(characterSet) && isSqlWord(collation)) {
        try {
          await query(connection, `${create} CHARACTER SET ${characterSet} COLLATE ${collation}`);
          return [];
        } catch (error) {
          // A collation this server lacks (another release or flavor): utf8mb4, said in a warning.
          await query(connection, `${create} CHARACTER SET utf8mb4`);
          return [
            `${database} was created with character set utf8mb4, not the dumped database's ${characterSet} (${collation}): ${(error as Error).message}`,
          ];
        }
      }
      await query(connection, `${create} CHARACTER SET utf8mb4`);
      return [];
    },

    async dropDatabase(connection, database) {
      await query(connection, `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    },

    async prepareRestore(request) {
      if (request.format !== 'sql') {
        throw new PortYardError(
          'INVALID_INPUT',
          `a ${options.name} target cannot restore a ${request.format} dump`,
        );
      }
      const tool = await firstTool(options.clientTools);
      const flavor = await toolFlavor(tool, true);
      const secrets = await createSecretFiles();
      const optionsPath = await secrets.write(
        'client.cnf',
        mysqlOptionsFile(request.connection, !flavor.isMariadb),
      );
      const { dumpedDatabase, database } = request;
      return {
        command: { command: tool, args: mysqlRestoreArgs(optionsPath, database) },
        ...(dumpedDatabase !== undefined && dumpedDatabase !== database
          ? { rewriteInput: () => renameAlterDatabase(dumpedDatabase, database) }
          : {}),
        dispose: () => secrets.dispose(),
      };
    },

    missingDefiners: mysqlMissingDefiners,
    databaseSize: mysqlDatabaseSize,
    openConnections: mysqlOpenConnections,
    atomicReplace: false,
    beginReplace: mysqlBeginReplace,
  };
}
