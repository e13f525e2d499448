import type { Command } from 'commander';
import type { BackupRunResult } from '@port-yard/shared';
import { exitCodes } from '../cli-errors.ts';
import { formatBytes } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { createProgressLine } from '../progress-line.ts';

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('back up a target now: one artifact per database; exit 0 only if all succeeded')
    .argument('<target>', 'target name from the config')
    .option('--database <name>', 'back up only this database of the target')
    .option('--json', 'print the run result as JSON')
    .action(async (targetName: string, options: { database?: string; json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          const progress = createProgressLine();
          const controller = new AbortController();
          const cancel = (): void => controller.abort();
          process.once('SIGINT', cancel).once('SIGTERM', cancel);
          const result = await agent.backup({
            targetName,
            database: options.database,
            signal: controller.signal,
            onProgress: (update) => progress.update(update),
          });
          progress.clear();
          process.off('SIGINT', cancel).off('SIGTERM', cancel);
          if (options.json) console.log(JSON.stringify(result, null, 2));
          else printResult(result);
          process.exitCode = {
            succeeded: exitCodes.ok,
            skipped: exitCodes.ok,
            partial: exitCodes.partial,
            failed: exitCodes.failed,
          }[result.status];
        },
        { readCatalog: false },
      );
    });
}

function printResult(result: BackupRunResult): void {
  for (const artifact of result.artifacts) {
    const missed = artifact.destinations.filter((outcome) => !outcome.committed);
    const where = artifact.destinations
      .filter((outcome) => outcome.committed)
      .map((outcome) => outcome.storage);
    console.log(
      `${missed.length > 0 ? 'PARTIAL' : 'ok     '} ${result.target}/${artifact.database}  ${artifact.id}  ${formatBytes(artifact.rawBytes)} → ${formatBytes(artifact.storedBytes)}  in ${where.join(', ')}`,
    );
    for (const outcome of missed) console.error(`  not in ${outcome.storage}: ${outcome.error}`);
  }
  for (const failure of result.failures) {
    console.error(
      `FAILED  ${result.target}/${failure.database}  ${failure.code}${failure.phase ? ` (${failure.phase})` : ''}: ${failure.message}`,
    );
    if (failure.stderrTail) console.error(`  ${failure.stderrTail.split('\n').join('\n  ')}`);
  }
}
