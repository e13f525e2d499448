import { tmpdir } from 'node:os';
import type { TargetConfig } from '@port-yard/shared';
import { sweepAbandonedFolders } from '../platform/process-folders.ts';

/** `port-yard-restore-<pid>-<random>`: the folder of a staged dump (stage-artifact.ts). */
export const stagingPrefix = 'port-yard-restore-';

/**
 * Removes the staged dumps of stopped processes: a restore killed with SIGKILL left its raw dump,
 * decrypted, in the temp folder or a target's `restore.stagingDir`, for good. Run where the
 * credential folders are swept: when the agent starts and after each CLI command.
 */
export async function sweepAbandonedStagedDumps(
  targets: Readonly<Record<string, TargetConfig>>,
): Promise<string[]> {
  const stagingDirs = Object.values(targets).flatMap((target) => target.restore?.stagingDir ?? []);
  const removed: string[] = [];
  for (const parent of new Set([tmpdir(), ...stagingDirs]))
    removed.push(...(await sweepAbandonedFolders(parent, [stagingPrefix])));
  return removed;
}
