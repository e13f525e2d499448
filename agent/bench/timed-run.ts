import { spawn } from 'node:child_process';
import { ProcSampler, reapedChildrenCpuMs, type TreeUsage } from './proc-sampler.ts';

export interface TimedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Database server process names whose CPU is counted while this runs. */
  readonly serverComms: readonly string[];
  /** Other processes the command makes work (the S3 server): their CPU is counted apart. */
  readonly sidePids?: readonly number[];
}

export interface TimedResult {
  readonly wallMs: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly usage: TreeUsage;
  /** Exact CPU time (user + system) of the whole tree: root and every descendant, in ms. */
  readonly treeCpuMs: number;
}

/** Runs a command to completion, timing it from spawn to exit and sampling its process tree. */
export function timedRun(tool: TimedCommand): Promise<TimedResult> {
  return new Promise((resolve, reject) => {
    const cpuBefore = reapedChildrenCpuMs();
    const started = performance.now();
    const child = spawn(tool.command, [...tool.args], {
      cwd: tool.cwd,
      env: tool.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      child.once('error', reject);
      return;
    }
    const sampler = new ProcSampler(child.pid, tool.serverComms, tool.sidePids);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      sampler.stop();
      reject(error);
    });
    child.once('close', (code, signal) => {
      const wallMs = performance.now() - started;
      const usage = sampler.stop();
      resolve({
        wallMs,
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        usage,
        treeCpuMs: reapedChildrenCpuMs() - cpuBefore,
      });
    });
  });
}

/** Runs a short command and returns its stdout; throws unless it exits 0. */
export async function runQuiet(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await timedRun({ command, args, env, serverComms: [] });
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** `'…'` for bash, safe for any string. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
