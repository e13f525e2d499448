import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresExec } from '../harness/sql.ts';
import { startTestServer, type TestServer } from '../servers/test-servers.ts';
import {
  backedUp,
  drillDatabases,
  drillDir,
  drillName,
  dropDrillDatabase,
  expectSameData,
  loadDrillSample,
  writeConfig,
} from './drill.ts';

/**
 * The database server comes back empty (a new data directory): restore the backups into a
 * throwaway server started for this test. Data restores; a PostgreSQL dump whose objects belong to
 * roles the new server lacks fails with an explanation; verification on a test server tells a good
 * artifact from a damaged one.
 */
const sources = { mariadb: drillName('fs_sakila'), postgres: drillName('fs_pagila') };
const rolesDb = drillName('fs_roles');
const owner = drillName('owner');
const reader = drillName('reader');
let drill: { dir: string; cleanup(): Promise<void> };
let maria: TestServer;
let postgres: TestServer;
const ids = { maria: '', pg: '', roles: '' };

beforeAll(async () => {
  drill = await drillDir();
  [maria, postgres] = await Promise.all([startTestServer('mariadb'), startTestServer('postgres')]);
  await Promise.all([
    loadDrillSample('mariadb', sources.mariadb),
    loadDrillSample('postgres', sources.postgres),
  ]);
  await postgresExec(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${reader}`);
  await postgresExec(`CREATE DATABASE ${rolesDb} OWNER ${owner}`);
  await postgresExec(
    `SET ROLE ${owner}; CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100);
     GRANT SELECT ON t TO ${reader}`,
    rolesDb,
  );
  const local = { destinations: ['local'] };
  const storages = { local: { type: 'filesystem', path: join(drill.dir, 'backups') } };
  const cli = await writeConfig(join(drill.dir, 'old.json'), {
    storages,
    targets: {
      maria: { engine: 'mariadb', host: '127.0.0.1', user: 'root', databases: [sources.mariadb], ...local },
      pg: {
        engine: 'postgres',
        host: '127.0.0.1',
        user: 'postgres',
        databases: [sources.postgres],
        ...local,
      },
      roles: { engine: 'postgres', host: '127.0.0.1', user: 'postgres', databases: [rolesDb], ...local },
    },
  });
  for (const target of Object.keys(ids) as (keyof typeof ids)[])
    ids[target] = backedUp(await cli('backup', target, '--json'));
}, 240_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), postgres?.stop()]);
  await dropDrillDatabase('mariadb', sources.mariadb).catch(() => undefined);
  await dropDrillDatabase('postgres', sources.postgres).catch(() => undefined);
  await dropDrillDatabase('postgres', rolesDb).catch(() => undefined);
  await postgresExec(`DROP ROLE IF EXISTS ${reader}; DROP ROLE IF EXISTS ${owner}`).catch(() => undefined);
  await drill?.cleanup();
});

/** The same storage and targets, now pointing at the rebuilt servers. */
async function rebuiltConfig(extra: Record<string, unknown> = {}) {
  const old = JSON.parse(await readFile(join(drill.dir, 'old.json'), 'utf8')) as {
    storages: object;
    targets: Record<string, { engine: string }>;
  };
  const targets = Object.fromEntries(
    Object.entries(old.targets).map(([name, target]) => [
      name,
      { ...target, port: (target.engine === 'mariadb' ? maria : postgres).port },
    ]),
  );
  return writeConfig(join(drill.dir, 'rebuilt.json'), { storages: old.storages, targets, ...extra });
}

describe('4. the server comes back with an empty data directory', () => {
  it('restores Sakila and Pagila under their own names, equal to the source', async () => {
    const cli = await rebuiltConfig();
    for (const [target, engine] of [
      ['maria', 'mariadb'],
      ['pg', 'postgres'],
    ] as const) {
      const restore = await cli('restore', ids[target]);
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stderr).toMatch(/creates database/);
      await expectSameData(engine, sources[engine], sources[engine], engine === 'mariadb' ? maria : postgres);
    }
  }, 120_000);

  it('a dump owned by a role the new server lacks: fails, names the role, says what to do, leaves nothing', async () => {
    const cli = await rebuiltConfig();
    const restore = await cli('restore', ids.roles);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`this server has no role ${owner}`);
    expect(restore.stderr).toMatch(/create the dump's roles first/);
    expect(await drillDatabases('postgres', rolesDb, postgres)).toEqual([]);
  }, 60_000);

  it('the same dump restores once the roles exist', async () => {
    const cli = await rebuiltConfig();
    const admin = `postgresql://postgres@127.0.0.1:${postgres.port}/postgres`;
    const { default: pg } = await import('pg');
    const client = new pg.Client(admin);
    await client.connect();
    try {
      await client.query(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${reader}`);
    } finally {
      await client.end();
    }
    const restore = await cli('restore', ids.roles);
    expect(restore.code, restore.stderr).toBe(0);
  }, 60_000);

  it('verification on a test server passes for a good artifact and fails for a flipped byte', async () => {
    const cli = await rebuiltConfig({
      testServers: { scratch: { engine: 'mariadb', host: '127.0.0.1', port: maria.port, user: 'root' } },
    });
    const config = JSON.parse(await readFile(join(drill.dir, 'rebuilt.json'), 'utf8')) as {
      targets: Record<string, object>;
    };
    config.targets.maria = { ...config.targets.maria, verify: { server: 'scratch' } };
    await writeFile(join(drill.dir, 'rebuilt.json'), JSON.stringify(config));
    const good = await cli('verify', ids.maria);
    expect(good.code, good.stdout + good.stderr).toBe(0);

    const folder = join(drill.dir, 'backups', 'maria', sources.mariadb);
    const data = join(
      folder,
      (await readdir(folder)).find((file) => file.endsWith('.sql.zst'))!,
    );
    const bytes = await readFile(data);
    bytes[bytes.length >> 1]! ^= 0x01;
    await writeFile(data, bytes);
    const bad = await cli('verify', ids.maria);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/INTEGRITY_FAILED|damaged/);
  }, 120_000);
});
