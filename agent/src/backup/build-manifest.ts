import type { EngineName, Manifest, TableEstimate, TargetConfig } from '@port-yard/shared';
import { incompleteLabel, manifestFormatVersion } from '@port-yard/shared';
import type { DumpDescription, ServerInfo } from '../engines/engine.ts';
import type { Encryption } from '../pipeline/age-encryption.ts';
import type { Codec } from '../pipeline/compression.ts';
import type { StreamDumpResult } from '../pipeline/stream-dump.ts';

export interface ManifestFacts {
  readonly artifactId: string;
  readonly request: {
    readonly runId: string;
    readonly targetName: string;
    readonly database: string;
    readonly target: TargetConfig;
  };
  readonly engine: EngineName;
  readonly server: ServerInfo;
  readonly dump: DumpDescription;
  /** `dump.toolVersion`, settled. */
  readonly toolVersion: string;
  readonly agentVersion: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly streamed: StreamDumpResult;
  readonly codec: Codec;
  readonly encryption: Encryption | undefined;
  readonly dataObject: string;
  readonly fingerprint: string | null;
  readonly tables: TableEstimate[];
  readonly databaseOptions?: Record<string, string>;
  /** What the dump left out for lack of a privilege; recorded under `incompleteLabel`. */
  readonly omissions?: readonly string[];
}

/** The manifest of a committed data object (docs/artifact-format.md). */
export function buildManifest(facts: ManifestFacts): Manifest {
  const { request, streamed, codec, encryption, dump } = facts;
  return {
    formatVersion: manifestFormatVersion,
    artifactId: facts.artifactId,
    runId: request.runId,
    target: request.targetName,
    database: request.database,
    engine: facts.engine,
    server: { flavor: facts.server.flavor, version: facts.server.version },
    dumpTool: { name: dump.toolName, version: facts.toolVersion },
    dumpFormat: dump.format,
    agentVersion: facts.agentVersion,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    rawBytes: streamed.rawBytes,
    storedBytes: streamed.storedBytes,
    sha256: streamed.sha256,
    compression: { algorithm: codec.algorithm, ...(codec.level === undefined ? {} : { level: codec.level }) },
    encryption: encryption ? { algorithm: 'age', recipients: [...encryption.description.recipients] } : null,
    dataObject: facts.dataObject,
    fingerprint: facts.fingerprint,
    tables: facts.tables,
    ...(facts.databaseOptions ? { databaseOptions: facts.databaseOptions } : {}),
    labels: {
      ...request.target.labels,
      ...(facts.omissions?.length ? { [incompleteLabel]: facts.omissions.join(' ') } : {}),
    },
    destinations: streamed.destinations.map((outcome) => ({ ...outcome })),
  };
}
