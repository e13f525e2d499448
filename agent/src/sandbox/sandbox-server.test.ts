import { describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { createEngineRegistry, engineFor } from '../engines/engine-registry.ts';
import { openSandboxServer, sandboxServerNames } from './sandbox-server.ts';

const config = configSchema.parse({
  version: 1,
  storages: { local: { type: 'filesystem', path: '/tmp/unused' } },
  testServers: {
    scratch: {
      engine: 'mariadb',
      host: '10.0.0.5',
      port: 3307,
      user: 'root',
      publicHost: 'db.example',
      publicPort: 13307,
    },
    pgtest: { engine: 'postgres', host: '10.0.0.6', user: 'postgres' },
    unused: { engine: 'postgres', socket: '/run/postgresql', user: 'postgres' },
  },
  targets: {
    shop: {
      engine: 'mariadb',
      user: 'root',
      databases: ['shop'],
      destinations: ['local'],
      sandbox: { server: 'scratch' },
    },
    more: {
      engine: 'mariadb',
      user: 'root',
      databases: ['x'],
      destinations: ['local'],
      sandbox: { server: 'scratch' },
    },
    wh: {
      engine: 'postgres',
      user: 'postgres',
      databases: ['wh'],
      destinations: ['local'],
      sandbox: { server: 'pgtest' },
    },
    plain: { engine: 'postgres', user: 'postgres', databases: ['p'], destinations: ['local'] },
  },
});
const engines = createEngineRegistry();
const deps = { ...config, engineFor: (name: Parameters<typeof engineFor>[1]) => engineFor(engines, name) };

describe('sandbox test servers', () => {
  it('are the ones some target names in sandbox.server, each once', () => {
    expect(sandboxServerNames(deps)).toEqual(['pgtest', 'scratch']);
  });

  it('give developers publicHost/publicPort, else the server address and the default port', () => {
    expect(openSandboxServer(deps, 'scratch')).toMatchObject({
      family: 'mysql',
      host: 'db.example',
      port: 13307,
    });
    expect(openSandboxServer(deps, 'pgtest')).toMatchObject({
      family: 'postgres',
      host: '10.0.0.6',
      port: 5432,
    });
    expect(openSandboxServer(deps, 'unused')).toMatchObject({ host: 'localhost', port: 5432 });
  });
});
