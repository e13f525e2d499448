import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortYardError, type Manifest } from '@port-yard/shared';
import { fakeManifest } from '../../test/harness/fake-artifacts.ts';
import { filesBelow } from '../../test/harness/temp-agent.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { createCatalog } from './catalog.ts';
import { sweepStorages } from './sweep-storages.ts';

/**
 * The sweep deletes only what is truly a leftover: data and sidecars without any manifest file,
 * older than the grace period. Data beside a manifest the scan could not use is an artifact.
 */
let dir: string;
let storage: Storage;

const now = new Date();
const graceMs = 24 * 3_600_000;
const hoursAgo = (hours: number): Date => new Date(now.getTime() - hours * 3_600_000);
const folder = 'shop/sales';
const orphanId = '2026-11-26T02-00-00Z_oooooooooo';
const artifactId = '2026-11-26T03-00-00Z_aaaaaaaaaa';

/** Writes an object and sets its modification time `hours` back. */
async function putAged(key: string, body: string, hours: number): Promise<void> {
  await storage.put(key, Readable.from([Buffer.from(body)]));
  await utimes(join(dir, ...key.split('/')), hoursAgo(hours), hoursAgo(hours));
}

/** Data, pin and verification of `id`, 48h old, with the manifest text given (none: an orphan). */
async function putArtifact(id: string, manifest: string | undefined): Promise<void> {
  await putAged(`${folder}/${id}.sql.zst`, `data of ${id}`, 48);
  await putAged(`${folder}/${id}.pin.json`, '{}', 48);
  await putAged(`${folder}/${id}.verification.json`, '{}', 48);
  if (manifest !== undefined) await putAged(`${folder}/${id}.manifest.json`, manifest, 48);
}

const manifestText = (overrides: Partial<Manifest> | Record<string, unknown>): string =>
  JSON.stringify({ ...fakeManifest(artifactId, Buffer.from(`data of ${artifactId}`)), ...overrides });

/** `storage` whose get of one key fails, as an S3 503 would. */
function failingGet(inner: Storage, failing: string): Storage {
  return {
    ...inner,
    get: async (key, options) => {
      if (key === failing)
        throw new PortYardError('STORAGE_FAILED', `storage "local": 503 Slow Down (${key})`);
      return inner.get(key, options);
    },
  };
}

async function sweep(scanned: Storage = storage): Promise<string[]> {
  const catalog = createCatalog([scanned]);
  const problems = await catalog.refresh();
  return sweepStorages({ storages: new Map([['local', storage]]), problems, graceMs, now });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-sweep-'));
  storage = createFilesystemStorage({ name: 'local', root: dir });
  await putArtifact(orphanId, undefined);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const orphanSwept = [
  `local:${folder}/${orphanId}.pin.json`,
  `local:${folder}/${orphanId}.sql.zst`,
  `local:${folder}/${orphanId}.verification.json`,
];
const artifactFiles = ['manifest.json', 'pin.json', 'sql.zst', 'verification.json'].map(
  (suffix) => `${folder}/${artifactId}.${suffix}`,
);

describe('sweepStorages', () => {
  it.each([
    ['cannot be read (its get fails)', manifestText({}), true],
    ['has formatVersion 2 (a newer agent)', manifestText({ formatVersion: 2 }), false],
    ['names another target than its folder', manifestText({ target: 'elsewhere' }), false],
  ])(
    'keeps data and sidecars whose manifest %s, and sweeps a real orphan',
    async (_case, manifest, getFails) => {
      await putArtifact(artifactId, manifest);
      const scanned = getFails ? failingGet(storage, `${folder}/${artifactId}.manifest.json`) : storage;
      expect((await sweep(scanned)).sort()).toEqual(orphanSwept);
      expect((await filesBelow(dir)).sort()).toEqual(artifactFiles);
    },
  );

  it('keeps a young orphan and a whole artifact', async () => {
    await putArtifact(artifactId, manifestText({}));
    await putAged(`${folder}/2026-11-26T04-00-00Z_yyyyyyyyyy.sql.zst`, 'still uploading?', 1);
    expect((await sweep()).sort()).toEqual(orphanSwept);
    expect(await filesBelow(dir)).toHaveLength(5);
  });

  it('deletes no orphan whose manifest appeared after the scan', async () => {
    const catalog = createCatalog([storage]);
    const problems = await catalog.refresh();
    await storage.put(`${folder}/${orphanId}.manifest.json`, Readable.from([Buffer.from('{}')]));
    expect(await sweepStorages({ storages: new Map([['local', storage]]), problems, graceMs, now })).toEqual(
      [],
    );
    expect(await filesBelow(dir)).toHaveLength(4);
  });

  it('leaves a storage the catalog could not list alone, temporary data included', async () => {
    // An interrupted put's temporary file (see filesystem-temp-name.ts), 48h old.
    const temporary = join(dir, folder, `.${orphanId}.sql.zst.0123456789ab.port-yard-tmp`);
    await writeFile(temporary, 'partial');
    await utimes(temporary, hoursAgo(48), hoursAgo(48));
    const problems = [{ storage: 'local', key: '', kind: 'listing-failed' as const, message: 'down' }];
    expect(await sweepStorages({ storages: new Map([['local', storage]]), problems, graceMs, now })).toEqual(
      [],
    );
    expect(await filesBelow(dir)).toHaveLength(4);
  });
});
