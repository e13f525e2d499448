import { PassThrough, type Readable, type Transform, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type zlib from 'node:zlib';
import type { CompressionName } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { findExecutable } from '../platform/find-executable.ts';
import { spawnTool } from '../platform/spawn-tool.ts';
import { zstdDirect, type DirectCompression, type DirectEnds } from './zstd-direct.ts';

/**
 * Compressing and decompressing streams. The CLIs (`zstd -T0`, `pigz`) are much faster than
 * Node's zlib on multi-core machines and keep the work off the event loop, so they are used when
 * installed; zlib is the fallback (single-threaded zstd: multithreaded zstd streams crash in Node).
 */
export interface CodecStream {
  /** Write the input here. */
  readonly input: Writable;
  /** Read the output here. */
  readonly output: Readable;
  /** Resolves when the codec finished cleanly; rejects with COMPRESS_FAILED otherwise. */
  readonly finished: Promise<void>;
  /** Stops it now (after a failure elsewhere). */
  kill(): void;
}

export interface Codec {
  readonly algorithm: CompressionName;
  readonly level: number | undefined;
  /** Suffix of stored data objects: `.zst`, `.gz` or ``. */
  readonly suffix: string;
  /** What does the work, for logs and the benchmark: e.g. `zstd CLI`, `node:zlib`. */
  readonly implementation: string;
  compress(): CodecStream;
  decompress(): CodecStream;
  /**
   * Compresses the output of another process read straight from its pipe (no bytes through
   * JavaScript), when the implementation can also report the exact input size; it writes into
   * `ends.output` (a file descriptor) or to a stream read here.
   */
  compressFrom?(ends: DirectEnds): DirectCompression;
}

/** A codec whose compressor reads another process's pipe itself (zstd): see `compressFrom`. */
export type DirectCodec = Codec & Required<Pick<Codec, 'compressFrom'>>;

/** Whether `codec` can compress a process's output without the bytes passing through here. */
export function isDirectCodec(codec: Codec): codec is DirectCodec {
  return codec.compressFrom !== undefined;
}

const defaultLevels: Record<CompressionName, number | undefined> = { zstd: 3, gzip: 6, none: undefined };

/** A codec stage run as a child process (stdin → stdout), failing with `code` on a non-zero exit. */
export function processCodec(
  command: string,
  args: string[],
  what: string,
  code: 'COMPRESS_FAILED' | 'ENCRYPT_FAILED' = 'COMPRESS_FAILED',
): CodecStream {
  const tool = spawnTool({ command, args }, { stdin: 'pipe', stdout: 'pipe' });
  const finished = tool.exited.then((exit) => {
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const stderrTail = tool.stderr.text();
      const firstLine = stderrTail.split('\n').find((line) => line.trim()) ?? '';
      throw new PortYardError(code, `${what} ${how}${firstLine ? `: ${firstLine}` : ''}`, {
        phase: 'compress',
        stderrTail,
      });
    }
  });
  finished.catch(() => undefined);
  const { stdin, stdout } = tool.child;
  // Node gives a process it could not start (EMFILE, EAGAIN) no pipes, and says why only later.
  if (!stdin || !stdout)
    throw new PortYardError(
      code,
      `could not start ${what}: the system gave it no pipes (too many open files or processes?)`,
      { phase: 'compress' },
    );
  return { input: stdin, output: stdout, finished, kill: () => tool.kill(1000) };
}

function transformCodec(stream: Transform): CodecStream {
  // `finished` also settles when the stream is destroyed early (a premature close is an error).
  const done = finished(stream).catch((error: Error) => {
    throw new PortYardError('COMPRESS_FAILED', `compression stream failed: ${error.message}`, {
      phase: 'compress',
      cause: error,
    });
  });
  done.catch(() => undefined);
  return { input: stream, output: stream, finished: done, kill: () => stream.destroy() };
}

/**
 * node:zlib only where it is the fallback: loading it takes 5-9 ms at start-up, which the dump's
 * start would wait for.
 */
async function loadZlib(): Promise<typeof zlib> {
  return (await import('node:zlib')).default;
}

/** Chooses the fastest available implementation of `algorithm` on this machine. */
export async function createCodec(algorithm: CompressionName, level?: number): Promise<Codec> {
  const chosenLevel = level ?? defaultLevels[algorithm];
  if (algorithm === 'none') {
    const passThrough = (): CodecStream => transformCodec(new PassThrough());
    return {
      algorithm,
      level: undefined,
      suffix: '',
      implementation: 'none',
      compress: passThrough,
      decompress: passThrough,
    };
  }
  if (algorithm === 'zstd') {
    const cli = await findExecutable('zstd');
    if (cli) {
      return {
        compressFrom: (ends: DirectEnds) => zstdDirect(cli, chosenLevel ?? 3, ends),
        algorithm,
        level: chosenLevel,
        suffix: '.zst',
        implementation: 'zstd CLI',
        compress: () => processCodec(cli, ['-q', '-c', `-${chosenLevel}`, '-T0'], 'zstd'),
        decompress: () => processCodec(cli, ['-q', '-d', '-c'], 'zstd -d'),
      };
    }
    const zlib = await loadZlib();
    const params = { [zlib.constants.ZSTD_c_compressionLevel]: chosenLevel ?? 3 };
    return {
      algorithm,
      level: chosenLevel,
      suffix: '.zst',
      implementation: 'node:zlib',
      compress: () => transformCodec(zlib.createZstdCompress({ params, chunkSize: 1 << 20 })),
      decompress: () => transformCodec(zlib.createZstdDecompress({ chunkSize: 1 << 20 })),
    };
  }
  const pigz = await findExecutable('pigz');
  if (pigz) {
    return {
      algorithm,
      level: chosenLevel,
      suffix: '.gz',
      implementation: 'pigz CLI',
      compress: () => processCodec(pigz, ['-c', `-${chosenLevel}`], 'pigz'),
      decompress: () => processCodec(pigz, ['-d', '-c'], 'pigz -d'),
    };
  }
  const zlib = await loadZlib();
  return {
    algorithm,
    level: chosenLevel,
    suffix: '.gz',
    implementation: 'node:zlib',
    compress: () => transformCodec(zlib.createGzip({ level: chosenLevel, chunkSize: 1 << 20 })),
    decompress: () => transformCodec(zlib.createGunzip({ chunkSize: 1 << 20 })),
  };
}
