import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { verificationFormatVersion, type Manifest, type VerificationResult } from '@port-yard/shared';
import { newArtifactId } from '../../src/artifacts/artifact-keys.ts';
import type { Storage } from '../../src/storage/storage.ts';

/** A well-formed manifest for `data`, for tests that need artifacts without running a dump. */
export function fakeManifest(artifactId: string, data: Buffer, overrides: Partial<Manifest> = {}): Manifest {
  return {
    formatVersion: 1,
    artifactId,
    runId: 'run-1',
    target: 'shop',
    database: 'sales',
    engine: 'mariadb',
    server: { flavor: 'MariaDB', version: '10.11.19' },
    dumpTool: { name: 'mariadb-dump', version: '10.11.19' },
    dumpFormat: 'sql',
    agentVersion: '0.1.0',
    startedAt: '2026-11-26T03:00:00.000Z',
    finishedAt: '2026-11-26T03:00:05.000Z',
    rawBytes: 100,
    storedBytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    compression: { algorithm: 'zstd', level: 3 },
    encryption: null,
    dataObject: `${artifactId}.sql.zst`,
    fingerprint: null,
    tables: [],
    labels: {},
    destinations: [{ storage: 'local', committed: true }],
    ...overrides,
  };
}

/** Writes a fake artifact (data, then manifest) started at `startedAt` into `storage`. */
export async function putFakeArtifact(
  storage: Storage,
  options: {
    target?: string;
    database?: string;
    startedAt: Date;
    artifactId?: string;
    labels?: Record<string, string>;
  },
): Promise<Manifest> {
  const artifactId = options.artifactId ?? newArtifactId(options.startedAt);
  const data = Buffer.from(`data of ${artifactId}`);
  const manifest = fakeManifest(artifactId, data, {
    target: options.target ?? 'shop',
    database: options.database ?? 'sales',
    startedAt: options.startedAt.toISOString(),
    labels: options.labels ?? {},
  });
  const folder = `${manifest.target}/${manifest.database}`;
  await storage.put(`${folder}/${manifest.dataObject}`, Readable.from([data]));
  await storage.put(
    `${folder}/${artifactId}.manifest.json`,
    Readable.from([Buffer.from(JSON.stringify(manifest))]),
  );
  return manifest;
}

/** A verification result of `artifactId` (no tables), passed or failed. */
export function fakeVerification(artifactId: string, ok: boolean): VerificationResult {
  return {
    formatVersion: verificationFormatVersion,
    artifactId,
    verifiedAt: new Date().toISOString(),
    server: 'scratch',
    ok,
    durationMs: 1,
    tables: [],
    problems: ok ? [] : ['table t has 0 rows, the manifest says 10'],
  };
}
