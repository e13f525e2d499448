import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The CLI as a user runs it: `node agent/bin/port-yard.js`, a real process (bundle or sources). */
const repoRoot = resolve(import.meta.dirname, '../../..');
export const cliBin = join(repoRoot, 'agent/bin/port-yard.js');
/** Node 24 from node_modules, as `npx port-yard` runs it. */
export const nodeBin = join(repoRoot, 'node_modules/.bin/node');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `port-yard <args>` to its end: its exit code (1 when it was killed) and its output. */
export function runCli(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      nodeBin,
      [cliBin, ...args],
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A YAML config file as a user writes one: a filesystem storage `local` in `./backups` (beside
 * the file), and the `targets:` lines given (indented as they sit under `targets:`).
 */
export async function writeLocalConfig(path: string, targetLines: readonly string[]): Promise<void> {
  const lines = ['version: 1', 'storages:', '  local: { type: filesystem, path: ./backups }', 'targets:'];
  await writeFile(path, [...lines, ...targetLines, ''].join('\n'));
}
