import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolEnvironment } from './tool-environment.ts';

/**
 * A kernel pipe between two child processes, as a shell's `a | b` makes. Node's `stdio: 'pipe'`
 * is a UNIX socket pair instead, which costs the writer and the reader more kernel time per byte
 * (measured: dump → zstd through a socket pair used 0.2 s more system CPU per 500 MB, and the run
 * took about 5% longer). Node has no pipe(2), so this opens both ends of a named pipe made in a
 * private folder, then removes the name at once: only the two descriptors are left.
 *
 * Hand `writeFd` to the producer's stdout and `readFd` to the consumer's stdin, then `close()`
 * our copies straight after spawning both: a copy left open would keep the reader from ever
 * seeing the end, and the writer from ever getting SIGPIPE.
 */
export interface OsPipe {
  readonly readFd: number;
  readonly writeFd: number;
  /** Closes this process's copies of both ends (idempotent). */
  close(): void;
}

const run = promisify(execFile);

/** A pipe, or undefined where none can be made (no `mkfifo`, not Linux/macOS): use `stdio: 'pipe'`. */
export async function createOsPipe(): Promise<OsPipe | undefined> {
  if (process.platform === 'win32') return undefined;
  let folder: string | undefined;
  try {
    folder = await mkdtemp(join(tmpdir(), 'port-yard-pipe-'));
    const path = join(folder, 'pipe');
    await run('mkfifo', ['-m', '600', path], { env: toolEnvironment() });
    return openBothEnds(path);
  } catch {
    return undefined;
  } finally {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Opening a FIFO blocks until the other end is opened, which would tie up a libuv thread each.
 * So: a non-blocking read end first (returns at once), then the write end (a reader exists, so it
 * returns at once, in blocking mode), then a blocking read end for the consumer (a writer exists),
 * and the non-blocking one is closed: a child must not inherit O_NONBLOCK (its reads would fail
 * with EAGAIN).
 */
function openBothEnds(path: string): OsPipe {
  const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let writeFd: number | undefined;
  try {
    writeFd = openSync(path, constants.O_WRONLY);
    const readFd = openSync(path, constants.O_RDONLY);
    let open = true;
    const ends = { readFd, writeFd };
    return {
      ...ends,
      close() {
        if (!open) return;
        open = false;
        closeSync(ends.readFd);
        closeSync(ends.writeFd);
      },
    };
  } catch (error) {
    if (writeFd !== undefined) closeSync(writeFd);
    throw error;
  } finally {
    closeSync(probe);
  }
}
