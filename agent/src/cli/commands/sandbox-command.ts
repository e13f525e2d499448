import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { SandboxCredentials, SandboxSummary } from '@port-yard/shared';
import { requireArtifact, requireSandbox } from '../command-line-names.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { alignColumns } from '../format.ts';

/**
 * `port-yard sandbox create|list|extend|destroy`: developer sandboxes on a target's
 * `sandbox.server`. `create` prints the credentials, the only place the password ever appears.
 */
export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description("developer sandboxes: an artifact deployed to its target's test server with its own user");

  sandbox
    .command('create')
    .description(
      'restore an artifact into a new sandbox database with a generated user; prints the credentials once',
    )
    .argument('<artifactId>', 'artifact id (see `port-yard list`)')
    .option(
      '--ttl <duration>',
      "how long it lives before it is dropped, e.g. 4h or 2d (default: the target's sandbox.ttl)",
    )
    .option('--json', 'print the credentials as JSON')
    .action(async (artifactId: string, options: { ttl?: string; json?: boolean }, command: Command) => {
      await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
        requireArtifact(agent, artifactId);
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel).once('SIGTERM', cancel);
        try {
          const created = await agent.createSandbox({
            artifactId,
            ttl: options.ttl,
            createdBy: `cli:${cliUser()}`,
            signal: controller.signal,
          });
          if (options.json) console.log(JSON.stringify(created, null, 2));
          else printCredentials(created);
        } finally {
          process.off('SIGINT', cancel).off('SIGTERM', cancel);
        }
      });
    });

  sandbox
    .command('list')
    .description('sandboxes on every sandbox test server (never their passwords)')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          const { items, problems } = await agent.listSandboxes();
          for (const problem of problems)
            console.error(`warning: test server ${problem.server}: ${problem.message}`);
          if (options.json) console.log(JSON.stringify(items, null, 2));
          else if (items.length === 0) console.log('no sandboxes');
          else for (const line of alignColumns(items.map(sandboxCells))) console.log(line);
        },
        { readCatalog: false },
      );
    });

  sandbox
    .command('extend')
    .description('set when a sandbox expires: --ttl from now (which may also shorten its life)')
    .argument('<id>', 'sandbox id, py_sbx_ and 10 hex digits (see `port-yard sandbox list`)')
    .requiredOption('--ttl <duration>', 'how long it lives from now, e.g. 4h or 2d')
    .option('--json', 'print the sandbox as JSON')
    .action(async (id: string, options: { ttl: string; json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          await requireSandbox(agent, id);
          const extended = await agent.extendSandbox(id, options.ttl);
          if (options.json) console.log(JSON.stringify(extended, null, 2));
          else console.log(`sandbox ${extended.id} now expires at ${extended.expiresAt}`);
        },
        { readCatalog: false },
      );
    });

  sandbox
    .command('destroy')
    .description('drop a sandbox now: its database, its user and its registry row')
    .argument('<id>', 'sandbox id, py_sbx_ and 10 hex digits (see `port-yard sandbox list`)')
    .option('--json', 'print what was dropped as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withCliAgent(
        command.optsWithGlobals<GlobalOptions>(),
        async (agent) => {
          await requireSandbox(agent, id);
          const destroyed = await agent.destroySandbox(id);
          if (options.json) console.log(JSON.stringify(destroyed, null, 2));
          else console.log(`dropped sandbox ${destroyed.id} on test server ${destroyed.server}`);
        },
        { readCatalog: false },
      );
    });
}

function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** A sandbox as the cells of one `sandbox list` line (no password). */
function sandboxCells(item: SandboxSummary): string[] {
  return [
    item.id,
    item.status,
    item.server,
    `${item.host}:${item.port}`,
    `${item.target} ${item.artifactId}`,
    `expires ${item.expiresAt}`,
    `by ${item.createdBy}`,
  ];
}

function printCredentials(created: SandboxCredentials): void {
  console.log(
    [
      `sandbox ${created.id} on test server ${created.server} (target ${created.target}, artifact ${created.artifactId})`,
      `  host:     ${created.host}`,
      `  port:     ${created.port}`,
      `  database: ${created.database}`,
      `  user:     ${created.user}`,
      `  password: ${created.password}`,
      `  uri:      ${created.uri}`,
      `  expires:  ${created.expiresAt}`,
      'The password is shown only now: Port-Yard does not keep it.',
    ].join('\n'),
  );
}
