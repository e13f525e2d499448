import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortYardConfigInput } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createAgent, type Agent } from '../../src/main.ts';

type TargetsInput = PortYardConfigInput['targets'];

export interface TempAgent {
  readonly agent: Agent;
  /** The filesystem storage's root folder. */
  readonly storageRoot: string;
  cleanup(): Promise<void>;
}

/** An agent built from an in-code config, with one filesystem storage `local` in a temp folder. */
export async function createTempAgent(targets: TargetsInput, storagePath?: string): Promise<TempAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-agent-'));
  const storageRoot = storagePath ?? join(dir, 'backups');
  const config = configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: storageRoot } },
    targets,
  });
  return {
    agent: createAgent(config),
    storageRoot,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Every file below `root` (temp files included), relative; [] when the folder does not exist. */
export async function filesBelow(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return [];
    throw error;
  }
}

/** Connection settings of the local servers (ENVIRONMENT.md), writing to the `local` storage. */
export const localMariadb = {
  engine: 'mariadb' as const,
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  destinations: ['local'],
};
export const localPostgres = {
  engine: 'postgres' as const,
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  destinations: ['local'],
};
