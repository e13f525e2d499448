import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompletionCheck } from '../engines/engine.ts';
import { settledWithin } from '../platform/broken-pipe.ts';
import { createFirstFailure } from '../platform/first-failure.ts';
import { createOsPipe, type OsPipe } from '../platform/os-pipe.ts';
import { spawnTool, type RunningTool, type ToolCommand } from '../platform/spawn-tool.ts';
import type { Storage } from '../storage/storage.ts';
import type { Codec } from './compression.ts';
import type { Encryption } from './age-encryption.ts';
import { dumpIntoFile, type FileStorage } from './dump-into-file.ts';
import { compressorReadsDump, startDumpSource, type DumpSource } from './dump-source.ts';
import { allFailed, asStorageError, normalizeFailure } from './stream-failures.ts';
import { NoDestinationLeft, fanOut } from './fan-out.ts';

export interface StreamDumpRequest {
  readonly dump: ToolCommand;
  readonly dumpName: string;
  readonly completion: CompletionCheck;
  /**
   * Read the raw dump bytes here so `completion` checks them (a dump command whose exit status
   * may lie). Otherwise a compressor that reads the dump tool's pipe itself (zstd) does, and the
   * exit status, zstd's exact byte count and non-emptiness decide.
   */
  readonly observe?: boolean;
  readonly codec: Codec;
  /** Encrypts after compressing, when the target has encryption. */
  readonly encryption?: Encryption;
  readonly storages: readonly Storage[];
  readonly key: string;
  readonly signal?: AbortSignal;
  /**
   * The kernel pipe for the direct path (a compressor reading the dump tool's output itself),
   * made ahead, beside the compressor's probe (see `createOsPipe`); else one is made when needed.
   * The caller closes it once this settles (closing is idempotent); an unused one is only closed.
   */
  readonly pipeAhead?: Promise<OsPipe | undefined>;
  /** Called once the dump tool was started (its process spawned). */
  readonly onDumpStarted?: () => void;
  /** Called often (every chunk) with running totals; callers throttle. */
  readonly onBytes?: (rawBytes: number, storedBytes: number) => void;
  /** After a failure, how long the other parts get to wind down (default settleAfterFailureMs). */
  readonly settleAfterFailureMs?: number;
  /** How long a destination may take no data while another goes on (default fan-out's stallMs). */
  readonly stallMs?: number;
}

export interface DestinationOutcome {
  readonly storage: string;
  /** The data object is committed in this storage. */
  readonly committed: boolean;
  readonly error?: string;
}

export interface StreamDumpResult {
  readonly rawBytes: number;
  readonly storedBytes: number;
  readonly sha256: string;
  /** One per storage, in the order given: where the data object was committed, and why not. */
  readonly destinations: readonly DestinationOutcome[];
}

/**
 * dump stdout → completion check + byte count → compressor → sha256 + byte count → every storage.
 *
 * Nothing is committed unless everything upstream succeeded: the last transform holds the end of
 * the stream until the dump tool exited 0 with a complete, non-empty dump and the compressor
 * exited 0. Any failure stops every part (children killed, storage puts aborted, temp data
 * removed) and the first failure is the one reported, with its phase and the stderr tail.
 *
 * One destination on a local disk with zstd and no encryption (the common case) takes a faster
 * path with the same guarantees: zstd writes the storage's temp file itself (dump-into-file.ts).
 */
export async function streamDump(request: StreamDumpRequest): Promise<StreamDumpResult> {
  const [only, ...others] = request.storages;
  if (compressorReadsDump(request) && only?.openFileWriter && others.length === 0 && !request.encryption) {
    return dumpIntoFile(request, only as FileStorage, request.codec);
  }
  return streamThroughNode(request);
}

/** The general path: the compressed bytes pass through this process, to any number of storages. */
async function streamThroughNode(request: StreamDumpRequest): Promise<StreamDumpResult> {
  const failure = createFirstFailure(request.signal, 'backup', 'dump');
  const { fail, stop } = failure;

  // When no destination is left, the streams feeding them fail with NoDestinationLeft; each
  // failed put reports its own, classified error instead.
  const failUnlessNoDestinationLeft = (error: unknown): void => {
    const noneLeft =
      error instanceof NoDestinationLeft || (error as Error)?.cause instanceof NoDestinationLeft;
    if (!noneLeft) fail(error);
  };
  // A compressor that reads the dump tool's output itself gets a kernel pipe, as in a shell.
  const pipe = compressorReadsDump(request) ? await (request.pipeAhead ?? createOsPipe()) : undefined;
  let dump: RunningTool;
  let source: DumpSource;
  try {
    dump = spawnTool(request.dump, { stdout: pipe?.writeFd ?? 'pipe' });
    try {
      source = startDumpSource({ ...request, dump, dumpPipe: pipe?.readFd });
    } catch (error) {
      dump.kill(); // a compressor that could not start: the dump must not go on alone
      throw error;
    }
  } finally {
    pipe?.close();
  }
  // (A cancel that came while the pipe was made has already fired: it must stop them too.)
  failure.onStop(() => source.kill());
  request.onDumpStarted?.();
  source.done.catch(failUnlessNoDestinationLeft);

  let storedBytes = 0;
  const hash = createHash('sha256');
  const gate = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      storedBytes += chunk.length;
      hash.update(chunk);
      request.onBytes?.(source.rawBytesSoFar(), storedBytes);
      callback(null, chunk);
    },
    flush(callback) {
      source.done.then(() => callback(), callback);
    },
  });

  const { sink, branches } = fanOut(request.storages.length, { stallMs: request.stallMs });
  // A failing destination is dropped and the others go on (the run becomes partial); the stream
  // only fails when no destination is left.
  const destinationErrors = new Map<string, unknown>();
  const puts = request.storages.map((storage, index) =>
    storage.put(request.key, branches[index]!, { signal: stop }).catch((error: unknown) => {
      const classified = asStorageError(error, storage);
      destinationErrors.set(storage.name, classified);
      if (destinationErrors.size === request.storages.length) fail(allFailed(destinationErrors));
      throw classified;
    }),
  );
  const downstream = pipeline(source.output, gate, sink, { signal: stop }).catch((error: unknown) => {
    failUnlessNoDestinationLeft(error);
    throw error;
  });

  // Wait for every part to settle, so temporary data is gone before the outcome is reported. Once
  // a part has failed, the others get `settleAfterFailureMs` to wind down: a stuck one must not
  // keep a failed run from ending (the sweep removes what it may leave behind).
  const parts = Promise.allSettled([source.done, downstream, ...puts, dump.exited]);
  const grace = afterAbort(stop, request.settleAfterFailureMs ?? settleAfterFailureMs);
  const settled = await Promise.race([parts, grace.elapsed]).finally(grace.cancel);
  failure.dispose();
  // A put that failed may still have made its object visible: its answer lost after the commit
  // (an S3 CompleteMultipartUpload retried into an error, an SFTP rename's reply). Once every
  // put has settled, such an object is removed: no copy may stand where the run says none is.
  if (settled !== undefined) {
    const failed =
      failure.error === undefined
        ? request.storages.filter((storage) => destinationErrors.has(storage.name))
        : request.storages;
    // (A storage that does not answer is not waited for long: the orphan sweep removes what stays.)
    await settledWithin(Promise.allSettled(failed.map((storage) => storage.delete(request.key))));
  }
  if (failure.error !== undefined || settled === undefined) throw normalizeFailure(failure.error);
  const destinations = request.storages.map((storage): DestinationOutcome => {
    const error = destinationErrors.get(storage.name);
    return error === undefined
      ? { storage: storage.name, committed: true }
      : { storage: storage.name, committed: false, error: (error as Error).message };
  });
  const rawBytes = settled[0].status === 'fulfilled' ? (settled[0].value as number) : 0;
  return { rawBytes, storedBytes, sha256: hash.digest('hex'), destinations };
}

/** How long the parts of a failed stream get to clean up before the failure is reported anyway. */
export const settleAfterFailureMs = 15_000;

/** `elapsed` resolves `graceMs` after `signal` aborted (never if it does not); `cancel` stops it. */
function afterAbort(signal: AbortSignal, graceMs: number): { elapsed: Promise<undefined>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let start: () => void = () => undefined;
  const elapsed = new Promise<undefined>((resolve) => {
    start = () => {
      timer = setTimeout(() => resolve(undefined), graceMs);
    };
  });
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return {
    elapsed,
    cancel() {
      clearTimeout(timer);
      signal.removeEventListener('abort', start);
    },
  };
}
