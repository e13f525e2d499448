import { createFirstFailure } from '../platform/first-failure.ts';
import { createOsPipe } from '../platform/os-pipe.ts';
import { spawnTool, type RunningTool } from '../platform/spawn-tool.ts';
import type { FileWriter, Storage } from '../storage/storage.ts';
import type { DirectCodec } from './compression.ts';
import { progressEveryMs, startDumpIntoFile, type DumpIntoFile } from './dump-source.ts';
import type { StreamDumpRequest, StreamDumpResult } from './stream-dump.ts';
import { asStorageError, normalizeFailure } from './stream-failures.ts';

/** A storage that takes a file from another process (see `Storage.openFileWriter`). */
export type FileStorage = Storage & Required<Pick<Storage, 'openFileWriter'>>;

/**
 * `streamDump`'s fast path, for one destination that is a local file and a compressor that writes
 * into it (zstd): `dump | zstd > temp file`, as a shell would run it, with a kernel pipe between
 * the two. This process only watches: it commits the file (fsync, sha256 read back, rename) once
 * the dump tool and zstd both succeeded, and removes it otherwise. The failure semantics are
 * `streamDump`'s: the first failure wins and stops both processes; nothing is visible after one.
 */
export async function dumpIntoFile(
  request: StreamDumpRequest,
  storage: FileStorage,
  codec: DirectCodec,
): Promise<StreamDumpResult> {
  const failure = createFirstFailure(request.signal, 'backup', 'dump');
  let writer: FileWriter | undefined;
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    const file = await storage
      .openFileWriter(request.key, { signal: failure.stop })
      .catch((error: unknown) => {
        throw asStorageError(error, storage);
      });
    writer = file;
    const source = await startBoth(request, codec, file.fd);
    // (A cancel that came while the pipe was made has already fired: it must stop them too.)
    failure.onStop(() => source.kill());
    request.onDumpStarted?.();
    const { onBytes } = request;
    if (onBytes) {
      progress = setInterval(() => {
        void file.size().then(
          (stored) => onBytes(source.rawBytesSoFar(), stored),
          () => undefined,
        );
      }, progressEveryMs);
    }
    const rawBytes = await source.done.catch((error: unknown) => {
      failure.fail(error);
      throw error;
    });
    clearInterval(progress);
    const committed = await file.commit().catch((error: unknown) => {
      failure.fail(asStorageError(error, storage));
      throw error;
    });
    return {
      rawBytes,
      storedBytes: committed.bytes,
      sha256: committed.sha256,
      destinations: [{ storage: storage.name, committed: true }],
    };
  } catch (error) {
    clearInterval(progress);
    await writer?.abort();
    // A cancel or the first failure of a part is the cause; what the others did is its consequence.
    throw normalizeFailure(failure.error ?? error);
  } finally {
    failure.dispose();
  }
}

/** The dump tool writing into a kernel pipe that zstd reads, zstd writing into `fd`. */
async function startBoth(request: StreamDumpRequest, codec: DirectCodec, fd: number): Promise<DumpIntoFile> {
  const pipe = await (request.pipeAhead ?? createOsPipe());
  try {
    const dump: RunningTool = spawnTool(request.dump, { stdout: pipe?.writeFd ?? 'pipe' });
    return startDumpIntoFile({ ...request, codec, dump, dumpPipe: pipe?.readFd }, fd);
  } finally {
    // Both children hold their ends now; ours would keep zstd from seeing the end of the dump.
    pipe?.close();
  }
}
