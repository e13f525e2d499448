import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Agent } from '../../main.ts';
import type { AppliedRetentionGroup, RetentionGroup } from '../../retention/target-retention.ts';
import { simulateRetention } from '../../retention/simulate.ts';
import { fileErrorReason } from '../../platform/file-error-reason.ts';
import { UsageError, exitCodes } from '../cli-errors.ts';
import { requireTarget } from '../command-line-names.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';

export function registerRetentionCommand(program: Command): void {
  const retention = program.command('retention').description('see and apply retention policies');

  retention
    .command('plan')
    .description(
      'what retention would delete now for a target, per storage and database, and why each artifact is kept (changes nothing)',
    )
    .argument('<target>', 'a target name from the config (targets.<name>)')
    .option('--json', 'print JSON')
    .action(async (targetName: string, options: { json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          const groups = await agent.planRetention(targetName);
          if (options.json) console.log(JSON.stringify(groups, null, 2));
          else printGroups(groups, 'would delete', nothingToDo(agent, targetName));
        },
        { check: (config) => void requireTarget(config, targetName) },
      );
    });

  retention
    .command('apply')
    .description(
      'apply retention to a target now: delete what `retention plan` shows (at most retention.maxDeletePerRun per run; exit 1 when a deletion failed)',
    )
    .argument('<target>', 'a target name from the config (targets.<name>)')
    .option('--json', 'print JSON')
    .action(async (targetName: string, options: { json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          const groups = await agent.applyRetention(targetName);
          if (options.json) console.log(JSON.stringify(groups, null, 2));
          else printGroups(groups, 'deleted', nothingToDo(agent, targetName));
          if (groups.some((group) => group.failed.length > 0)) process.exitCode = exitCodes.failed;
        },
        // A typo must not reach storage: nothing is read, let alone deleted.
        { check: (config) => void requireTarget(config, targetName) },
      );
    });

  retention
    .command('simulate')
    .description('try a policy on given timestamps, without a config or any storage')
    .requiredOption('--policy <file>', 'YAML or JSON: { tiers: [{ every, for }], keepLast }')
    .requiredOption('--artifacts <file>', 'JSON array of { id, startedAt }')
    .option('--now <iso>', 'the current time (default: now)')
    .option('--tz <zone>', 'IANA time zone for calendar buckets', 'UTC')
    .option('--json', 'print JSON (the only output; accepted for symmetry)')
    .action(async (options: { policy: string; artifacts: string; now?: string; tz: string }) => {
      const read = async (file: string): Promise<{ text: string; file: string }> => {
        try {
          return { text: await readFile(file, 'utf8'), file };
        } catch (error) {
          throw new UsageError(`cannot read ${file}: ${fileErrorReason(error)}`);
        }
      };
      const result = simulateRetention({
        policy: await read(options.policy),
        artifacts: await read(options.artifacts),
        now: options.now ?? new Date(),
        timeZone: options.tz,
      });
      console.log(JSON.stringify(result, null, 2));
    });
}

/** Why a target has nothing for retention to do: which of the two reasons it is. */
function nothingToDo(agent: Agent, targetName: string): string {
  if (!agent.config.targets[targetName]?.retention)
    return `target ${targetName} has no retention policy (targets.${targetName}.retention): nothing to do`;
  return `target ${targetName} has no artifacts: nothing to do`;
}

function printGroups(
  groups: readonly (RetentionGroup | AppliedRetentionGroup)[],
  verb: string,
  nothing: string,
): void {
  if (groups.length === 0) console.log(nothing);
  for (const group of groups) {
    const { plan } = group;
    console.log(
      `${group.storage} ${group.database}: keep ${plan.keep.length}, ${verb} ${plan.delete.length}, deferred ${plan.deferred.length}`,
    );
    for (const decision of plan.delete)
      console.log(`  delete ${decision.id}  ${decision.reasons.join('; ')}`);
    for (const decision of plan.keep) console.log(`  keep   ${decision.id}  ${decision.reasons.join('; ')}`);
    if ('failed' in group)
      for (const failure of group.failed) console.error(`  FAILED ${failure.id}: ${failure.error}`);
  }
}
