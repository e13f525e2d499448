import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import { spawnTool } from '../platform/spawn-tool.ts';

/**
 * zstd reading the dump tool's output straight from its pipe: no dump byte passes through
 * JavaScript (measured: that copy cost ~25% of wall time on 2 cores). zstd's `-vv` summary gives
 * the exact input size (`(502762373 B => 107664327 B, ...)`); /proc gives a running estimate for
 * progress.
 */
export interface DirectCompression {
  /** zstd's stdout; undefined when it writes into a file descriptor given to it. */
  readonly output: Readable | undefined;
  /** Resolves with the exact number of input bytes once zstd exited 0; rejects with COMPRESS_FAILED. */
  readonly finished: Promise<number>;
  /** Bytes read so far (approximate, Linux /proc; 0 elsewhere): for progress only. */
  inputBytesSoFar(): Promise<number>;
  kill(): void;
}

/**
 * The summary line's exact sizes, in both forms zstd has printed: `(502762373 B => 107664327 B, `
 * (1.5 and later, with -vv: without it, sizes are scaled as `479.5 MiB`, which never matches) and
 * `(502762373 => 107664327 bytes, ` (1.0 to 1.4, as Debian 11 and Ubuntu 20.04 ship).
 */
const summary = /\(\s*(\d+)(?: B)? =>\s*(\d+)(?: B| bytes),/g;

/** The input size from zstd's stderr (its last summary line), or undefined when none is there. */
export function parseZstdInputBytes(stderr: string): number | undefined {
  const match = [...stderr.matchAll(summary)].at(-1);
  return match ? Number(match[1]) : undefined;
}

/**
 * Where zstd reads and writes: `input` is the dump tool's stdout stream or a pipe descriptor;
 * `output` a file descriptor to write into (a storage's temp file), or `'pipe'` to read it here.
 */
export interface DirectEnds {
  readonly input: Readable | number;
  readonly output: number | 'pipe';
}

export function zstdDirect(cli: string, level: number, ends: DirectEnds): DirectCompression {
  const { input, output } = ends;
  const tool = spawnTool(
    { command: cli, args: ['-vv', '-c', `-${level}`, '-T0'] },
    { stdin: input, stdout: output },
  );
  // zstd holds its own copy of the pipe now; ours must not read (and steal) any bytes.
  if (typeof input !== 'number') input.destroy();
  const finished = tool.exited.then((exit) => {
    const stderrTail = tool.stderr.text(2000);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw compressFailed(how, stderrTail);
    }
    const bytes = parseZstdInputBytes(stderrTail);
    if (bytes === undefined) {
      throw new PortYardError(
        'COMPRESS_FAILED',
        'zstd did not report the input size (no "(<bytes> B => <bytes> B" summary on its stderr)',
        {
          phase: 'compress',
          stderrTail,
        },
      );
    }
    return bytes;
  });
  finished.catch(() => undefined);
  return {
    output: tool.child.stdout ?? undefined,
    finished,
    async inputBytesSoFar() {
      try {
        const io = await readFile(`/proc/${tool.child.pid}/io`, 'utf8');
        return Number(/^rchar: (\d+)/m.exec(io)?.[1] ?? 0);
      } catch {
        return 0;
      }
    },
    kill: () => tool.kill(1000),
  };
}

/**
 * zstd's failure. A failed write (`Write error : cannot write block : No space left on device`)
 * is the storage's: it becomes STORAGE_FAILED with the OS code, as a failed write of ours would.
 */
function compressFailed(how: string, stderrTail: string): PortYardError {
  const writeError = /Write error[^\n]*?:\s*([^:\n]+)$/m.exec(stderrTail)?.[1]?.trim();
  if (writeError !== undefined) {
    const code = errnoByMessage[writeError.toLowerCase()];
    return new PortYardError(
      'STORAGE_FAILED',
      `zstd could not write the stored file: ${code ? `${code}: ` : ''}${writeError}`,
      { phase: 'store', stderrTail },
    );
  }
  return new PortYardError('COMPRESS_FAILED', `zstd ${how}`, { phase: 'compress', stderrTail });
}

/** strerror(3) texts of the write failures a disk gives, to their codes (as Node names them). */
const errnoByMessage: Record<string, string> = {
  'no space left on device': 'ENOSPC',
  'disk quota exceeded': 'EDQUOT',
  'input/output error': 'EIO',
  'file too large': 'EFBIG',
  'read-only file system': 'EROFS',
  'stale file handle': 'ESTALE',
};
