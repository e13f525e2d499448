import { pipeCli } from './run-cli.ts';
import { createDatabase } from './sample-databases.ts';
import { cliEnv, defaultServer, mariadbCliArgs, postgresCliArgs } from './servers.ts';
import type { Engine, ServerSettings } from './servers.ts';

/**
 * A reference copy made with the stock dump tools, not with Port-Yard: `mariadb-dump --routines
 * --triggers --events --hex-blob | mariadb`, or `pg_dump -Fc | pg_restore`. The self-tests use it
 * to prove describeDatabase sees no difference where a known-good round trip made none (no false
 * alarms); integration tests can use it as the baseline their own restores must match.
 * Creates `target` (a uniqueDatabaseName) first.
 */
export async function copyDatabaseWithDumpTools(
  engine: Engine,
  source: string,
  target: string,
  server: ServerSettings = defaultServer(engine),
  targetServer: ServerSettings = server,
): Promise<void> {
  await createDatabase(engine, target, targetServer);
  if (engine === 'mariadb') {
    await pipeCli(
      {
        command: 'mariadb-dump',
        args: [
          ...mariadbCliArgs(server),
          '--single-transaction',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          '--default-character-set=utf8mb4',
          source,
        ],
        env: cliEnv(server),
      },
      {
        command: 'mariadb',
        args: [...mariadbCliArgs(targetServer), '--default-character-set=utf8mb4', `--database=${target}`],
        env: cliEnv(targetServer),
      },
    );
  } else {
    await pipeCli(
      {
        command: 'pg_dump',
        args: [...postgresCliArgs(server), '--format=custom', source],
        env: cliEnv(server),
      },
      {
        command: 'pg_restore',
        // --exit-on-error: pg_restore otherwise skips failing objects and still exits 1 at most.
        args: [...postgresCliArgs(targetServer), '--exit-on-error', '--dbname', target],
        env: cliEnv(targetServer),
      },
    );
  }
}
