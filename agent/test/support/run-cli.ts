import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** One CLI invocation: argument array, never a shell, so names and paths need no quoting. */
export interface CliCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** How much of stderr an error message keeps: the end holds the failing statement. */
const STDERR_TAIL = 4000;

interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<void>;
}

function start(cli: CliCommand, stdin: 'pipe' | 'ignore', stdout: 'pipe' | 'ignore'): Running {
  const child = spawn(cli.command, cli.args, { env: cli.env, stdio: [stdin, stdout, 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
        reject(new Error(`${cli.command} ${cli.args.join(' ')} failed (${how}):\n${stderr.trim()}`));
      }
    });
  });
  return { child, done };
}

/**
 * Runs a CLI with `input` on stdin and resolves when it exits 0. stdout is discarded (psql prints
 * the results of the fixtures' SELECTs); stderr ends up in the error.
 */
export async function runCli(cli: CliCommand, input: Buffer): Promise<void> {
  const { child, done } = start(cli, 'pipe', 'ignore');
  // EPIPE when the CLI exits early on an error: its exit code is the better message.
  child.stdin?.on('error', () => {});
  child.stdin?.end(input);
  await done;
}

/**
 * `producer | consumer` without a shell: the bytes go from one child straight to the other and
 * never through JavaScript. Both must exit 0.
 */
export async function pipeCli(producer: CliCommand, consumer: CliCommand): Promise<void> {
  const from = start(producer, 'ignore', 'pipe');
  const to = start(consumer, 'pipe', 'ignore');
  const { stdout } = from.child;
  const { stdin } = to.child;
  if (stdout === null || stdin === null) throw new Error('pipeCli: spawn gave no pipes');
  stdin.on('error', () => {});
  stdout.pipe(stdin);
  // If the consumer dies, stop the producer rather than leave it blocked on a full pipe.
  to.done.catch(() => from.child.kill());
  const results = await Promise.allSettled([from.done, to.done]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  if (failures.length > 0) throw new Error(failures.join('\n'));
}
