import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../support/servers.ts';
import { createOddDatabase, dropOddDatabases, oddDatabases, tableValues } from '../odd-names/odd.ts';

/**
 * Helpers for the odd-names storage tests: databases `py_odd2_…`, files in `/tmp/py-odd2-*`, on
 * the machine's servers; the odd-names tests' helpers do the work.
 */
export function odd2Prefix(): string {
  return `py_odd2_${randomBytes(3).toString('hex')}_`;
}

export function createOdd2(
  engine: Engine,
  name: string,
  rows: readonly string[] = ['one', "it's"],
): Promise<void> {
  return createOddDatabase(engine, name, rows);
}

export const values2 = (engine: Engine, name: string): Promise<string[]> => tableValues(engine, name);
export const odd2Databases = (engine: Engine, prefix: string): Promise<string[]> =>
  oddDatabases(engine, prefix);
export const dropOdd2 = (engine: Engine, prefix: string): Promise<void> => dropOddDatabases(engine, prefix);

export async function odd2Dir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp('/tmp/py-odd2-');
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An rclone config with a `local` remote `odd2` whose root is `<dir>/rclone`. */
export async function odd2Rclone(dir: string): Promise<{ remote: string; configFile: string; root: string }> {
  const root = join(dir, 'rclone');
  await mkdir(root, { recursive: true });
  const configFile = join(dir, 'rclone.conf');
  await writeFile(configFile, '[odd2]\ntype = local\n', { mode: 0o600 });
  return { remote: `odd2:${root}`, configFile, root };
}
