import { PortYardError } from '@port-yard/shared';
import type { RunningTool, SpawnToolOptions, ToolExit } from '../../platform/spawn-tool.ts';
import { spawnTool } from '../../platform/spawn-tool.ts';

/** What every rclone call of one storage shares. */
export interface RcloneContext {
  readonly storageName: string;
  /** The configured `remote:path` every key lives under, as given. */
  readonly remote: string;
  readonly command: string;
  readonly configFile: string | undefined;
}

export interface RcloneOutcome {
  readonly exit: ToolExit;
  readonly stdout: string;
  /** The bounded tail of rclone's stderr (its log at ERROR level). */
  readonly stderr: string;
}

/**
 * Flags on every call, so rclone behaves the same under a scheduler as in a terminal:
 * - `--config` when configured: the agent never reads a config it was not pointed at.
 * - never prompt (`--ask-password=false`, `--auto-confirm`): an encrypted config needs
 *   RCLONE_CONFIG_PASS in the agent's environment, which rclone inherits.
 * - errors only, without timestamps: stderr becomes the reason of a STORAGE_FAILED.
 * - `--retries 1`: a high-level retry reruns the whole command, which cannot replay an rcat's
 *   stdin and only triples the time to report a missing file; transient network errors are
 *   retried per request (`--low-level-retries`).
 * Secrets never appear here: they live in the rclone config; we only pass its path.
 */
export function rcloneArgs(context: RcloneContext, args: readonly string[]): string[] {
  return [
    ...(context.configFile === undefined ? [] : ['--config', context.configFile]),
    '--ask-password=false',
    '--auto-confirm',
    '--log-level',
    'ERROR',
    '--log-format=',
    '--retries',
    '1',
    '--low-level-retries',
    '10',
    '--contimeout',
    '30s',
    '--timeout',
    '5m',
    ...args,
  ];
}

/** Starts rclone; `exited` rejects TOOL_MISSING naming the storage when the command does not exist. */
export function spawnRclone(
  context: RcloneContext,
  args: readonly string[],
  options: SpawnToolOptions = {},
): RunningTool {
  const running = spawnTool({ command: context.command, args: rcloneArgs(context, args) }, options);
  const exited = running.exited.catch((error: unknown) => {
    if (error instanceof PortYardError && error.code === 'TOOL_MISSING') {
      const message = `storage "${context.storageName}": rclone (${context.command}) is not installed or not on the PATH`;
      throw new PortYardError('TOOL_MISSING', message, { phase: 'store', cause: error });
    }
    throw error;
  });
  exited.catch(() => undefined);
  return { ...running, exited };
}

/** Runs a short rclone command (stat, delete, move) to its end; any exit code resolves. */
export async function runRclone(context: RcloneContext, args: readonly string[]): Promise<RcloneOutcome> {
  const running = spawnRclone(context, args);
  const chunks: Buffer[] = [];
  running.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await running.exited;
  return { exit, stdout: Buffer.concat(chunks).toString('utf8'), stderr: running.stderr.text() };
}

/** The rclone path of `key` under the configured remote (`gdrive:` + `a/b`, `gdrive:x/` + `a/b`). */
export function remotePathOf(remote: string, key: string): string {
  if (key === '') return remote;
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}${key}` : `${remote}/${key}`;
}
