import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoOf } from './filesystem-errors.ts';

/**
 * `mkdir -p`: creates `folder` and its missing parents; resolves with the highest folder it
 * created (undefined when `folder` already existed), as `mkdir(folder, { recursive: true })` does.
 *
 * Why not that call: where a folder cannot be made although its parent exists (`mkdir` answers
 * ENOENT, as under `/proc` or `/sys`), Node's recursive mkdir makes the parent again and retries,
 * for ever (seen with Node 24: a storage under `/proc` hung the agent's start and every backup).
 * Here each level is made once, so such a path fails at once with the OS's error.
 */
export async function makeFolders(folder: string): Promise<string | undefined> {
  const missing: string[] = [];
  let current = resolve(folder);
  for (;;) {
    try {
      await mkdir(current);
      break;
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST') {
        await assertFolder(current, error);
        if (missing.length === 0) return undefined;
        current = missing.pop()!;
        await mkdirOnce(current);
        break;
      }
      const parent = dirname(current);
      if (code !== 'ENOENT' || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  const highest = current;
  // Down again; another writer may make the same folders meanwhile (EEXIST is fine then).
  while (missing.length > 0) await mkdirOnce(missing.pop()!);
  return highest;
}

async function mkdirOnce(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    await assertFolder(path, error);
  }
}

/**
 * An existing path that is not a folder: the EEXIST of `mkdir` is the error, as `mkdir -p` says.
 * A folder removed since (a delete prunes empty folders) fails with stat's ENOENT: callers retry.
 */
async function assertFolder(path: string, error: unknown): Promise<void> {
  const info = await stat(path);
  if (!info.isDirectory()) throw error;
}
