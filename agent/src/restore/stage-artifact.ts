import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import { verifyingPassThrough } from '../artifacts/verifying-pass-through.ts';
import { causeOf } from '../platform/broken-pipe.ts';
import { createFirstFailure } from '../platform/first-failure.ts';
import { makeProcessFolder } from '../platform/process-folders.ts';
import type { ArtifactSource } from './artifact-source.ts';
import { explainFailure } from './prepare-artifact-restore.ts';
import { sameForEveryCopy } from './same-for-every-copy.ts';
import { stagingPrefix } from '../platform/sweep-process-folders.ts';

export interface StagedDump {
  /** The raw dump (decrypted, decompressed), readable only by this user. */
  readonly path: string;
  readonly rawBytes: number;
  /** Removes the file and its folder. */
  dispose(): Promise<void>;
}

/**
 * Downloads an artifact, checks its size and sha256 against the manifest, and writes the raw dump
 * to a private temporary folder (0700) named with the process id. Nothing is staged when the
 * check fails: the folder is removed and the error is INTEGRITY_FAILED. Staging first means the
 * target database is touched only once the artifact is known to be whole, and lets pg_restore
 * run parallel jobs on the file.
 */
export async function stageArtifact(
  source: ArtifactSource,
  manifest: Manifest,
  options: {
    readonly dir?: string;
    readonly signal?: AbortSignal;
    readonly onBytes?: (storedBytesRead: number) => void;
  } = {},
): Promise<StagedDump> {
  const base = options.dir ?? tmpdir();
  const folder = await makeProcessFolder(base, stagingPrefix).catch((error: unknown) => {
    throw sameForEveryCopy(
      new PortYardError(
        'STORAGE_FAILED',
        `cannot stage the artifact in ${base}: ${(error as Error).message} (set restore.stagingDir, or restore.staging: false)`,
        { phase: 'restore', cause: error },
      ),
    );
  });
  const path = join(folder, 'dump');
  const dispose = (): Promise<void> => rm(folder, { recursive: true, force: true });
  try {
    const rawBytes = await decodeArtifact(
      source,
      manifest,
      () => createWriteStream(path, { mode: 0o600 }),
      options,
      (error) => stagingError(base, error),
    );
    return { path, rawBytes, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * What `stageArtifact` proves, without the room to stage: the copy is read through its size and
 * sha256 check, decrypted and decompressed, and the raw dump thrown away. A restore over the
 * source without staging runs this before it empties the database, so a wrong or rotated age key
 * (or a damaged copy) fails it while the database is still untouched. It costs a second read of
 * the artifact, which the load then streams again.
 */
export async function checkArtifactDecodes(
  source: ArtifactSource,
  manifest: Manifest,
  options: { readonly signal?: AbortSignal; readonly onBytes?: (storedBytesRead: number) => void } = {},
): Promise<void> {
  const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await decodeArtifact(source, manifest, discard, options, (error) => error);
}

/**
 * Reads a copy through the sha256 check and its decoder into a sink (opened only once the copy
 * and its decoder are: a copy that cannot be read leaves no file open): the raw dump's size.
 */
async function decodeArtifact(
  source: ArtifactSource,
  manifest: Manifest,
  openSink: () => Writable,
  options: { readonly signal?: AbortSignal; readonly onBytes?: (storedBytesRead: number) => void },
  sinkError: (error: unknown) => unknown,
): Promise<number> {
  const failure = createFirstFailure(options.signal, 'restore', 'restore');
  const { fail, stop } = failure;
  try {
    const input = await source.storage.get(source.dataKey);
    const decoder = source.decoder();
    failure.onStop(() => {
      decoder.kill();
      input.destroy();
    });
    const verify = verifyingPassThrough(manifest, { phase: 'restore', onBytes: options.onBytes });
    const sink = openSink();
    let rawBytes = 0;
    decoder.output.on('data', (chunk: Buffer) => (rawBytes += chunk.length));
    await Promise.allSettled([
      pipeline(input, verify, decoder.input, { signal: stop }).catch(async (error: unknown) =>
        fail(await causeOf(error, decoder.finished)),
      ),
      pipeline(decoder.output, sink, { signal: stop }).catch((error: unknown) => fail(sinkError(error))),
      decoder.finished.catch(fail),
    ]);
    // The decompressor often trips over damaged bytes before the size and sha256 check can
    // tell: a failure is checked against the stored bytes once more (INTEGRITY_FAILED).
    if (failure.error !== undefined)
      throw await explainFailure(failure.error, source.storage, source.dataKey, manifest);
    return rawBytes;
  } finally {
    failure.dispose();
  }
}

function stagingError(base: string, error: unknown): unknown {
  if (isPortYardError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'ENOSPC' ? ': not enough room' : '';
  return sameForEveryCopy(
    new PortYardError(
      'STORAGE_FAILED',
      `cannot stage the artifact in ${base}${hint}: ${(error as Error).message} (set restore.stagingDir, or restore.staging: false)`,
      { phase: 'restore', cause: error },
    ),
  );
}
