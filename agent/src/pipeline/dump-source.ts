import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError } from '@port-yard/shared';
import type { CompletionCheck } from '../engines/engine.ts';
import { causeOf, isClosedStdin } from '../platform/broken-pipe.ts';
import type { RunningTool } from '../platform/spawn-tool.ts';
import type { Encryption } from './age-encryption.ts';
import { chainFinished, linkStages } from './chain-codecs.ts';
import { isDirectCodec, type Codec, type CodecStream, type DirectCodec } from './compression.ts';

/**
 * How often a backup reports progress (backup/progress-reporter.ts), and so how often the direct
 * path, whose sizes come from /proc and fstat rather than from chunks, looks them up.
 */
export const progressEveryMs = 250;

/**
 * The dump tool's output, compressed (and encrypted): what the storages receive. `done`
 * resolves with the number of raw dump bytes once every process of it succeeded.
 */
export interface DumpSource {
  readonly output: Readable;
  readonly done: Promise<number>;
  /** Raw bytes so far, for progress (exact in the observed path, approximate in the direct one). */
  rawBytesSoFar(): number;
  kill(): void;
}

export interface DumpSourceRequest {
  readonly dump: RunningTool;
  /** The read end of the OS pipe the dump tool writes into (os-pipe.ts); else its stdout stream is read. */
  readonly dumpPipe?: number;
  readonly dumpName: string;
  readonly completion: CompletionCheck;
  readonly codec: Codec;
  readonly encryption?: Encryption;
  /** Read the dump's bytes here for the completion check, even when the codec could read them. */
  readonly observe?: boolean;
}

/** Whether the compressor reads the dump tool's output itself (the direct path) for `request`. */
export function compressorReadsDump<R extends Pick<DumpSourceRequest, 'codec' | 'observe'>>(
  request: R,
): request is R & { readonly codec: DirectCodec } {
  return !request.observe && isDirectCodec(request.codec);
}

/**
 * Two ways to build it. Direct: the compressor reads the dump tool's pipe itself (zstd, which
 * reports the exact input size): the fast path. Observed: the bytes pass through JavaScript,
 * which counts them and checks the dump's completion marker (gzip, none, zlib, and any dump
 * command asked to be `observe`d: a wrapper whose exit status may lie). For the engines' own
 * tools the marker adds little over the exit status (mariadb-dump writes its `-- Dump completed`
 * trailer on its error path too); it guards the copy through our own process, which the direct
 * path does not make.
 */
export function startDumpSource(request: DumpSourceRequest): DumpSource {
  const source = compressorReadsDump(request)
    ? directSource(request, request.codec.compressFrom, 'pipe')
    : observedSource(request);
  if (!request.encryption) return source;
  try {
    return encrypted(source, request.encryption.encrypt());
  } catch (error) {
    source.kill(); // an encryption that could not start: the dump and compressor stop with it
    throw error;
  }
}

/** A dump compressed by a process that writes into a file descriptor itself: no output here. */
export type DumpIntoFile = Omit<DumpSource, 'output'>;

/**
 * The direct way, with the compressor writing into `fd` (a storage's temp file, see
 * `Storage.openFileWriter`): no byte of the dump or of the artifact passes through JavaScript.
 */
export function startDumpIntoFile(
  request: DumpSourceRequest & { readonly codec: DirectCodec },
  fd: number,
): DumpIntoFile {
  return directSource(request, request.codec.compressFrom, fd);
}

function directSource(
  request: DumpSourceRequest,
  compressFrom: NonNullable<Codec['compressFrom']>,
  into: number,
): DumpIntoFile;
function directSource(
  request: DumpSourceRequest,
  compressFrom: NonNullable<Codec['compressFrom']>,
  into: 'pipe',
): DumpSource;
function directSource(
  request: DumpSourceRequest,
  compressFrom: NonNullable<Codec['compressFrom']>,
  into: number | 'pipe',
): DumpSource | DumpIntoFile {
  const compression = compressFrom({
    input: request.dumpPipe ?? request.dump.child.stdout!,
    output: into,
  });
  let estimate = 0;
  const timer = setInterval(
    () => void compression.inputBytesSoFar().then((bytes) => (estimate = bytes)),
    progressEveryMs,
  );
  timer.unref();
  // A dump that writes into a pipe nobody reads may not notice (a shell loop): stop it.
  compression.finished.catch(() => request.dump.kill());
  const done = (async () => {
    try {
      const [dumped, compressed] = await Promise.allSettled([
        dumpSucceeded(request, undefined),
        compression.finished,
      ]);
      // A failed compressor is the cause: zstd does not fail because its input ended early, while
      // a dump whose reader is gone fails in its own way (SIGPIPE, `Got errno 32 on write`, the
      // kill above), in whichever order the two exits are seen.
      if (compressed.status === 'rejected') throw compressed.reason;
      if (dumped.status === 'rejected') throw dumped.reason;
      const rawBytes = compressed.value;
      if (rawBytes === 0)
        throw new PortYardError('DUMP_FAILED', `${request.dumpName} wrote nothing`, { phase: 'dump' });
      return rawBytes;
    } finally {
      clearInterval(timer);
    }
  })();
  done.catch(() => undefined);
  const started = {
    done,
    rawBytesSoFar: () => estimate,
    kill: () => (request.dump.kill(), compression.kill()),
  };
  return compression.output ? { ...started, output: compression.output } : started;
}

function observedSource(request: DumpSourceRequest): DumpSource {
  const codec = request.codec.compress();
  // Awaited only after the dump ended; an early failure must not count as unhandled meanwhile.
  codec.finished.catch(() => undefined);
  let rawBytes = 0;
  const observe = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      rawBytes += chunk.length;
      request.completion.observe(chunk);
      callback(null, chunk);
    },
  });
  const done = (async () => {
    await pipeline(request.dump.child.stdout!, observe, codec.input).catch(async (error: unknown) => {
      // The compressor stopped reading: its exit says why, not the broken pipe (or the premature
      // close of its stdin, when it died in the middle of a write).
      const cause = await causeOf(error, codec.finished, isClosedStdin);
      if (cause !== error) throw cause;
      throw new PortYardError(
        'DUMP_FAILED',
        `reading from ${request.dumpName} failed: ${(error as Error).message}`,
        { phase: 'dump', cause: error },
      );
    });
    await dumpSucceeded(request, rawBytes);
    await codec.finished;
    return rawBytes;
  })();
  done.catch(() => undefined);
  return {
    output: codec.output,
    done,
    rawBytesSoFar: () => rawBytes,
    kill: () => (request.dump.kill(), codec.kill()),
  };
}

function encrypted(source: DumpSource, encrypt: CodecStream): DumpSource {
  const link = linkStages(source.output, encrypt);
  const done = chainFinished(link, source.done, encrypt.finished).then(() => source.done);
  done.catch(() => undefined);
  return {
    output: encrypt.output,
    done,
    rawBytesSoFar: source.rawBytesSoFar,
    kill: () => (source.kill(), encrypt.kill()),
  };
}

/** The dump tool exited 0; when the bytes were observed, also non-empty and complete. */
async function dumpSucceeded(request: DumpSourceRequest, observedBytes: number | undefined): Promise<void> {
  const exit = await request.dump.exited;
  const stderrTail = request.dump.stderr.text();
  if (exit.signal) {
    throw new PortYardError('DUMP_FAILED', `${request.dumpName} was killed by ${exit.signal}`, {
      phase: 'dump',
      stderrTail,
    });
  }
  if (exit.code !== 0) {
    const firstLine = stderrTail.split('\n').find((line) => line.trim()) ?? '';
    throw new PortYardError(
      'DUMP_FAILED',
      `${request.dumpName} exited with code ${exit.code}${firstLine ? `: ${firstLine}` : ''}`,
      {
        phase: 'dump',
        stderrTail,
      },
    );
  }
  if (observedBytes === undefined) return;
  if (observedBytes === 0)
    throw new PortYardError('DUMP_FAILED', `${request.dumpName} wrote nothing`, {
      phase: 'dump',
      stderrTail,
    });
  const problem = request.completion.problem();
  if (problem) throw new PortYardError('DUMP_FAILED', problem, { phase: 'dump', stderrTail });
}
