import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSchema, type Manifest, type TargetConfig } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupTarget } from '../src/backup/backup-target.ts';
import type { NewestArtifact } from '../src/backup/backup-database.ts';
import { createCatalog } from '../src/catalog/catalog.ts';
import { createPostgresEngine } from '../src/engines/postgres/postgres-engine.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import type { PutResult, Storage } from '../src/storage/storage.ts';
import { filesBelow, localPostgres } from './harness/temp-agent.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * Skip-if-unchanged relies on the previous artifact being where this run would write: a storage
 * it never reached (an offsite added to the target, or one whose upload failed) must get a copy,
 * else it holds nothing of this state for as long as the database does not change.
 */
const db = uniqueName('py_t_skipdest');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-skipdest-'));
  await postgresExec(`CREATE DATABASE ${db}`);
  await postgresExec('CREATE TABLE t (v int); INSERT INTO t VALUES (1)', db);
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

/**
 * A filesystem storage in `dir/<folder>` standing for a remote store (no file to hand zstd),
 * whose data object puts do `putData` (the fault), while its manifests are stored as usual.
 */
function faultyRemote(
  name: string,
  folder: string,
  putData: (real: Storage, ...put: Parameters<Storage['put']>) => Promise<PutResult>,
): Storage {
  const real = createFilesystemStorage({ name, root: join(dir, folder) });
  return {
    ...real,
    openFileWriter: undefined,
    put: (key, body, options) =>
      key.endsWith('.manifest.json') ? real.put(key, body, options) : putData(real, key, body, options),
  };
}

/** The database's target writing to `destinations`, with skipIfUnchanged (and `settings`). */
function skippingTarget(destinations: string[], settings: object = {}): TargetConfig {
  return targetSchema.parse({
    ...localPostgres,
    databases: [db],
    destinations,
    skipIfUnchanged: true,
    ...settings,
  });
}

/** What backupTarget needs to back the database up to `storages`. */
function depsFor(storages: Storage[]) {
  return { engine: createPostgresEngine(), storages, agentVersion: 'test' };
}

/** The newest artifact and where it is whole, from the manifests in `storages`, as the daemon asks. */
async function newestIn(
  storages: readonly Storage[],
): Promise<(database: string) => NewestArtifact | undefined> {
  const catalog = createCatalog(storages);
  await catalog.refresh();
  return (database) => {
    const entry = catalog.list({ target: 't', database })[0];
    return (
      entry && { manifest: entry.manifest, storages: entry.locations.map((location) => location.storage) }
    );
  };
}

describe('skip if unchanged, when the previous artifact is gone from storage', () => {
  // The daemon's catalog is read at start, on reload and after retention: runs went on skipping
  // "since" an artifact deleted meanwhile, while no backup of the database existed.
  it('backs up instead of skipping on an artifact the catalog still lists', { timeout: 60_000 }, async () => {
    const local = createFilesystemStorage({ name: 'local', root: join(dir, 'gone') });
    const target = skippingTarget(['local']);
    const deps = depsFor([local]);
    expect((await backupTarget(deps, { targetName: 't', target })).status).toBe('succeeded');
    const newest = await newestIn([local]); // read now, as the daemon's catalog was
    await rm(join(dir, 'gone'), { recursive: true });
    const run = await backupTarget(deps, { targetName: 't', target, skipIfUnchanged: { newest } });
    expect(run.status).toBe('succeeded');
    expect((await filesBelow(join(dir, 'gone'))).filter((f) => f.endsWith('.manifest.json'))).toHaveLength(1);
  });
});

describe('skip if unchanged, when a storage cannot say whether it still holds the artifact', () => {
  it('backs up: a backup costs less than a lost state', { timeout: 60_000 }, async () => {
    const healthy = createFilesystemStorage({ name: 'local', root: join(dir, 'unsure') });
    let statFails = false;
    const local: Storage = {
      ...healthy,
      stat: (key) => (statFails ? Promise.reject(new Error('ETIMEDOUT')) : healthy.stat(key)),
    };
    const target = skippingTarget(['local']);
    const deps = depsFor([local]);
    expect((await backupTarget(deps, { targetName: 't', target })).status).toBe('succeeded');
    const newest = await newestIn([healthy]);
    expect((await backupTarget(deps, { targetName: 't', target, skipIfUnchanged: { newest } })).status).toBe(
      'skipped',
    );
    statFails = true;
    const run = await backupTarget(deps, { targetName: 't', target, skipIfUnchanged: { newest } });
    expect(run.status).not.toBe('skipped');
  });
});

describe('skip if unchanged, with a destination the previous artifact is not in', () => {
  it('backs up to reach it, then skips again', { timeout: 60_000 }, async () => {
    const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
    const offsite = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite') });
    const target = (destinations: string[]) => skippingTarget(destinations);
    const engine = createPostgresEngine();
    const first = await backupTarget(
      { engine, storages: [local], agentVersion: 'test' },
      { targetName: 't', target: target(['local']) },
    );
    expect(first.status).toBe('succeeded');

    // The offsite storage is added; nothing changed in the database.
    const both = { engine, storages: [local, offsite], agentVersion: 'test' };
    const second = await backupTarget(both, {
      targetName: 't',
      target: target(['local', 'offsite']),
      skipIfUnchanged: { newest: await newestIn([local, offsite]) },
    });
    expect(second.status).toBe('succeeded');
    expect((await filesBelow(join(dir, 'offsite'))).filter((f) => f.endsWith('.manifest.json'))).toHaveLength(
      1,
    );

    const third = await backupTarget(both, {
      targetName: 't',
      target: target(['local', 'offsite']),
      skipIfUnchanged: { newest: await newestIn([local, offsite]) },
    });
    expect(third.status).toBe('skipped');
  });

  // The manifest is written before each storage's own manifest is: where one failed, the other
  // storages' copies still say that storage is committed. Where the artifact is whole is what
  // the storages hold (the catalog's locations), not what its manifest says.
  it(
    'backs up again to a storage whose manifest failed, though the manifest says it is there',
    { timeout: 60_000 },
    async () => {
      const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local2') });
      const healthy = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite2') });
      let failManifest = true;
      const offsite: Storage = {
        ...healthy,
        put: (key, body, options) => {
          if (!failManifest || !key.endsWith('.manifest.json')) return healthy.put(key, body, options);
          failManifest = false;
          body.resume();
          return Promise.reject(Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' }));
        },
      };
      const deps = depsFor([local, offsite]);
      const target = skippingTarget(['local', 'offsite']);
      const first = await backupTarget(deps, { targetName: 't', target });
      expect(first.status).toBe('partial');
      const [manifestFile] = (await filesBelow(join(dir, 'local2'))).filter((f) =>
        f.endsWith('.manifest.json'),
      );
      const written = JSON.parse(await readFile(join(dir, 'local2', manifestFile!), 'utf8')) as Manifest;
      expect(written.destinations).toContainEqual({ storage: 'offsite', committed: true });
      expect(await filesBelow(join(dir, 'offsite2'))).toEqual([]);

      const second = await backupTarget(deps, {
        targetName: 't',
        target,
        skipIfUnchanged: { newest: await newestIn([local, offsite]) },
      });
      expect(second.status).toBe('succeeded');
      expect(
        (await filesBelow(join(dir, 'offsite2'))).filter((f) => f.endsWith('.manifest.json')),
      ).toHaveLength(1);
    },
  );
});

describe('skip if unchanged, after the target changed how it stores', () => {
  it(
    'backs up once in the new compression, encryption or dump format, then skips again',
    { timeout: 60_000 },
    async () => {
      const local = createFilesystemStorage({ name: 'local', root: join(dir, 'settings') });
      const recipient = execFileSync('age-keygen', { encoding: 'utf8' }).match(/public key: (age1\w+)/)![1]!;
      const target = (settings: object) => skippingTarget(['local'], settings);
      const manifests: Manifest[] = [];
      const deps = {
        engine: createPostgresEngine(),
        storages: [local],
        agentVersion: 'test',
        onArtifact: (manifest: Manifest) => void manifests.push(manifest),
      };
      const run = async (settings: object) =>
        backupTarget(deps, {
          targetName: 't',
          target: target(settings),
          skipIfUnchanged: { newest: await newestIn([local]) },
        });

      expect((await run({ compression: 'zstd' })).status).toBe('succeeded');
      expect((await run({ compression: 'zstd' })).status).toBe('skipped');
      expect((await run({ compression: 'gzip' })).status).toBe('succeeded');
      expect((await run({ compression: 'gzip' })).status).toBe('skipped');
      const encrypted = { compression: 'gzip', encryption: { recipients: [recipient] } };
      expect((await run(encrypted)).status).toBe('succeeded');
      expect(manifests.at(-1)!.encryption).toMatchObject({ recipients: [recipient] });
      expect((await run(encrypted)).status).toBe('skipped');
      // A quiet database kept its custom-format dump after the target asked for plain SQL.
      const plain = { ...encrypted, dumpFormat: 'plain' };
      expect((await run(plain)).status).toBe('succeeded');
      expect(manifests.at(-1)!.dumpFormat).toBe('pg-plain');
      expect((await run(plain)).status).toBe('skipped');
    },
  );
});

// A store that answers "stored" and keeps nothing (a proxy, a misbehaving S3-compatible store):
// its copy is checked (stat) before any manifest is written, and it gets none.
describe('a storage that acknowledges the data object but keeps nothing', () => {
  it(
    'gets no manifest: the run is partial beside a good copy, failed alone',
    { timeout: 60_000 },
    async () => {
      const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local3') });
      const lossy = faultyRemote('lossy', 'lossy3', async (_real, _key, body) => {
        for await (const chunk of body) void chunk; // read to the end, keep nothing
        return { bytes: 0 };
      });
      const target = (destinations: string[]) =>
        targetSchema.parse({ ...localPostgres, databases: [db], destinations });
      const engine = createPostgresEngine();

      const both = await backupTarget(
        { engine, storages: [local, lossy], agentVersion: 'test' },
        { targetName: 't', target: target(['local', 'lossy']) },
      );
      expect(both.status).toBe('partial');
      expect(both.artifacts[0]!.destinations).toEqual([
        { storage: 'local', committed: true },
        {
          storage: 'lossy',
          committed: false,
          error: 'the storage acknowledged the data object, but does not hold it',
        },
      ]);
      expect(await filesBelow(join(dir, 'lossy3'))).toEqual([]);
      const [manifestFile] = (await filesBelow(join(dir, 'local3'))).filter((f) =>
        f.endsWith('.manifest.json'),
      );
      const written = JSON.parse(await readFile(join(dir, 'local3', manifestFile!), 'utf8')) as Manifest;
      expect(written.destinations).toContainEqual(
        expect.objectContaining({ storage: 'lossy', committed: false }),
      );

      const alone = await backupTarget(
        { engine, storages: [lossy], agentVersion: 'test' },
        { targetName: 't', target: target(['lossy']) },
      );
      expect(alone.status).toBe('failed');
      expect(alone.failures[0]).toMatchObject({
        code: 'STORAGE_FAILED',
        message: 'lossy: the storage acknowledged the data object, but does not hold it',
      });
      expect(await filesBelow(join(dir, 'lossy3'))).toEqual([]);
    },
  );
});

// A put whose commit happened but whose answer was lost (an S3 CompleteMultipartUpload retried
// into an error): it fails, and the object it made must not stay where the run says none is.
describe('a storage whose put stored the object but failed', () => {
  it(
    'is left without it: the run is partial, the failed storage holds nothing',
    { timeout: 60_000 },
    async () => {
      const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local4') });
      const lost = faultyRemote('lost', 'lost4', async (real, key, body, options) => {
        await real.put(key, body, options);
        throw new Error('CompleteMultipartUpload: HTTP 500 (3 attempts)');
      });
      const result = await backupTarget(
        { engine: createPostgresEngine(), storages: [local, lost], agentVersion: 'test' },
        {
          targetName: 't',
          target: targetSchema.parse({ ...localPostgres, databases: [db], destinations: ['local', 'lost'] }),
        },
      );
      expect(result.status).toBe('partial');
      expect(await filesBelow(join(dir, 'lost4'))).toEqual([]);
      expect(
        (await filesBelow(join(dir, 'local4'))).filter((f) => f.endsWith('.manifest.json')),
      ).toHaveLength(1);
    },
  );
});
