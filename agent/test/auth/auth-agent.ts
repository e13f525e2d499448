import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortYardConfigInput } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createDaemon } from '../../src/daemon/daemon.ts';
import { startApi, type RunningApi } from '../../src/http/start-api.ts';
import type { LogFields, Logger } from '../../src/platform/logger.ts';

/** A real agent API on a free loopback port with the given auth settings, and its log lines. */
export interface AuthAgent {
  readonly url: string;
  readonly api: RunningApi;
  readonly logLines: string[];
  close(): Promise<void>;
}

export async function startAuthAgent(
  auth: PortYardConfigInput['auth'],
  options: { clock?: () => number } = {},
): Promise<AuthAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-auth-'));
  const config = configSchema.parse({
    version: 1,
    server: { host: '127.0.0.1', port: 0 },
    auth,
    storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
  });
  const logLines: string[] = [];
  const write =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void logLines.push(JSON.stringify({ level, message, ...fields }));
  const log: Logger = { info: write('info'), warn: write('warn'), error: write('error') };
  const daemon = createDaemon({ config, log });
  const api = await startApi({ config, daemon, log, reloadConfig: async () => config, clock: options.clock });
  return {
    url: api.url,
    api,
    logLines,
    async close() {
      await api.close();
      await daemon.stop(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `agent.session` as the holder of `cookie` sees it (tRPC over plain HTTP). */
export async function sessionOf(
  agentUrl: string,
  cookie: string | undefined,
): Promise<{ name: string; role: string; kind: string } | null> {
  const response = await fetch(`${agentUrl}/api/trpc/agent.session`, {
    headers: cookie ? { cookie } : {},
  });
  const body = (await response.json()) as { result: { data: { identity: never } } };
  return body.result.data.identity;
}
