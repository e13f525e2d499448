import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { targetSchema } from '@port-yard/shared';
import type { Manifest, TargetConfig, TestServerConfig } from '@port-yard/shared';
import { putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { createCatalog } from '../catalog/catalog.ts';
import type { CatalogEntry } from '../catalog/catalog.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
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

describe('artifactWithTarget with a real catalog', () => {
  let dir: string;
  let local: Storage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-test-artifact-target-'));
    local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const targets = {
    shop: targetSchema.parse({ engine: 'mariadb', user: 'u', databases: ['sales'], destinations: ['local'] }),
  };

  it('finds a whole artifact with its target', async () => {
    const manifest = await putFakeArtifact(local, { startedAt: new Date('2026-11-26T03:00:00Z') });
    const catalog = createCatalog([local]);
    await catalog.refresh();
    expect(artifactWithTarget(catalog, targets, manifest.artifactId).manifest).toEqual(manifest);
  });

  it('says why an artifact whose files are there is not one (a damaged manifest)', async () => {
    const manifest = await putFakeArtifact(local, { startedAt: new Date('2026-11-26T03:00:00Z') });
    const key = `shop/sales/${manifest.artifactId}.manifest.json`;
    await local.put(key, Readable.from([Buffer.from('{ "formatVersion": 1, "artifactId": "cut off')]));
    const catalog = createCatalog([local]);
    await catalog.refresh();
    expect(() => artifactWithTarget(catalog, targets, manifest.artifactId)).toThrow(
      `no artifact ${manifest.artifactId} in any storage; its files are there but not a whole artifact: storage "local": ${key}: manifest is not JSON`,
    );
    // An id with no files at all: just not there.
    expect(() => artifactWithTarget(catalog, targets, '2026-11-26T04-00-00Z_aaaaaaaaaa')).toThrow(
      /^no artifact 2026-11-26T04-00-00Z_aaaaaaaaaa in any storage$/,
    );
  });
});
