import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RcloneStorageConfig } from '@port-yard/shared';

/**
 * For tests: an offline rclone remote, `testremote` of rclone's `local` type, declared in a
 * config file of its own (the agent never reads the user's rclone config). Objects land in
 * `<dir>/root`, where a test can look at what rclone really wrote.
 */
export interface TestRemote {
  readonly dir: string;
  /** The folder the remote points at. */
  readonly root: string;
  readonly configFile: string;
  /** `testremote:<root>` */
  readonly remote: string;
  config(overrides?: Partial<RcloneStorageConfig>): RcloneStorageConfig;
  /** Every file below `root`, temporary ones included, relative and sorted. */
  filesOnDisk(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createTestRemote(): Promise<TestRemote> {
  const dir = await mkdtemp(join(tmpdir(), 'port-yard-rclone-'));
  const configFile = join(dir, 'rclone.conf');
  await writeFile(configFile, '[testremote]\ntype = local\n', { mode: 0o600 });
  const root = join(dir, 'root');
  const remote = `testremote:${root}`;
  return {
    dir,
    root,
    configFile,
    remote,
    config: (overrides = {}) => ({
      type: 'rclone',
      remote,
      configFile,
      rcloneCommand: 'rclone',
      ...overrides,
    }),
    filesOnDisk: async () => {
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
        .sort();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * An executable standing in for rclone: runs `script` (POSIX sh) when rclone's subcommand is
 * `subcommand`, and the real rclone otherwise. For failures a local remote cannot produce.
 */
export async function fakeRclone(dir: string, subcommand: string, script: string): Promise<string> {
  const path = join(dir, `fake-rclone-${subcommand}`);
  const text = [
    '#!/bin/sh',
    'for arg in "$@"; do',
    `  if [ "$arg" = ${subcommand} ]; then`,
    `    ${script}`,
    '  fi',
    'done',
    'exec rclone "$@"',
    '',
  ].join('\n');
  await writeFile(path, text);
  await chmod(path, 0o755);
  return path;
}
