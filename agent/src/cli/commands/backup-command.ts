import type { Command } from 'commander';
import type { BackupRunResult } from '@port-yard/shared';
import { exitCodes } from '../cli-errors.ts';
import { requireCoveredDatabase, requireTarget } from '../command-line-names.ts';
import { formatBytes } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { createProgressLine } from '../progress-line.ts';

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description(
      'back up a target now, to every one of its destinations: one artifact per database (exit 0 all stored, 1 a database failed, 3 stored but not in every destination)',
    )
    .argument('<target>', 'a target name from the config (targets.<name>)')
    .option(
      '--database <name>',
      'back up only this database; it must be one the target covers (its databases, or with databases: all, one on its server and not in exclude)',
    )
    .option('--json', 'print the run result as JSON on stdout, also when it failed')
    .addHelpText(
      'after',
      ['', 'Examples:', '  port-yard backup shop', '  port-yard backup shop --database orders --json'].join(
        '\n',
      ),
    )
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
        {
          readCatalog: false,
          // A typo in the target or database name: exit 2 before any dump starts.
          check: async (config) => {
            const target = requireTarget(config, targetName);
            if (options.database !== undefined)
              await requireCoveredDatabase(targetName, target, options.database);
          },
        },
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
    if (artifact.incomplete) console.error(`  warning: ${artifact.incomplete}`);
  }
  for (const warning of result.warnings ?? []) console.error(`warning: ${warning}`);
  for (const failure of result.failures) {
    console.error(
      `FAILED  ${result.target}/${failure.database}  ${failure.code}${failure.phase ? ` (${failure.phase})` : ''}: ${failure.message}`,
    );
    if (failure.stderrTail) console.error(`  ${failure.stderrTail.split('\n').join('\n  ')}`);
  }
}
