import type { PortYardConfig } from '@port-yard/shared';
import { loadConfigHidingSecrets } from '../config/hide-secret-variables.ts';
import { createAgent, type Agent } from '../main.ts';
import { sweepStoppedProcessFolders } from '../platform/sweep-process-folders.ts';
import { UsageError } from './cli-errors.ts';

export interface GlobalOptions {
  readonly config?: string;
}

/** The config file: `--config`, else `PORT_YARD_CONFIG`. */
export function configPath(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  const path = options.config ?? env.PORT_YARD_CONFIG;
  if (!path) throw new UsageError('no config file: give --config <file> or set PORT_YARD_CONFIG');
  return path;
}

export async function loadCliConfig(options: GlobalOptions): Promise<PortYardConfig> {
  return loadConfigHidingSecrets(configPath(options));
}

/**
 * Loads the config, runs `check` on it (names from the command line: a typo stops here, before
 * any storage is opened), builds the agent, reads the catalog (storage problems are warnings on
 * stderr), runs `use`, and closes the agent's storage connections whatever happens.
 */
export async function withCliAgent<T>(
  options: GlobalOptions,
  use: (agent: Agent) => Promise<T>,
  {
    readCatalog = true,
    check,
  }: {
    readonly readCatalog?: boolean;
    readonly check?: (config: PortYardConfig) => Promise<void> | void;
  } = {},
): Promise<T> {
  const config = await loadCliConfig(options);
  await check?.(config);
  const agent = createAgent(config);
  try {
    // A backup needs no catalog: reading every manifest first would only delay the dump.
    const problems = readCatalog ? await agent.catalog.refresh(slowStorageNote) : [];
    for (const problem of problems)
      console.error(`warning: ${[problem.storage, problem.key, problem.message].filter(Boolean).join(': ')}`);
    return await use(agent);
  } finally {
    await agent.close();
    await sweepAfterStoppedProcesses(config);
  }
}

/** A storage that does not answer (a hung S3, a host gone) is waited for: say so, not silence. */
export const slowStorageNote = {
  afterMs: 5_000,
  report(storages: readonly string[]): void {
    const names = storages.map((name) => `"${name}"`).join(', ');
    console.error(
      `note: still reading ${storages.length === 1 ? 'storage' : 'storages'} ${names}: one that does not answer is left out after its retries, and the others are used`,
    );
  },
};

/**
 * A one-off command (a cron `port-yard backup`) killed with SIGKILL leaves its credentials folder
 * (and a restore its staged dump) behind, and a deployment without `serve` has no daemon start to
 * remove them: every command does, once its work is done (a readdir of the temp folder and of
 * each `restore.stagingDir`), as the daemon does when it starts.
 */
async function sweepAfterStoppedProcesses(config: PortYardConfig): Promise<void> {
  const { credentials, stagedDumps: staged } = await sweepStoppedProcessFolders(config.targets);
  if (credentials.length > 0)
    console.error(
      `note: removed the credential files of ${credentials.length} stopped port-yard process(es)`,
    );
  if (staged.length > 0)
    console.error(`note: removed ${staged.length} dump(s) staged by stopped restores: ${staged.join(', ')}`);
}
