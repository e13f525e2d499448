import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export interface RunningS3rver {
  /** `http://127.0.0.1:<port>`: use with `forcePathStyle: true`. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where s3rver keeps the bucket (`<directory>/<bucket>/`), for tests that look behind the API. */
  readonly directory: string;
  stop(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./s3rver-child.ts', import.meta.url));
const startTimeoutMs = 20_000;

/**
 * Starts s3rver (with `s3rver-patches.ts`) in its own Node process on a free loopback port, with
 * a fresh temp directory and one bucket. `stop()` ends the process (by its PID) and removes the
 * directory; the child also exits by itself when this process goes away (its stdin closes).
 */
export async function startS3rver(bucket = 'port-yard-test'): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'py-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', childScript, directory, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const port = await readPort(child.stdout, exited, () => stderr);
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      directory,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function readPort(
  stdout: NodeJS.ReadableStream,
  exited: Promise<void>,
  stderr: () => string,
): Promise<number> {
  const lines = createInterface({ input: stdout });
  let timer: NodeJS.Timeout | undefined;
  const failed = (why: string): Error => new Error(`s3rver did not start: ${why}\n${stderr()}`);
  try {
    return await Promise.race([
      new Promise<number>((resolve) =>
        lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port)),
      ),
      exited.then(() => Promise.reject(failed('the process exited'))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failed(`no port after ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

/**
 * One s3rver for a test file, started on first use and stopped after the file's tests. Call at
 * the top level of the file; the returned function gives the running server.
 */
export function useS3rver(): () => Promise<RunningS3rver> {
  let running: Promise<RunningS3rver> | undefined;
  afterAll(async () => {
    await (await running)?.stop();
  });
  return () => (running ??= startS3rver());
}
