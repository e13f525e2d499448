import { spawn } from 'node:child_process';
import { cliBin, nodeBin } from '../harness/cli-process.ts';
import { waitFor } from '../harness/wait-for.ts';

/** `port-yard serve` as a process, once it has started; `stop()` sends SIGTERM to its PID. */
export async function spawnServe(
  config: string,
  port: number,
): Promise<{ output(): string; stop(): Promise<void> }> {
  const child = spawn(nodeBin, [cliBin, '--config', config, 'serve', '--log-format', 'text'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    // Started: /readyz has an answer of its own (not "starting", while the catalog is read).
    await waitFor(
      'serve to start',
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          async (response) => ((await response.json()) as { status: string }).status !== 'starting',
          () => false,
        ),
      30_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`serve did not start: ${output}`, { cause: error });
  }
  return { output: () => output, stop };
}
