import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortYardError, type Manifest } from '@port-yard/shared';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { createCatalog } from './catalog.ts';
import { fakeManifest, putFakeArtifact } from '../../test/harness/fake-artifacts.ts';

/** The catalog is rebuilt from storage alone; anything odd there is reported, never fatal. */
let dir: string;
let storage: Storage;

const manifestFor = fakeManifest;

const put = (key: string, body: string | Buffer) => storage.put(key, Readable.from([Buffer.from(body)]));

async function putArtifact(artifactId: string, overrides: Partial<Manifest> = {}): Promise<Manifest> {
  const data = Buffer.from(`data of ${artifactId}`);
  const manifest = manifestFor(artifactId, data, overrides);
  await put(`${manifest.target}/${manifest.database}/${manifest.dataObject}`, data);
  await put(`${manifest.target}/${manifest.database}/${artifactId}.manifest.json`, JSON.stringify(manifest));
  return manifest;
}

/** `inner` whose `list` rejects while `down()` says so, as a NAS off the network would. */
function unlistable(inner: Storage, down: () => boolean): Storage {
  const failure = new PortYardError('STORAGE_FAILED', `storage "${inner.name}": cannot list: EHOSTDOWN`);
  return {
    ...inner,
    list: (prefix) =>
      down()
        ? { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(failure) }) }
        : inner.list(prefix),
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-catalog-'));
  storage = createFilesystemStorage({ name: 'local', root: dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}-nas`, { recursive: true, force: true });
});

describe('catalog', () => {
  it('lists whole artifacts newest first, filtered by target and database', async () => {
    await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    await putArtifact('2026-11-26T04-00-00Z_bbbbbbbbbb', { startedAt: '2026-11-26T04:00:00.000Z' });
    await putArtifact('2026-11-26T05-00-00Z_cccccccccc', {
      target: 'blog',
      startedAt: '2026-11-26T05:00:00.000Z',
    });
    const catalog = createCatalog([storage]);
    expect(await catalog.refresh()).toEqual([]);
    expect(catalog.list().map((entry) => entry.manifest.artifactId)).toEqual([
      '2026-11-26T05-00-00Z_cccccccccc',
      '2026-11-26T04-00-00Z_bbbbbbbbbb',
      '2026-11-26T03-00-00Z_aaaaaaaaaa',
    ]);
    expect(catalog.list({ target: 'shop', database: 'sales' })).toHaveLength(2);
    expect(catalog.get('2026-11-26T04-00-00Z_bbbbbbbbbb')?.locations).toEqual([
      {
        storage: 'local',
        dataKey: 'shop/sales/2026-11-26T04-00-00Z_bbbbbbbbbb.sql.zst',
        manifestKey: 'shop/sales/2026-11-26T04-00-00Z_bbbbbbbbbb.manifest.json',
        sidecars: {},
      },
    ]);
  });

  it('reports foreign files, corrupt manifests, missing data and orphans, and keeps the good ones', async () => {
    await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    await put('README.txt', 'hello');
    await put('shop/sales/notes.txt', 'not ours');
    await put('shop/sales/2026-11-26T03-10-00Z_dddddddddd.manifest.json', '{ not json');
    await put(
      'shop/sales/2026-11-26T03-20-00Z_eeeeeeeeee.manifest.json',
      JSON.stringify({ formatVersion: 1, artifactId: 'x' }),
    );
    const missing = manifestFor('2026-11-26T03-30-00Z_ffffffffff', Buffer.from('gone'));
    await put('shop/sales/2026-11-26T03-30-00Z_ffffffffff.manifest.json', JSON.stringify(missing));
    await put('shop/sales/2026-11-26T03-40-00Z_gggggggggg.sql.zst', 'orphaned data');
    const moved = manifestFor('2026-11-26T03-50-00Z_hhhhhhhhhh', Buffer.from('x'), { target: 'elsewhere' });
    await put('shop/sales/2026-11-26T03-50-00Z_hhhhhhhhhh.manifest.json', JSON.stringify(moved));

    const catalog = createCatalog([storage]);
    const problems = await catalog.refresh();
    expect(catalog.list().map((entry) => entry.manifest.artifactId)).toEqual([
      '2026-11-26T03-00-00Z_aaaaaaaaaa',
    ]);
    const byKey = Object.fromEntries(problems.map((problem) => [problem.key, problem.kind]));
    expect(byKey).toEqual({
      'README.txt': 'foreign',
      'shop/sales/notes.txt': 'foreign',
      'shop/sales/2026-11-26T03-10-00Z_dddddddddd.manifest.json': 'corrupt-manifest',
      'shop/sales/2026-11-26T03-20-00Z_eeeeeeeeee.manifest.json': 'corrupt-manifest',
      'shop/sales/2026-11-26T03-30-00Z_ffffffffff.manifest.json': 'missing-data',
      'shop/sales/2026-11-26T03-40-00Z_gggggggggg.sql.zst': 'orphan-data',
      'shop/sales/2026-11-26T03-50-00Z_hhhhhhhhhh.manifest.json': 'corrupt-manifest',
    });
  });

  it('says that a manifest of a newer format needs a newer Port-Yard', async () => {
    const newer = { ...manifestFor('2026-11-26T03-00-00Z_aaaaaaaaaa', Buffer.from('x')), formatVersion: 2 };
    await put('shop/sales/2026-11-26T03-00-00Z_aaaaaaaaaa.manifest.json', JSON.stringify(newer));
    await put('shop/sales/2026-11-26T03-00-00Z_aaaaaaaaaa.sql.zst', 'x');
    const problems = await createCatalog([storage]).refresh();
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'corrupt-manifest',
        message:
          'manifest format 2 was written by a newer Port-Yard (this one reads format 1): upgrade Port-Yard to list and restore it',
      }),
    ]);
  });

  it('tells a manifest it could not read from a corrupt one', async () => {
    const manifest = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const failing: Storage = {
      ...storage,
      get: () =>
        Promise.reject(new PortYardError('STORAGE_FAILED', 'storage "local": cannot read: 503 SlowDown')),
    };
    const problems = await createCatalog([failing]).refresh();
    expect(problems).toEqual([
      {
        storage: 'local',
        key: `shop/sales/${manifest.artifactId}.manifest.json`,
        kind: 'unreadable-manifest',
        message: 'manifest could not be read: storage "local": cannot read: 503 SlowDown',
      },
    ]);
  });

  it('says which storages a refresh still waits for, once, while it waits', async () => {
    await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const answer = Promise.withResolvers<void>();
    const hung: Storage = {
      ...storage,
      name: 'offsite',
      list: async function* (prefix) {
        await answer.promise;
        yield* storage.list(prefix);
      },
    };
    const reports: (readonly string[])[] = [];
    const refreshed = createCatalog([storage, hung]).refresh({
      afterMs: 50,
      report: (storages) => reports.push(storages),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reports).toEqual([['offsite']]);
    answer.resolve();
    expect(await refreshed).toEqual([]);
    expect(reports).toHaveLength(1);
  });

  it('merges copies of one artifact held by several storages', async () => {
    const second = createFilesystemStorage({
      name: 'offsite',
      root: join(dir, '..', `${dir.split('/').pop()}-2`),
    });
    const manifest = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const data = Buffer.from(`data of ${manifest.artifactId}`);
    await second.put(`shop/sales/${manifest.dataObject}`, Readable.from([data]));
    await second.put(
      `shop/sales/${manifest.artifactId}.manifest.json`,
      Readable.from([Buffer.from(JSON.stringify(manifest))]),
    );
    const catalog = createCatalog([storage, second]);
    await catalog.refresh();
    expect(catalog.get(manifest.artifactId)?.locations.map((location) => location.storage)).toEqual([
      'local',
      'offsite',
    ]);
    await rm(second.location, { recursive: true, force: true });
  });

  it('remembers a verification outcome until that sidecar is replaced or removed', async () => {
    const { artifactId } = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const catalog = createCatalog([storage]);
    await catalog.refresh();
    const ok = () => catalog.get(artifactId)!.locations[0]!.verificationOk;
    // Only a location that has a verification sidecar can remember its outcome.
    catalog.rememberVerification(artifactId, 'local', true);
    expect(ok()).toBeUndefined();
    catalog.setSidecar(artifactId, 'local', 'verification', 'x.verification.json');
    catalog.rememberVerification(artifactId, 'local', false);
    expect(ok()).toBe(false);
    expect(catalog.list()[0]!.locations[0]!.verificationOk).toBe(false);
    // A pin leaves it; a new verification sidecar makes it unknown again, as does its removal.
    catalog.setSidecar(artifactId, 'local', 'pin', 'x.pin.json');
    expect(ok()).toBe(false);
    catalog.setSidecar(artifactId, 'local', 'verification', 'x.verification.json');
    expect(ok()).toBeUndefined();
    catalog.rememberVerification(artifactId, 'local', true);
    catalog.setSidecar(artifactId, 'local', 'verification', undefined);
    expect(ok()).toBeUndefined();
  });

  it('reports a storage it cannot list and still refreshes the others', async () => {
    const nas = unlistable(createFilesystemStorage({ name: 'nas', root: `${dir}-nas` }), () => true);
    const { artifactId } = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const catalog = createCatalog([nas, storage]);
    const problems = await catalog.refresh();
    expect(problems).toEqual([
      {
        storage: 'nas',
        key: '',
        kind: 'listing-failed',
        message:
          'storage "nas" could not be listed (its artifacts are left out, or kept as last seen by a running agent): storage "nas": cannot list: EHOSTDOWN',
      },
    ]);
    expect(catalog.problems()).toEqual(problems);
    expect(catalog.list().map((entry) => entry.manifest.artifactId)).toEqual([artifactId]);
  });

  it('keeps the copies of a storage it cannot list as the last listing saw them', async () => {
    const inner = createFilesystemStorage({ name: 'nas', root: `${dir}-nas` });
    let down = false;
    const nas = unlistable(inner, () => down);
    const manifest = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    const onlyOnNas = await putFakeArtifact(inner, { startedAt: new Date('2026-11-26T04:00:00Z') });
    await putFakeArtifact(inner, {
      artifactId: manifest.artifactId,
      startedAt: new Date(manifest.startedAt),
    });
    await inner.put(`shop/sales/${manifest.artifactId}.pin.json`, Readable.from([Buffer.from('{}')]));
    const catalog = createCatalog([storage, nas]);
    await catalog.refresh();
    const before = catalog.list();

    down = true;
    expect((await catalog.refresh()).map((problem) => problem.kind)).toEqual(['listing-failed']);
    expect(catalog.list()).toEqual(before);
    expect(catalog.get(onlyOnNas.artifactId)?.locations.map((location) => location.storage)).toEqual(['nas']);
    expect(catalog.get(manifest.artifactId)?.locations[1]?.sidecars).toEqual({
      pin: `shop/sales/${manifest.artifactId}.pin.json`,
    });
  });

  it('keeps what was added and removed while a refresh read the storages (a backup and retention during a scheduled refresh)', async () => {
    const old = await putArtifact('2026-11-26T03-00-00Z_aaaaaaaaaa');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    // The listing waits until the changes below are made: the refresh's snapshot predates them.
    const slow: Storage = {
      ...storage,
      list: (prefix) => ({
        async *[Symbol.asyncIterator]() {
          const items = [];
          for await (const item of storage.list(prefix)) items.push(item);
          if (holding) await held;
          yield* items;
        },
      }),
    };
    const catalog = createCatalog([slow]);
    await catalog.refresh();
    holding = true;
    const refreshing = catalog.refresh();
    const fresh = await putArtifact('2026-11-26T04-00-00Z_bbbbbbbbbb', {
      startedAt: '2026-11-26T04:00:00.000Z',
    });
    const location = {
      storage: 'local',
      dataKey: `${fresh.target}/${fresh.database}/${fresh.dataObject}`,
      manifestKey: `${fresh.target}/${fresh.database}/${fresh.artifactId}.manifest.json`,
    };
    catalog.add(fresh, [location]);
    catalog.removeLocation(old.artifactId, 'local');
    release();
    await refreshing;
    expect(catalog.list().map((entry) => entry.manifest.artifactId)).toEqual([fresh.artifactId]);
    expect(catalog.get(fresh.artifactId)?.locations).toHaveLength(1);
  });
});
