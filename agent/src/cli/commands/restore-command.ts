import type { Command } from 'commander';
import { UsageError } from '../cli-errors.ts';
import { formatBytes } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description("restore an artifact into a new, empty database on its target's server")
    .argument('<artifactId>', 'artifact id (see `list`)')
    .option('--to-database <name>', 'the new database to create and restore into')
    .option('--json', 'print the result as JSON')
    .action(
      async (artifactId: string, options: { toDatabase?: string; json?: boolean }, command: Command) => {
        if (!options.toDatabase)
          throw new UsageError('restore needs --to-database <name> (restoring over the source comes later)');
        const toDatabase = options.toDatabase;
        await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
          const controller = new AbortController();
          const cancel = (): void => controller.abort();
          process.once('SIGINT', cancel).once('SIGTERM', cancel);
          try {
            const result = await agent.restoreToNewDatabase({
              artifactId,
              toDatabase,
              signal: controller.signal,
            });
            if (options.json) console.log(JSON.stringify({ ok: true, artifactId, ...result }, null, 2));
            else
              console.log(
                `restored ${artifactId} (${formatBytes(result.bytes)}) into database ${result.database}`,
              );
          } finally {
            process.off('SIGINT', cancel).off('SIGTERM', cancel);
          }
        });
      },
    );
}
