import { describe, expect, it } from 'vitest';
import type { Manifest, TargetConfig, TestServerConfig } from '@port-yard/shared';
import type { CatalogEntry } from '../catalog/catalog.ts';
import { artifactWithTarget, testServerFor } from './artifact-target.ts';

const manifest = { target: 'shop', engine: 'mariadb' } as Manifest;
const server = (engine: TestServerConfig['engine']) => ({ engine, host: '127.0.0.1' }) as TestServerConfig;
const verify = { key: 'verify.server', name: undefined, verb: 'verifies on' } as const;

describe('testServerFor without a configured server', () => {
  it('names the setting and the test servers that could load the artifact', () => {
    const servers = { maria: server('mariadb'), mysql8: server('mysql'), pg: server('postgres') };
    expect(() => testServerFor(servers, manifest, verify)).toThrow(
      'target shop has no verify.server: set targets.shop.verify.server to one of testServers (maria, mysql8)',
    );
  });

  it('says when no test server of that engine exists yet', () => {
    expect(() => testServerFor({ pg: server('postgres') }, manifest, verify)).toThrow(
      'target shop has no verify.server: set targets.shop.verify.server to a mariadb server added under testServers (none is there yet)',
    );
  });
});

describe('artifactWithTarget', () => {
  // `constructor` is a valid target name, and every plain object has one: only the config's own
  // targets count.
  it('finds no target for an artifact of a target named like an object property', () => {
    const entry = { manifest: { artifactId: 'a1', target: 'constructor' } } as unknown as CatalogEntry;
    const targets: Record<string, TargetConfig> = {};
    expect(() => artifactWithTarget({ get: () => entry }, targets, 'a1')).toThrow(
      'artifact a1 belongs to target constructor, which is not in the config',
    );
  });
});
