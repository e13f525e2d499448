import { tmpdir } from 'node:os';
import type { TargetConfig } from '@port-yard/shared';
import { isAlive } from './process-alive.ts';
import { sweepAbandonedFolders } from './process-folders.ts';
import { secretFilesPrefix } from './secret-files.ts';

/** `port-yard-restore-<pid>-<host>-<random>`: the folder of a staged dump (stage-artifact.ts). */
export const stagingPrefix = 'port-yard-restore-';

/**
 * Removes what processes that are gone left behind: credential folders (a database password) in
 * the temp folder, and staged dumps (a whole database, decrypted) there or in a target's
 * `restore.stagingDir`. A process killed with SIGKILL (the OOM killer, `kill -9`) cannot remove
 * its own. Run when the agent starts and after each CLI command; the temp folder is read once.
 */
export async function sweepStoppedProcessFolders(
  targets: Readonly<Record<string, TargetConfig>>,
  alive: (pid: number) => boolean = isAlive,
): Promise<{ credentials: string[]; stagedDumps: string[] }> {
  const temp = tmpdir();
  const inTemp = await sweepAbandonedFolders(temp, [secretFilesPrefix, stagingPrefix], alive);
  const stagedDumps = inTemp.filter((path) => path.startsWith(`${temp}/${stagingPrefix}`));
  const stagingDirs = new Set(Object.values(targets).flatMap((target) => target.restore?.stagingDir ?? []));
  stagingDirs.delete(temp);
  for (const parent of stagingDirs)
    stagedDumps.push(...(await sweepAbandonedFolders(parent, [stagingPrefix], alive)));
  return { credentials: inTemp.filter((path) => !stagedDumps.includes(path)), stagedDumps };
}
