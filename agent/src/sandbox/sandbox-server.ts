import type { EngineName, SandboxSummary, TargetConfig, TestServerConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import type { Engine } from '../engines/engine.ts';
import { engineFamily, type EngineFamily } from '../verify/engine-family.ts';
import { createSandboxAccounts, type SandboxAccounts } from './sandbox-accounts.ts';
import { createSandboxRegistry, type SandboxRecord, type SandboxRegistry } from './sandbox-registry.ts';

/** What listing, extending, destroying and expiring sandboxes need: the config and a clock. */
export interface SandboxServerDeps {
  readonly engineFor: (engine: EngineName) => Engine;
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly testServers: Readonly<Record<string, TestServerConfig>>;
  readonly now?: () => Date;
}

/** One test server as sandboxes see it: its engine, registry and accounts, and its public address. */
export interface SandboxServer {
  readonly name: string;
  readonly config: TestServerConfig;
  readonly family: EngineFamily;
  readonly engine: Engine;
  readonly registry: SandboxRegistry;
  readonly accounts: SandboxAccounts;
  /** Where developers connect: `publicHost`/`publicPort`, else the server's own address. */
  readonly host: string;
  readonly port: number;
}

export function openSandboxServer(deps: SandboxServerDeps, name: string): SandboxServer {
  const config = deps.testServers[name];
  if (!config) throw new PortYardError('INVALID_INPUT', `no test server ${name} in testServers`);
  const engine = deps.engineFor(config.engine);
  const family = engineFamily(config.engine);
  return {
    name,
    config,
    family,
    engine,
    registry: createSandboxRegistry(family, config),
    accounts: createSandboxAccounts(family, config),
    host: config.publicHost ?? config.host ?? (config.socket ? 'localhost' : '127.0.0.1'),
    port: config.publicPort ?? config.port ?? engine.defaultPort,
  };
}

/** The test servers some target deploys sandboxes to (`sandbox.server`), each once, that exist. */
export function sandboxServerNames(deps: Pick<SandboxServerDeps, 'targets' | 'testServers'>): string[] {
  const names = Object.values(deps.targets).flatMap((target) =>
    target.sandbox ? [target.sandbox.server] : [],
  );
  return [...new Set(names)].filter((name) => Object.hasOwn(deps.testServers, name)).sort();
}

export function sandboxSummary(record: SandboxRecord, server: SandboxServer): SandboxSummary {
  return {
    id: record.id,
    server: server.name,
    target: record.target,
    artifactId: record.artifactId,
    database: record.database,
    user: record.user,
    host: server.host,
    port: server.port,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    createdBy: record.createdBy,
    status: record.status,
  };
}
