import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { RestorePlan } from '@port-yard/shared';
import { UsageError } from '../cli-errors.ts';
import { formatBytes, formatElapsed } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { createProgressLine } from '../progress-line.ts';

interface RestoreOptions {
  readonly toDatabase?: string;
  readonly yes?: boolean;
  readonly safetyBackup: boolean;
  readonly terminateConnections?: boolean;
  readonly json?: boolean;
}

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description(
      "restore an artifact over its database (confirmed), or into a new database on its target's server",
    )
    .argument('<artifactId>', 'artifact id (see `list`)')
    .option('--to-database <name>', "restore into this database instead of the artifact's own")
    .option('--yes', 'replace an existing database without asking for its name')
    .option('--no-safety-backup', 'do not back up the database being replaced first')
    .option('--terminate-connections', 'end open connections on the database being replaced')
    .option('--json', 'print the result as JSON')
    .action(async (artifactId: string, options: RestoreOptions, command: Command) => {
      await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
        const openConnections = options.terminateConnections ? 'terminate' : undefined;
        const plan = await agent.planRestore(artifactId, options.toDatabase, openConnections);
        describePlan(plan);
        const confirm = plan.mode === 'replace' ? await confirmation(plan, options) : undefined;
        const progress = createProgressLine();
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel).once('SIGTERM', cancel);
        try {
          const result = await agent.restore({
            artifactId,
            toDatabase: options.toDatabase,
            confirm,
            safetyBackup: options.safetyBackup,
            openConnections,
            signal: controller.signal,
            onProgress: (update) => progress.update(update),
          });
          progress.clear();
          if (options.json) console.log(JSON.stringify({ ok: true, ...result }, null, 2));
          else {
            const safety = result.safetyArtifactId ? ` (safety backup: ${result.safetyArtifactId})` : '';
            console.log(
              `restored ${artifactId} (${formatBytes(result.storedBytes)}) into database ${result.database} in ${formatElapsed(result.durationMs)}${safety}`,
            );
          }
        } finally {
          progress.clear();
          process.off('SIGINT', cancel).off('SIGTERM', cancel);
        }
      });
    });
}

/** What will happen, on stderr: stdout stays for the result. */
function describePlan(plan: RestorePlan): void {
  const age = formatAge(plan.artifact.ageSeconds);
  const what =
    plan.mode === 'replace'
      ? `REPLACES database ${plan.database} on ${plan.server} (${plan.serverVersion}; ${formatBytes(plan.databaseBytes ?? 0)} now)`
      : `creates database ${plan.database} on ${plan.server} (${plan.serverVersion})`;
  console.error(
    `restore ${plan.artifactId} (taken ${age} ago, ${formatBytes(plan.artifact.storedBytes)}): ${what}`,
  );
  for (const warning of plan.warnings) console.error(`warning: ${warning}`);
}

/** The database name: from --yes, or typed on a terminal; without either nothing happens. */
async function confirmation(plan: RestorePlan, options: RestoreOptions): Promise<string> {
  if (options.yes) return plan.database;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError(
      `restoring replaces database ${plan.database}: pass --yes, or run on a terminal to type its name (nothing was changed)`,
    );
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const typed = (
      await prompt
        .question(`type the database name (${plan.database}) to replace it: `)
        .catch((error: unknown) => {
          // Ctrl-C (or Ctrl-D) at the prompt: a no, like a wrong name.
          if ((error as Error).name !== 'AbortError') throw error;
          process.stderr.write('\n');
          throw new UsageError('cancelled: nothing was changed');
        })
    ).trim();
    if (typed !== plan.database)
      throw new UsageError(`${JSON.stringify(typed)} is not ${plan.database}: nothing was changed`);
    return typed;
  } finally {
    prompt.close();
  }
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
