import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { RestorePlan } from '@port-yard/shared';
import { UsageError } from '../cli-errors.ts';
import { requireArtifact } from '../command-line-names.ts';
import { formatBytes, formatElapsed } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { createProgressLine } from '../progress-line.ts';

interface RestoreOptions {
  readonly toDatabase?: string;
  readonly yes?: boolean;
  /** Undefined unless given: the target's restore.safetyBackup decides. */
  readonly safetyBackup?: boolean;
  /** Undefined unless given: the target's restore.openConnections decides. */
  readonly terminateConnections?: boolean;
  readonly json?: boolean;
}

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description(
      "restore an artifact over its database (you confirm by typing the database's name), or into a new database on its target's server",
    )
    .argument('<artifactId>', 'artifact id (see `port-yard list`)')
    .option(
      '--to-database <name>',
      "restore into this database instead of the artifact's own: created when it does not exist, replaced (and confirmed) when it does",
    )
    .option('--yes', 'replace an existing database without typing its name (needed when not on a terminal)')
    .option(
      '--safety-backup',
      "back up the database being replaced first (default: the target's restore.safetyBackup, itself true by default)",
    )
    .option('--no-safety-backup', 'replace it without a safety backup')
    .option(
      '--terminate-connections',
      "end other sessions on the database being replaced (default: the target's restore.openConnections, refuse by default)",
    )
    .option('--no-terminate-connections', 'refuse to replace a database other sessions are using')
    .option('--json', 'print the result as JSON on stdout (the plan and warnings still go to stderr)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  port-yard restore 2026-11-26T03-00-00Z_k3j9x0a1b2 --to-database shop_copy',
        '  port-yard restore 2026-11-26T03-00-00Z_k3j9x0a1b2 --yes --terminate-connections',
        '',
        'Exit codes: 0 restored, 1 the restore failed, 2 bad usage or not confirmed (nothing was changed).',
      ].join('\n'),
    )
    .action(async (artifactId: string, options: RestoreOptions, command: Command) => {
      await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
        requireArtifact(agent, artifactId);
        const openConnections =
          options.terminateConnections === undefined
            ? undefined
            : options.terminateConnections
              ? 'terminate'
              : 'refuse';
        const plan = await agent.planRestore(artifactId, options.toDatabase, openConnections);
        describePlan(plan, options.safetyBackup ?? plan.defaults.safetyBackup);
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
            // What the restore met on the way (a damaged copy passed over, an old database kept
            // under another name); the plan's warnings were printed before it started.
            for (const warning of result.warnings.filter((text) => !plan.warnings.includes(text)))
              console.error(`warning: ${warning}`);
          }
        } finally {
          progress.clear();
          process.off('SIGINT', cancel).off('SIGTERM', cancel);
        }
      });
    });
}

/** What will happen, on stderr: stdout stays for the result. */
function describePlan(plan: RestorePlan, safetyBackup: boolean): void {
  const age = formatAge(plan.artifact.ageSeconds);
  const what =
    plan.mode === 'replace'
      ? `REPLACES database ${plan.database} on ${plan.server} (${plan.serverVersion}; ${formatBytes(plan.databaseBytes ?? 0)} now)`
      : `creates database ${plan.database} on ${plan.server} (${plan.serverVersion})`;
  console.error(
    `restore ${plan.artifactId} (taken ${age} ago, ${formatBytes(plan.artifact.storedBytes)}): ${what}`,
  );
  if (plan.mode === 'replace')
    console.error(
      safetyBackup
        ? `a safety backup of ${plan.database} is taken first`
        : `NO safety backup of ${plan.database} is taken first`,
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
    const answer = await prompt
      .question(`type the database name (${plan.database}) to replace it: `)
      .catch((error: unknown) => {
        // Ctrl-C (or Ctrl-D) at the prompt: a no, like a wrong name.
        if ((error as Error).name !== 'AbortError') throw error;
        process.stderr.write('\n');
        throw new UsageError('cancelled: nothing was changed');
      });
    // Stray spaces around the answer are forgiven, unless the name itself has some (`x `).
    const typed = answer === plan.database ? answer : answer.trim();
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
