import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { onTestFinished } from 'vitest';

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
 * the file), and the `targets:` lines given (indented as they sit under `targets:`), after
 * `topLines` (other top-level settings, such as `server:`).
 */
export async function writeLocalConfig(
  path: string,
  targetLines: readonly string[],
  topLines: readonly string[] = [],
): Promise<void> {
  const lines = [
    'version: 1',
    ...topLines,
    'storages:',
    '  local: { type: filesystem, path: ./backups }',
    'targets:',
  ];
  await writeFile(path, [...lines, ...targetLines, ''].join('\n'));
}

export interface ServeProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Reads its JSON log up to the first line with this message, and returns that line. */
  untilLogged(message: string): Promise<Record<string, unknown>>;
}

/**
 * `port-yard --config <config> serve --log-format json` as a process, started inside a test; the
 * test stops it as it wants, and it is killed when the test ends whatever happened (also when the
 * test timed out, which leaves its body waiting, and a `finally` in it unrun).
 */
export function spawnServe(config: string, env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(nodeBin, [cliBin, '--config', config, 'serve', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    exited,
    async untilLogged(message) {
      for (;;) {
        const next = await lines.next();
        if (next.done) throw new Error(`serve ended before it logged "${message}": ${stderr}`);
        const line = JSON.parse(next.value) as Record<string, unknown>;
        if (line['msg'] === message) return line;
      }
    },
  };
}
