import { join } from 'node:path';
import { configSchema, type PortYardConfig } from '@port-yard/shared';
import type { TestServer } from '../servers/test-servers.ts';

/**
 * The config of a verification test: backups in `<dir>/backups`, `server` as the one test server
 * (named `name`), and `targets` (whose `verify.server` names it).
 */
export function verifyConfig(options: {
  readonly dir: string;
  readonly server: TestServer;
  readonly engine: 'mariadb' | 'postgres';
  readonly name: string;
  readonly targets: Record<string, unknown>;
}): PortYardConfig {
  const { dir, server, engine, name, targets } = options;
  return configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
    testServers: { [name]: { engine, host: '127.0.0.1', port: server.port, user: server.user } },
    targets,
  });
}
