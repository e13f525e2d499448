import type { Manifest, PortYardConfig, PortYardConfigInput } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { startApi, type RunningApi } from '../src/http/start-api.ts';
import { silentLogger } from '../src/platform/logger.ts';

/** The storage every API-section artifact lives in. */
export const apiStorageName = 'local';

/**
 * A config for the API section: one filesystem storage, auth mode none (everyone is a viewer),
 * a free loopback port, and a retention pass that never comes due while the bench runs (it would
 * rescan the catalog in the middle of a measurement).
 */
export function apiBenchConfig(
  storageRoot: string,
  targets: PortYardConfigInput['targets'] = {},
): PortYardConfig {
  return configSchema.parse({
    version: 1,
    retentionSchedule: '0 0 1 1 *',
    server: { host: '127.0.0.1', port: 0 },
    auth: { mode: 'none', anonymousRole: 'viewer' },
    storages: { [apiStorageName]: { type: 'filesystem', path: storageRoot } },
    targets,
  });
}

export interface BenchAgent {
  readonly daemon: Daemon;
  readonly api: RunningApi;
  /** How long `daemon.start()` took (its catalog refresh reads every manifest), in ms. */
  readonly startMs: number;
  close(): Promise<void>;
}

/** Starts the daemon (timed: the catalog refresh) and then the API, as `port-yard serve` does. */
export async function startBenchAgent(config: PortYardConfig): Promise<BenchAgent> {
  const daemon = createDaemon({ config, log: silentLogger });
  const started = performance.now();
  await daemon.start();
  const startMs = performance.now() - started;
  let api: RunningApi;
  try {
    api = await startApi({ config, daemon, log: silentLogger, reloadConfig: async () => config });
  } catch (error) {
    await daemon.stop(1000);
    throw error;
  }
  return {
    daemon,
    api,
    startMs,
    async close() {
      await api.close();
      await daemon.stop(1000);
    },
  };
}

/** A minimal manifest that the catalog accepts, for data the bench wrote itself. */
export function benchManifest(fields: {
  readonly artifactId: string;
  readonly target: string;
  readonly database: string;
  readonly startedAt: Date;
  readonly storedBytes: number;
  readonly sha256: string;
}): Manifest {
  return {
    formatVersion: 1,
    artifactId: fields.artifactId,
    runId: `bench-${fields.artifactId}`,
    target: fields.target,
    database: fields.database,
    engine: 'postgres',
    server: { flavor: 'PostgreSQL', version: '17.0' },
    dumpTool: { name: 'pg_dump', version: '17.0' },
    dumpFormat: 'pg-custom',
    agentVersion: '0.1.0',
    startedAt: fields.startedAt.toISOString(),
    finishedAt: new Date(fields.startedAt.getTime() + 5000).toISOString(),
    rawBytes: fields.storedBytes,
    storedBytes: fields.storedBytes,
    sha256: fields.sha256,
    compression: { algorithm: 'none' },
    encryption: null,
    dataObject: `${fields.artifactId}.pgdump`,
    fingerprint: null,
    tables: [],
    labels: {},
    destinations: [{ storage: apiStorageName, committed: true }],
  };
}
