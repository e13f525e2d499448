import type { TableEstimate, TargetConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import { createAgeEncryption, type Encryption } from '../pipeline/age-encryption.ts';
import { createCodec, type Codec } from '../pipeline/compression.ts';

export interface BackupFacts {
  /** Only computed for targets that skip unchanged databases (it is recorded in the manifest). */
  readonly fingerprint: string | null;
  readonly tables: TableEstimate[];
}

export interface PipelineParts {
  readonly codec: Codec;
  readonly encryption: Encryption | undefined;
}

/**
 * What the manifest records of the database, looked up at once: start-up latency is most of a
 * small backup's overhead. A missing database is reported as such, before any other failure.
 */
export async function gatherBackupFacts(
  engine: Engine,
  target: TargetConfig,
  database: string,
): Promise<BackupFacts> {
  const [exists, fingerprint, tables] = await Promise.allSettled([
    engine.databaseExists(target, database),
    target.skipIfUnchanged ? engine.fingerprint(target, database).catch(() => null) : Promise.resolve(null),
    engine.tableEstimates(target, database),
  ]);
  if (exists.status === 'fulfilled' && !exists.value) {
    throw new PortYardError(
      'NOT_FOUND',
      `database ${database} does not exist on ${describeConnection(target, engine.defaultPort)}`,
      {
        phase: 'connect',
      },
    );
  }
  for (const result of [exists, fingerprint, tables]) if (result.status === 'rejected') throw result.reason;
  const value = <T>(result: PromiseSettledResult<T>): T => (result as PromiseFulfilledResult<T>).value;
  return { fingerprint: value(fingerprint), tables: value(tables) };
}

/** The compressor (the fastest installed) and the encryption the target asks for. */
export async function createPipelineParts(target: TargetConfig): Promise<PipelineParts> {
  const [codec, encryption] = await Promise.all([
    createCodec(target.compression, target.compressionLevel),
    target.encryption ? createAgeEncryption(target.encryption) : Promise.resolve(undefined),
  ]);
  return { codec, encryption };
}
