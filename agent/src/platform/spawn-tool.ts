import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import { StderrTail } from './stderr-tail.ts';
import { toolEnvironment } from './tool-environment.ts';

export interface ToolCommand {
  readonly command: string;
  /** Passed as an array to the OS: never through a shell. Never holds secrets. */
  readonly args: readonly string[];
  /** Overrides the agent's environment for the tool; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ToolExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningTool {
  readonly child: ChildProcess;
  readonly stderr: StderrTail;
  /** Resolves when the process has exited and its stdio is closed; rejects with TOOL_MISSING if it could not start. */
  readonly exited: Promise<ToolExit>;
  /** SIGTERM now, SIGKILL after `graceMs` if it is still alive. */
  kill(graceMs?: number): void;
}

export interface SpawnToolOptions {
  /** A number is a file descriptor of ours the child gets a copy of (see os-pipe.ts). */
  readonly stdin?: 'pipe' | 'ignore' | Readable | number;
  readonly stdout?: 'pipe' | 'ignore' | number;
}

/** Starts a tool with an argument array, capturing a bounded stderr tail. */
export function spawnTool(tool: ToolCommand, options: SpawnToolOptions = {}): RunningTool {
  const stdio: StdioOptions = [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'];
  const env = toolEnvironment(tool.env);
  const [command, args] = diesWithUs(tool);
  const child = spawn(command, args, {
    stdio,
    env,
    windowsHide: true,
    // Its own process group, so a kill reaches whatever the tool started too (a shell's children).
    detached: true,
  });
  const stderr = new StderrTail();
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<ToolExit>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new PortYardError('TOOL_MISSING', `${tool.command} is not installed or not on the PATH`, {
            cause: error,
          }),
        );
      } else {
        reject(
          new PortYardError('INTERNAL', `could not start ${tool.command}: ${error.message}`, {
            cause: error,
          }),
        );
      }
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // An unobserved rejection must not crash the agent; callers await `exited` themselves.
  exited.catch(() => undefined);
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  const kill = (graceMs = 5000): void => {
    // Our ends of its pipes go too: a grandchild holding them open must not keep `exited` pending.
    child.stdin?.destroy();
    child.stdout?.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup('SIGTERM');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), graceMs).unref();
  };
  void exited.finally(() => clearTimeout(killTimer)).catch(() => undefined);
  return { child, stderr, exited, kill };
}

const setpriv = '/usr/bin/setpriv';
let pdeathsig: boolean | undefined;

/**
 * Whether util-linux's setpriv can make a tool die with this process (`--pdeathsig`, since 2.33).
 * Asked by reading the program rather than running it: this is on the way to every dump's start.
 */
function canDieWithUs(): boolean {
  if (pdeathsig === undefined) {
    try {
      pdeathsig = process.platform === 'linux' && readFileSync(setpriv).includes('pdeathsig');
    } catch {
      pdeathsig = false; // no setpriv: the tools outlive a killed agent, as before
    }
  }
  return pdeathsig;
}

/**
 * The command line that starts `tool` so that the kernel kills it when this process dies, even by
 * SIGKILL (OOM killer, `timeout -s KILL`, a container runtime): a dump tool left behind would keep
 * its transaction and locks open on the server until it finished, and zstd would go on filling a
 * temp file. `setpriv --pdeathsig KILL` sets PR_SET_PDEATHSIG and execs the tool in the same
 * process (the PID is the tool's). Only for a program given by its path that exists, so a missing
 * one still fails to start with ENOENT (TOOL_MISSING) rather than as setpriv's exit 127.
 */
function diesWithUs(tool: ToolCommand): [string, string[]] {
  if (!isAbsolute(tool.command) || !canDieWithUs()) return [tool.command, [...tool.args]];
  try {
    accessSync(tool.command, constants.X_OK);
  } catch {
    return [tool.command, [...tool.args]];
  }
  return [setpriv, ['--pdeathsig', 'KILL', '--', tool.command, ...tool.args]];
}

/** Runs a tool to completion and returns its stdout; for short commands such as `--version`. */
export async function runToolForOutput(tool: ToolCommand): Promise<string> {
  const running = spawnTool(tool);
  const chunks: Buffer[] = [];
  running.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await running.exited;
  if (exit.code !== 0) {
    throw new PortYardError('INTERNAL', `${tool.command} ${tool.args.join(' ')} failed (exit ${exit.code})`, {
      stderrTail: running.stderr.text(),
    });
  }
  return Buffer.concat(chunks).toString('utf8');
}
