import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './process-alive.ts';

/**
 * A private folder (0700) holding files with credentials (0600), so passwords never reach a
 * command line. `dispose` removes it; callers dispose in `finally`.
 */
export interface SecretFiles {
  write(name: string, contents: string): Promise<string>;
  dispose(): Promise<void>;
}

/** `port-yard-secrets-<pid>-<random>`: the pid says whose it is, so a dead process's can be swept. */
const prefix = 'port-yard-secrets-';

export async function createSecretFiles(): Promise<SecretFiles> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}${process.pid}-`));
  return {
    async write(name, contents) {
      const path = join(dir, name);
      await writeFile(path, contents, { mode: 0o600 });
      return path;
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Removes the secret folders of this user's processes that are gone: a process killed with
 * SIGKILL (the OOM killer, `kill -9`) cannot remove its own, and a database password would stay
 * on disk for good. Run when the agent starts and after each CLI command. A folder whose process
 * is alive is never touched, nor is another user's. Returns the folders removed.
 */
export async function sweepAbandonedSecretFiles(
  folder: string = tmpdir(),
  alive: (pid: number) => boolean = isAlive,
): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(/^port-yard-secrets-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}
