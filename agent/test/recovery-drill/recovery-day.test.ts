import { cp, mkdir, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDatabases, describeDatabase } from '../support/database-fingerprint.ts';
import { useS3rver, type RunningS3rver } from '../s3/s3rver.ts';
import { freePort } from '../servers/test-servers.ts';
import { spawnServe } from './serve.ts';
import {
  ageIdentity,
  backedUp,
  drillDatabases,
  drillDir,
  drillName,
  dropDrillDatabase,
  expectSameData,
  listed,
  loadDrillSample,
  writeConfig,
} from './drill.ts';

/**
 * Recovery day, against the real servers and the real CLI: a machine with nothing but the YAML
 * file and the backup storage (a folder copied elsewhere, an S3 bucket), then the same with one
 * storage down, then with damaged storage.
 */
const s3rver = useS3rver();
const sources = { mariadb: drillName('src_sakila'), postgres: drillName('src_pagila') };
const restoredPrefix = `${drillName('r')}_`;
let drill: { dir: string; cleanup(): Promise<void> };
let s3: RunningS3rver;
let storages: Record<string, unknown>;
let targets: Record<string, unknown>;
const ids: Record<'maria' | 'pg' | 'mariaenc' | 'pgenc', string> = {
  maria: '',
  pg: '',
  mariaenc: '',
  pgenc: '',
};
const backups = (): string => join(drill.dir, 'backups');
const restoredName = (what: string): string => `${restoredPrefix}${what}`;

beforeAll(async () => {
  drill = await drillDir();
  s3 = await s3rver();
  const age = await ageIdentity(drill.dir);
  await Promise.all([
    loadDrillSample('mariadb', sources.mariadb),
    loadDrillSample('postgres', sources.postgres),
  ]);
  const maria = {
    engine: 'mariadb',
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    databases: [sources.mariadb],
  };
  const pg = {
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    user: 'postgres',
    databases: [sources.postgres],
  };
  const encryption = { recipients: [age.recipient], identityFile: age.identityFile };
  const everywhere = { destinations: ['local', 's3'] };
  targets = {
    maria: { ...maria, ...everywhere },
    pg: { ...pg, ...everywhere },
    mariaenc: { ...maria, ...everywhere, encryption },
    pgenc: { ...pg, ...everywhere, encryption },
  };
  storages = {
    local: { type: 'filesystem', path: backups() },
    s3: {
      type: 's3',
      bucket: s3.bucket,
      prefix: 'drill/',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: '${PY_DRILL_S3_SECRET}',
    },
  };
  process.env.PY_DRILL_S3_SECRET = s3.secretAccessKey;
  const cli = await writeConfig(join(drill.dir, 'primary.json'), { storages, targets });
  for (const target of Object.keys(ids) as (keyof typeof ids)[])
    ids[target] = backedUp(await cli('backup', target, '--json'));
}, 240_000);

afterAll(async () => {
  for (const engine of ['mariadb', 'postgres'] as const) {
    await dropDrillDatabase(engine, sources[engine]).catch(() => undefined);
    for (const name of await drillDatabases(engine, restoredPrefix).catch(() => []))
      await dropDrillDatabase(engine, name);
  }
  await drill?.cleanup();
});

/** A config of only what survived: storages as given, the same targets. */
async function configWith(
  name: string,
  only: Record<string, unknown>,
  destinations: string[],
  extra: Record<string, unknown> = {},
) {
  const retargeted = Object.fromEntries(
    Object.entries(targets).map(([key, target]) => [key, { ...(target as object), destinations, ...extra }]),
  );
  return writeConfig(join(drill.dir, `${name}.json`), { storages: only, targets: retargeted });
}

describe('1. a fresh machine: only the config and the storage', () => {
  it('lists every artifact and restores plain and age-encrypted Sakila and Pagila, equal to the source', async () => {
    const copied = join(drill.dir, 'copied-elsewhere');
    await cp(backups(), copied, { recursive: true });
    const fromFolder = await configWith('fresh-folder', { local: { type: 'filesystem', path: copied } }, [
      'local',
    ]);
    const fromS3 = await configWith('fresh-s3', { s3: storages.s3 }, ['s3']);
    for (const cli of [fromFolder, fromS3]) {
      const artifacts = listed(await cli('list', '--json'));
      expect(artifacts.map((artifact) => artifact.id).sort()).toEqual(Object.values(ids).sort());
    }
    const restores: [typeof fromFolder, keyof typeof ids, 'mariadb' | 'postgres'][] = [
      [fromFolder, 'maria', 'mariadb'],
      [fromS3, 'pg', 'postgres'],
      [fromS3, 'mariaenc', 'mariadb'],
      [fromFolder, 'pgenc', 'postgres'],
    ];
    for (const [cli, target, engine] of restores) {
      const into = restoredName(`fresh_${target}`);
      const result = await cli('restore', ids[target], '--to-database', into);
      expect(result.code, result.stderr).toBe(0);
      await expectSameData(engine, sources[engine], into);
    }
  }, 240_000);
});

describe('2. degraded: one of two storages unreachable', () => {
  it('S3 down: list, restore and serve work from the folder, naming the broken storage, no secret', async () => {
    const deadS3 = { ...(storages.s3 as object), endpoint: `http://127.0.0.1:${await freePort()}` };
    const cli = await configWith('s3-down', { local: storages.local, s3: deadS3 }, ['local', 's3']);
    // What the folder holds, and exit 1: the list is incomplete, which a script must not miss.
    const list = await cli('list', '--json');
    expect(list.code).toBe(1);
    expect(JSON.parse(list.stdout)).toHaveLength(4);
    expect(list.stderr).toMatch(/storage "s3" could not be listed/);
    expect(list.stderr).toMatch(/the list is incomplete/);
    const into = restoredName('s3down');
    const restore = await cli('restore', ids.pg, '--to-database', into);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/storage "s3" could not be listed/);
    await expectSameData('postgres', sources.postgres, into);

    const port = await freePort();
    const config = join(drill.dir, 's3-down-serve.json');
    const written = JSON.parse(await readFile(join(drill.dir, 's3-down.json'), 'utf8')) as object;
    await writeFile(config, JSON.stringify({ ...written, server: { host: '127.0.0.1', port } }));
    const serve = await spawnServe(config, port);
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/"storage":"s3","ok":false/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
    for (const output of [list.stdout, list.stderr, restore.stdout, restore.stderr, serve.output()])
      expect(output).not.toContain(s3.secretAccessKey);
  }, 120_000);

  it('the folder gone: list and restore work from S3', async () => {
    const gone = { type: 'filesystem', path: join(drill.dir, 'unmounted', 'backups') };
    const cli = await configWith('folder-gone', { local: gone, s3: storages.s3 }, ['local', 's3']);
    expect(listed(await cli('list', '--json'))).toHaveLength(4);
    const into = restoredName('fsgone');
    const restore = await cli('restore', ids.mariaenc, '--to-database', into);
    expect(restore.code, restore.stderr).toBe(0);
    await expectSameData('mariadb', sources.mariadb, into);
  }, 120_000);

  // An unmounted NAS looks exactly like a storage with no backups: list says the folder is missing.
  it('the folder gone: list notes that storage "local" has no folder', async () => {
    const gone = { type: 'filesystem', path: join(drill.dir, 'unmounted', 'backups') };
    const cli = await configWith('folder-gone', { local: gone, s3: storages.s3 }, ['local', 's3']);
    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.stderr).toContain(`note: storage "local": ${gone.path} does not exist`);
  });

  it('a damaged copy in one storage: the restore uses the good copy in the other and says so', async () => {
    const damaged = join(drill.dir, 'damaged-local');
    await cp(backups(), damaged, { recursive: true });
    await flipByte(await dataFile(damaged, 'maria', ids.maria));
    const cli = await configWith(
      'damaged-local',
      { local: { type: 'filesystem', path: damaged }, s3: storages.s3 },
      ['local', 's3'],
    );
    const into = restoredName('fallback');
    const restore = await cli('restore', ids.maria, '--to-database', into, '--json');
    expect(restore.code, restore.stderr).toBe(0);
    const result = JSON.parse(restore.stdout) as { warnings: string[] };
    expect(result.warnings.join('\n')).toMatch(
      /damaged.*storage local.*restored from the copy in storage s3/,
    );
    await expectSameData('mariadb', sources.mariadb, into);
    // Without --json, the same warning on stderr.
    const again = restoredName('fallbacktext');
    const text = await cli('restore', ids.maria, '--to-database', again);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/^warning: .*damaged.*storage local.*restored from the copy in storage s3/m);
  }, 120_000);

  // Streamed (restore.staging: false), a copy is checked only as it loads into the new database.
  it.for(['maria', 'pg'] as const)(
    'a damaged copy, streamed into a new database: the load is dropped and the good copy loads (%s)',
    { timeout: 120_000 },
    async (key) => {
      const damaged = join(drill.dir, `damaged-streamed-${key}`);
      await cp(backups(), damaged, { recursive: true });
      await flipByte(await dataFile(damaged, key, ids[key]));
      const cli = await configWith(
        `damaged-streamed-${key}`,
        { local: { type: 'filesystem', path: damaged }, s3: storages.s3 },
        ['local', 's3'],
        { restore: { staging: false } },
      );
      const into = restoredName(`streamed${key}`);
      const restore = await cli('restore', ids[key], '--to-database', into, '--json');
      expect(restore.code, restore.stderr).toBe(0);
      const result = JSON.parse(restore.stdout) as { warnings: string[] };
      expect(result.warnings.join('\n')).toMatch(
        /damaged.*storage local.*restored from the copy in storage s3/,
      );
      const engine = key === 'maria' ? 'mariadb' : 'postgres';
      await expectSameData(engine, sources[engine], into);
    },
  );
});

describe('2b. the wrong key', () => {
  it('a wrong age identity fails once, as a decryption error, not as "no storage holds a usable copy"', async () => {
    await mkdir(join(drill.dir, 'other-key'));
    const other = await ageIdentity(join(drill.dir, 'other-key'));
    const wrongKey = Object.fromEntries(
      Object.entries(targets).map(([key, target]) => [
        key,
        key.endsWith('enc')
          ? {
              ...(target as object),
              encryption: { recipients: [other.recipient], identityFile: other.identityFile },
            }
          : target,
      ]),
    );
    const cli = await writeConfig(join(drill.dir, 'wrong-key.json'), { storages, targets: wrongKey });
    const restore = await cli('restore', ids.mariaenc, '--to-database', restoredName('wrongkey'));
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('ENCRYPT_FAILED');
    expect(restore.stderr).not.toContain('no storage holds a usable copy');
    expect(restore.stderr).not.toContain('(the copy in storage');
  });
});

describe('3. storage tampering', () => {
  let cli: Awaited<ReturnType<typeof configWith>>;
  let folder: string;

  beforeAll(async () => {
    folder = join(drill.dir, 'tampered');
    await cp(backups(), folder, { recursive: true });
    cli = await configWith('tampered', { local: { type: 'filesystem', path: folder } }, ['local']);
    await flipByte(await dataFile(folder, 'maria', ids.maria));
    await truncate(await dataFile(folder, 'pg', ids.pg), 1000);
    await rm(join(await dataDir(folder, 'mariaenc'), `${ids.mariaenc}.manifest.json`));
    await rm(await dataFile(folder, 'pgenc', ids.pgenc));
    await writeFile(join(await dataDir(folder, 'maria'), `.${ids.maria}.sql.zst.tmp-1234`), 'half written');
  });

  it('list names each damaged file and lists only the whole-looking artifact', async () => {
    const list = await cli('list', '--json');
    expect(listed(list).map((artifact) => artifact.id)).toEqual([ids.maria]);
    expect(list.stderr).toMatch(new RegExp(`${ids.pg}.*has 1000 bytes, the manifest says`));
    expect(list.stderr).toMatch(new RegExp(`${ids.pgenc}.*is missing`));
    expect(list.stderr).toMatch(new RegExp(`${ids.mariaenc}.*data without a manifest`));
    expect(list.stderr).toMatch(/tmp-1234/);
  });

  it('a flipped byte: restore fails with INTEGRITY_FAILED naming the storage, and creates nothing', async () => {
    const into = restoredName('flipped');
    const restore = await cli('restore', ids.maria, '--to-database', into);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/INTEGRITY_FAILED.*damaged.*storage local/);
    expect(await drillDatabases('mariadb', into)).toEqual([]);
  }, 60_000);

  it('a flipped byte over the source: the source is untouched and no safety backup is taken', async () => {
    const before = await describeDatabase('mariadb', sources.mariadb);
    const restore = await cli('restore', ids.maria, '--yes');
    expect(restore.code, restore.stderr).toBe(1);
    expect(restore.stderr).toMatch(/INTEGRITY_FAILED/);
    expect(compareDatabases(before, await describeDatabase('mariadb', sources.mariadb))).toEqual([]);
    expect(listed(await cli('list', '--json')).map((artifact) => artifact.id)).toEqual([ids.maria]);
  }, 60_000);

  it('truncated, no manifest, no data: each restore refuses and creates nothing', async () => {
    for (const id of [ids.pg, ids.mariaenc, ids.pgenc]) {
      const restore = await cli('restore', id, '--to-database', restoredName('gone'));
      expect(restore.code, restore.stderr).not.toBe(0);
      expect(restore.stderr).toMatch(new RegExp(`no artifact ${id}`));
    }
    expect(await drillDatabases('mariadb', restoredName('gone'))).toEqual([]);
    expect(await drillDatabases('postgres', restoredName('gone'))).toEqual([]);
  }, 60_000);
});

async function dataDir(root: string, target: string): Promise<string> {
  const [database] = await readdir(join(root, target));
  return join(root, target, database!);
}

async function dataFile(root: string, target: string, id: string): Promise<string> {
  const dir = await dataDir(root, target);
  const name = (await readdir(dir)).find((file) => file.startsWith(id) && !file.endsWith('.json'));
  return join(dir, name!);
}

async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(path, bytes);
}
