import type { Manifest, TargetConfig } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import { storedBytesProblem } from '../artifacts/check-stored-bytes.ts';
import type { CatalogEntry } from '../catalog/catalog.ts';
import type { ConnectionSettings, Engine } from '../engines/engine.ts';
import type { Storage } from '../storage/storage.ts';
import { openArtifactSource } from './artifact-source.ts';
import { streamRestore } from './stream-restore.ts';

export interface PrepareArtifactRestoreRequest {
  readonly entry: CatalogEntry;
  readonly storages: ReadonlyMap<string, Storage>;
  /** The artifact's target: where the decryption identity comes from. */
  readonly target: TargetConfig;
  /** The engine whose restore tool loads the dump into `connection`. */
  readonly engine: Engine;
  readonly connection: ConnectionSettings;
  readonly database: string;
}

export interface PreparedArtifactRestore {
  /**
   * Streams the artifact into the (existing, empty) database: storage.get → sha256 check →
   * decrypt → decompress → restore tool. A damaged artifact fails with INTEGRITY_FAILED.
   */
  run(options?: {
    readonly signal?: AbortSignal;
    readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  }): Promise<void>;
  /** Removes the restore tool's credential files; always call it. */
  dispose(): Promise<void>;
}

/**
 * Everything a restore needs before the database is created: a storage holding the artifact, its
 * codec, the decryption and the restore command. Fails (creating nothing) when one is missing.
 */
export async function prepareArtifactRestore(
  request: PrepareArtifactRestoreRequest,
): Promise<PreparedArtifactRestore> {
  const { entry, engine } = request;
  const { manifest } = entry;
  const source = await openArtifactSource(entry, request.storages, request.target);
  const prepared = await engine.prepareRestore({
    connection: request.connection,
    database: request.database,
    format: manifest.dumpFormat,
    dumpedDatabase: manifest.database,
  });
  return {
    async run(options = {}) {
      try {
        await streamRestore({
          source: await source.storage.get(source.dataKey),
          manifest: source.manifest,
          decoder: source.decoder(),
          tool: prepared.command,
          toolName: prepared.command.command.split('/').pop()!,
          rewriteInput: prepared.rewriteInput,
          signal: options.signal,
          onBytes: (read) => options.onProgress?.(read, manifest.storedBytes),
        });
      } catch (error) {
        throw await explainFailure(error, source.storage, source.dataKey, source.manifest);
      }
    },
    dispose: () => prepared.dispose(),
  };
}

/**
 * A decompressor or restore tool often trips over damaged bytes before the final sha256 check
 * runs. When a restore fails for any reason but cancellation, the stored bytes are checked once
 * more, so a damaged artifact is reported as such (INTEGRITY_FAILED) rather than as a tool error.
 */
export async function explainFailure(
  error: unknown,
  storage: Storage,
  dataKey: string,
  manifest: Manifest,
): Promise<unknown> {
  if (isPortYardError(error) && (error.code === 'CANCELLED' || error.code === 'INTEGRITY_FAILED'))
    return error;
  const problem = await storedBytesProblem(storage, dataKey, manifest).catch(() => undefined);
  return problem ? new PortYardError('INTEGRITY_FAILED', problem, { phase: 'restore', cause: error }) : error;
}
