import type { Command } from 'commander';
import { UsageError } from '../cli-errors.ts';
import { formatBytes } from '../format.ts';
import { loadCliAgent, type GlobalOptions } from '../load-agent.ts';

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
        const agent = await loadCliAgent(command.optsWithGlobals<GlobalOptions>(), (line) =>
          console.error(line),
        );
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel).once('SIGTERM', cancel);
        const result = await agent.restoreToNewDatabase({
          artifactId,
          toDatabase: options.toDatabase,
          signal: controller.signal,
        });
        process.off('SIGINT', cancel).off('SIGTERM', cancel);
        if (options.json) console.log(JSON.stringify({ ok: true, artifactId, ...result }, null, 2));
        else
          console.log(
            `restored ${artifactId} (${formatBytes(result.bytes)}) into database ${result.database}`,
          );
      },
    );
}
