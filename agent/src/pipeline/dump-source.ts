import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError } from '@port-yard/shared';
import type { CompletionCheck } from '../engines/engine.ts';
import type { RunningTool } from '../platform/spawn-tool.ts';
import type { Encryption } from './age-encryption.ts';
import type { Codec, CodecStream } from './compression.ts';

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
  readonly dumpName: string;
  readonly completion: CompletionCheck;
  readonly codec: Codec;
  readonly encryption?: Encryption;
}

/**
 * Two ways to build it. Direct: the compressor reads the dump tool's pipe itself (zstd, which
 * reports the exact input size): the fast path. Observed: the bytes pass through JavaScript,
 * which counts them and checks the dump's completion marker (gzip, none, zlib). The marker adds
 * little over the exit status (mariadb-dump writes its `-- Dump completed` trailer on its error
 * path too); it guards the copy through our own process, which the direct path does not make.
 */
export function startDumpSource(request: DumpSourceRequest): DumpSource {
  const direct = request.codec.compressFrom;
  const source = direct ? directSource(request, direct) : observedSource(request);
  return request.encryption ? encrypted(source, request.encryption.encrypt()) : source;
}

function directSource(
  request: DumpSourceRequest,
  compressFrom: NonNullable<Codec['compressFrom']>,
): DumpSource {
  const compression = compressFrom(request.dump.child.stdout!);
  let estimate = 0;
  const timer = setInterval(
    () => void compression.inputBytesSoFar().then((bytes) => (estimate = bytes)),
    500,
  );
  timer.unref();
  const done = (async () => {
    try {
      const [dumped, compressed] = await Promise.allSettled([
        dumpSucceeded(request, undefined),
        compression.finished,
      ]);
      // A dump tool killed by SIGPIPE only lost its reader: the compressor's failure is the cause.
      const brokenPipe = dumped.status === 'rejected' && (await request.dump.exited).signal === 'SIGPIPE';
      if (dumped.status === 'rejected' && !(brokenPipe && compressed.status === 'rejected'))
        throw dumped.reason;
      if (compressed.status === 'rejected') throw compressed.reason;
      const rawBytes = compressed.value;
      if (rawBytes === 0)
        throw new PortYardError('DUMP_FAILED', `${request.dumpName} wrote nothing`, { phase: 'dump' });
      return rawBytes;
    } finally {
      clearInterval(timer);
    }
  })();
  done.catch(() => undefined);
  return {
    output: compression.output,
    done,
    rawBytesSoFar: () => estimate,
    kill: () => (request.dump.kill(), compression.kill()),
  };
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
    await pipeline(request.dump.child.stdout!, observe, codec.input).catch((error: unknown) => {
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
  const link = pipeline(source.output, encrypt.input);
  const done = Promise.all([source.done, encrypt.finished, link]).then(([rawBytes]) => rawBytes);
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
