import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { CompletionCheck } from '../engines/engine.ts';
import { spawnTool, type ToolCommand } from '../platform/spawn-tool.ts';
import type { Storage } from '../storage/storage.ts';
import type { Codec } from './compression.ts';
import { fanOut } from './fan-out.ts';

export interface StreamDumpRequest {
  readonly dump: ToolCommand;
  readonly dumpName: string;
  readonly completion: CompletionCheck;
  readonly codec: Codec;
  readonly storages: readonly Storage[];
  readonly key: string;
  readonly signal?: AbortSignal;
  /** Called often (every chunk) with running totals; callers throttle. */
  readonly onBytes?: (rawBytes: number, storedBytes: number) => void;
}

export interface StreamDumpResult {
  readonly rawBytes: number;
  readonly storedBytes: number;
  readonly sha256: string;
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
  const onCancel = (): void =>
    fail(new PortYardError('CANCELLED', 'the backup was cancelled', { phase: 'dump' }));
  if (request.signal?.aborted) onCancel();
  request.signal?.addEventListener('abort', onCancel, { once: true });

  const dump = spawnTool(request.dump, { stdout: 'pipe' });
  const codec = request.codec.compress();
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
  const puts = request.storages.map((storage, index) =>
    storage.put(request.key, branches[index]!, { signal: stop.signal }).catch((error: unknown) => {
      fail(asStorageError(error, storage));
      throw error;
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
  return { rawBytes, storedBytes, sha256: hash.digest('hex') };
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

function normalize(error: unknown): PortYardError {
  if (isPortYardError(error)) return error;
  return new PortYardError('INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
}
