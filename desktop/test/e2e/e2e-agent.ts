import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PortYardConfig, PortYardConfigInput } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { build } from 'vite';
import { createDaemon, type Daemon } from '../../../agent/src/daemon/daemon.ts';
import { startApi, type RunningApi } from '../../../agent/src/http/start-api.ts';
import { basicAuth, captureLog } from '../../../agent/test/api/api-harness.ts';

/** Builds the web bundle once per test file into a temp folder, as `npm run build:web` would. */
export async function buildWebBundle(outDir: string): Promise<void> {
  await build({
    configFile: fileURLToPath(new URL('../../vite.web.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export interface E2eAgent {
  readonly url: string;
  readonly daemon: Daemon;
  readonly config: PortYardConfig;
  /** Stops the agent (API and daemon), as a crash or redeploy would. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same storage. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A real agent serving the web bundle at `/`, with basic auth (alice: operator, victor: viewer). */
export async function startE2eAgent(options: {
  readonly webRoot: string;
  readonly targets: PortYardConfigInput['targets'];
}): Promise<E2eAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'py-e2e-agent-'));
  let port = 0;
  const configFor = async (): Promise<PortYardConfig> =>
    configSchema.parse({
      version: 1,
      server: { port, webRoot: options.webRoot },
      auth: await basicAuth(),
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: options.targets,
    });
  let config = await configFor();
  let daemon: Daemon | undefined;
  let api: RunningApi | undefined;
  const start = async (): Promise<void> => {
    const log = captureLog();
    daemon = createDaemon({ config, log });
    await daemon.start();
    api = await startApi({ config, daemon, log, reloadConfig: async () => config });
    port = Number(new URL(api.url).port);
    config = await configFor();
  };
  const stop = async (): Promise<void> => {
    await api?.close();
    await daemon?.stop(1000);
  };
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get daemon() {
      return daemon!;
    },
    get config() {
      return config;
    },
    start,
    stop,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
