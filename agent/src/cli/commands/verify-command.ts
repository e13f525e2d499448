import type { Command } from 'commander';
import { exitCodes } from '../cli-errors.ts';
import { requireArtifact } from '../command-line-names.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      "restore an artifact into a scratch database on its target's test server (verify.server), compare tables and row counts with the manifest, then drop it",
    )
    .argument('<artifactId>', 'artifact id (see `port-yard list`)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 verified, 1 the verification failed (or could not run), 2 bad usage (no such artifact, no verify.server).',
    )
    .action(async (artifactId: string, options: { json?: boolean }, command: Command) => {
      await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
        requireArtifact(agent, artifactId);
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel).once('SIGTERM', cancel);
        try {
          const result = await agent.verify(artifactId, { signal: controller.signal });
          if (options.json) console.log(JSON.stringify(result, null, 2));
          else if (result.ok) {
            const rows = result.tables.reduce((sum, table) => sum + (table.actualRows ?? 0), 0);
            const approximate = result.tables.filter((table) => table.approximate).length;
            console.log(
              `verified ${artifactId} on test server ${result.server}: ${result.tables.length} tables, ${rows} rows` +
                (approximate > 0 ? ` (${approximate} within the manifest's estimates)` : '') +
                ` in ${(result.durationMs / 1000).toFixed(1)} s`,
            );
          } else {
            console.error(`verification of ${artifactId} on test server ${result.server} FAILED:`);
            for (const problem of result.problems) console.error(`  - ${problem}`);
          }
          if (result.cleanupError) console.error(`warning: ${result.cleanupError}`);
          if (!result.ok) process.exitCode = exitCodes.failed;
        } finally {
          process.off('SIGINT', cancel).off('SIGTERM', cancel);
        }
      });
    });
}
