import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { CompletionCheck } from '../engines/engine.ts';
import { spawnTool, type ToolCommand } from '../platform/spawn-tool.ts';
import type { Storage } from '../storage/storage.ts';
import type { Codec } from './compression.ts';
import type { Encryption } from './age-encryption.ts';
import { chainCodecs } from './chain-codecs.ts';
import { fanOut } from './fan-out.ts';

export interface StreamDumpRequest {
  readonly dump: ToolCommand;
  readonly dumpName: string;
  readonly completion: CompletionCheck;
  readonly codec: Codec;
  /** Encrypts after compressing, when the target has encryption. */
  readonly encryption?: Encryption;
  readonly storages: readonly Storage[];
  readonly key: string;
  readonly signal?: AbortSignal;
  /** Called often (every chunk) with running totals; callers throttle. */
  readonly onBytes?: (rawBytes: number, storedBytes: number) => void;
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
 */
export async function streamDump(request: StreamDumpRequest): Promise<StreamDumpResult> {
  const stop = new AbortController();
  let firstError: unknown;
  const fail = (error: unknown): void => {
    firstError ??= error;
    if (!stop.signal.aborted) stop.abort(error);
  };
  // The signal's reason says why (a PortYardError such as TIMEOUT); anything else is a cancel.
  const onCancel = (): void => {
    const reason: unknown = request.signal?.reason;
    fail(
      isPortYardError(reason)
        ? reason
        : new PortYardError('CANCELLED', 'the backup was cancelled', { phase: 'dump' }),
    );
  };
  if (request.signal?.aborted) onCancel();
  request.signal?.addEventListener('abort', onCancel, { once: true });

  const dump = spawnTool(request.dump, { stdout: 'pipe' });
  const compress = request.codec.compress();
  const codec = request.encryption ? chainCodecs(compress, request.encryption.encrypt()) : compress;
  stop.signal.addEventListener('abort', () => {
    dump.kill();
    codec.kill();
  });

  let rawBytes = 0;
  let storedBytes = 0;
  const hash = createHash('sha256');
  const observe = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      rawBytes += chunk.length;
      request.completion.observe(chunk);
      request.onBytes?.(rawBytes, storedBytes);
      callback(null, chunk);
    },
  });

  const upstreamDone = (async () => {
    await pipeline(dump.child.stdout!, observe, codec.input).catch((error: unknown) => {
      throw new PortYardError(
        'DUMP_FAILED',
        `reading from ${request.dumpName} failed: ${(error as Error).message}`,
        {
          phase: 'dump',
          cause: error,
        },
      );
    });
    await dumpSucceeded(dump, request, rawBytes);
    await codec.finished;
  })();
  upstreamDone.catch(fail);

  const gate = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      storedBytes += chunk.length;
      hash.update(chunk);
      request.onBytes?.(rawBytes, storedBytes);
      callback(null, chunk);
    },
    flush(callback) {
      upstreamDone.then(() => callback(), callback);
    },
  });

  const { sink, branches } = fanOut(request.storages.length);
  // A failing destination is dropped and the others go on (the run becomes partial); the stream
  // only fails when no destination is left.
  const destinationErrors = new Map<string, unknown>();
  const puts = request.storages.map((storage, index) =>
    storage.put(request.key, branches[index]!, { signal: stop.signal }).catch((error: unknown) => {
      const classified = asStorageError(error, storage);
      destinationErrors.set(storage.name, classified);
      if (destinationErrors.size === request.storages.length) fail(allFailed(destinationErrors));
      throw classified;
    }),
  );
  const downstream = pipeline(codec.output, gate, sink, { signal: stop.signal }).catch((error: unknown) => {
    fail(error);
    throw error;
  });

  // Wait for every part to settle, so temporary data is gone before the outcome is reported.
  await Promise.allSettled([upstreamDone, downstream, ...puts, dump.exited, codec.finished]);
  request.signal?.removeEventListener('abort', onCancel);
  if (firstError !== undefined) throw normalize(firstError);
  const destinations = request.storages.map((storage): DestinationOutcome => {
    const error = destinationErrors.get(storage.name);
    return error === undefined
      ? { storage: storage.name, committed: true }
      : { storage: storage.name, committed: false, error: (error as Error).message };
  });
  return { rawBytes, storedBytes, sha256: hash.digest('hex'), destinations };
}

async function dumpSucceeded(
  dump: ReturnType<typeof spawnTool>,
  request: StreamDumpRequest,
  rawBytes: number,
): Promise<void> {
  const exit = await dump.exited;
  const stderrTail = dump.stderr.text();
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
  if (rawBytes === 0) {
    throw new PortYardError('DUMP_FAILED', `${request.dumpName} wrote nothing`, {
      phase: 'dump',
      stderrTail,
    });
  }
  const problem = request.completion.problem();
  if (problem) throw new PortYardError('DUMP_FAILED', problem, { phase: 'dump', stderrTail });
}

function asStorageError(error: unknown, storage: Storage): unknown {
  if (isPortYardError(error)) return error;
  return new PortYardError(
    'STORAGE_FAILED',
    `writing to storage ${storage.name} failed: ${(error as Error).message}`,
    {
      phase: 'store',
      cause: error,
    },
  );
}

function allFailed(errors: ReadonlyMap<string, unknown>): unknown {
  if (errors.size === 1) return [...errors.values()][0];
  const reasons = [...errors.values()].map((error) => (error as Error).message).join('; ');
  return new PortYardError('STORAGE_FAILED', `every destination failed: ${reasons}`, { phase: 'store' });
}

function normalize(error: unknown): PortYardError {
  if (isPortYardError(error)) return error;
  return new PortYardError('INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
}
