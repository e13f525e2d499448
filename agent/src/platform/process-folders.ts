import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './process-alive.ts';

/**
 * Private temporary folders named `<prefix><pid>-<random>`: the pid says whose a folder is, so
 * the folders of a process that is gone can be swept. A process killed with SIGKILL (the OOM
 * killer, `kill -9`) cannot remove its own, and what they hold (a database password, a decrypted
 * dump) would stay on disk for good.
 */
export function makeProcessFolder(parent: string, prefix: string): Promise<string> {
  return mkdtemp(join(parent, `${prefix}${process.pid}-${hostTag}-`));
}

/**
 * This host in a folder's name (8 hex of its name's hash): a `restore.stagingDir` may be a
 * volume that several containers share, and a pid says nothing about another host's processes,
 * so only this host's folders are swept.
 */
export const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/**
 * Removes the folders in `parent`, named with one of `prefixes`, of this user's processes on this
 * host that are gone. A folder whose process is alive is never touched, nor is another user's or
 * another host's. Returns the folders removed.
 */
export async function sweepAbandonedFolders(
  parent: string,
  prefixes: readonly string[],
  alive: (pid: number) => boolean = isAlive,
): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const prefix = prefixes.find((candidate) => name.startsWith(candidate));
    if (prefix === undefined) continue;
    // `<pid>-<host>-<random>`, or `<pid>-<random>` as credential folders were named before.
    const [, pidText, host] = /^(\d+)-(?:([0-9a-f]{8})-)?/.exec(name.slice(prefix.length)) ?? [];
    const pid = Number(pidText);
    if (host !== undefined && host !== hostTag) continue;
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    const path = join(parent, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}
