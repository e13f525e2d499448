import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sidecarKey } from '../artifacts/artifact-keys.ts';
import { createCatalog, type Catalog } from '../catalog/catalog.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { fakeManifest } from '../../test/harness/fake-artifacts.ts';
import { summarizeArtifacts } from './artifact-summary.ts';

/**
 * The verification outcome the API reports when it must read the stored result (the verify test
 * covers results this agent wrote, and reading a good one after a restart): a result that cannot
 * be read says neither "verified" nor "failed", and is not remembered as either.
 */
const artifactId = '2026-11-26T03-00-00Z_aaaaaaaaaa';
let dir: string;
let storage: Storage;
let catalog: Catalog;

const put = (key: string, body: string | Buffer) => storage.put(key, Readable.from([Buffer.from(body)]));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-summary-'));
  storage = createFilesystemStorage({ name: 'local', root: dir });
  const data = Buffer.from('data');
  const manifest = fakeManifest(artifactId, data);
  await put(`${manifest.target}/${manifest.database}/${manifest.dataObject}`, data);
  await put(`${manifest.target}/${manifest.database}/${artifactId}.manifest.json`, JSON.stringify(manifest));
  catalog = createCatalog([storage]);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('summarizeArtifacts', () => {
  it('reports an unreadable verification result as neither passed nor failed', async () => {
    const { target, database } = fakeManifest(artifactId, Buffer.from('data'));
    await put(sidecarKey(target, database, artifactId, 'verification'), '{ not json');
    await catalog.refresh();
    const entry = catalog.get(artifactId)!;
    expect(entry.locations[0]!.sidecars?.verification).toBeDefined();

    const [summary] = await summarizeArtifacts({ catalog, storages: new Map([['local', storage]]) }, [entry]);
    expect(summary).toMatchObject({ verified: false, verificationFailed: false });
    expect(catalog.get(artifactId)!.locations[0]!.verificationOk).toBeUndefined();
  });

  it('reports an artifact never verified as neither, without reading anything', async () => {
    await catalog.refresh();
    const [summary] = await summarizeArtifacts({ catalog, storages: new Map() }, [catalog.get(artifactId)!]);
    expect(summary).toMatchObject({
      verified: false,
      verificationFailed: false,
      pinned: false,
      storages: ['local'],
    });
  });
});
