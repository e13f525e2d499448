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
  readonly output: Readable;
  /** Resolves with the exact number of input bytes once zstd exited 0; rejects with COMPRESS_FAILED. */
  readonly finished: Promise<number>;
  /** Bytes read so far (approximate, Linux /proc; 0 elsewhere): for progress only. */
  inputBytesSoFar(): Promise<number>;
  kill(): void;
}

const summary = /\(\s*(\d+) B =>\s*(\d+) B/;

export function parseZstdInputBytes(stderr: string): number | undefined {
  const match = [...stderr.matchAll(new RegExp(summary, 'g'))].at(-1);
  return match ? Number(match[1]) : undefined;
}

export function zstdDirect(cli: string, level: number, input: Readable): DirectCompression {
  const tool = spawnTool(
    { command: cli, args: ['-vv', '-c', `-${level}`, '-T0'] },
    { stdin: input, stdout: 'pipe' },
  );
  // zstd holds its own copy of the pipe now; ours must not read (and steal) any bytes.
  input.destroy();
  const finished = tool.exited.then((exit) => {
    const stderrTail = tool.stderr.text(2000);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new PortYardError('COMPRESS_FAILED', `zstd ${how}`, { phase: 'compress', stderrTail });
    }
    const bytes = parseZstdInputBytes(stderrTail);
    if (bytes === undefined) {
      throw new PortYardError('COMPRESS_FAILED', 'zstd did not report the input size', {
        phase: 'compress',
        stderrTail,
      });
    }
    return bytes;
  });
  finished.catch(() => undefined);
  return {
    output: tool.child.stdout!,
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

let probed: Promise<boolean> | undefined;

/** Whether this zstd prints exact sizes with -vv (checked once by compressing three bytes). */
export function zstdReportsInputSize(cli: string): Promise<boolean> {
  probed ??= (async () => {
    const tool = spawnTool({ command: cli, args: ['-vv', '-c', '-1'] }, { stdin: 'pipe', stdout: 'ignore' });
    tool.child.stdin!.end('abc');
    const exit = await tool.exited.catch(() => undefined);
    return exit?.code === 0 && parseZstdInputBytes(tool.stderr.text(2000)) === 3;
  })();
  return probed;
}
