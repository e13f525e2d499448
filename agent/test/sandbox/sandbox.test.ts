import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type SandboxCredentials } from '@port-yard/shared';
import { createAgent, type Agent } from '../../src/main.ts';
import { withMariadb, withPostgres } from '../support/servers.ts';
import { uniqueName } from '../harness/sql.ts';
import { localPostgres } from '../harness/temp-agent.ts';
import { dropDatabase, loadSampleDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';
import {
  asSandboxUser,
  sandboxNames,
  sandboxTraces,
  startSandboxFixture,
  type Engine,
  type SandboxFixture,
} from './sandbox-fixture.ts';

/**
 * Developer sandboxes against real, separate test servers, for MariaDB and PostgreSQL: a sandbox
 * from a real backup (Chinook) that its user can log in to with the returned password and read,
 * masked; that user cannot reach any other database; a failing masking script leaves nothing;
 * list, extend, destroy; expiry with an injected clock; a registry that outlives the agent.
 */
let fixture: SandboxFixture;
let agent: Agent;
const artifacts: Partial<Record<Engine, string>> = {};
const hours = (count: number): number => count * 3_600_000;

beforeAll(async () => {
  fixture = await startSandboxFixture();
  agent = createAgent(fixture.config());
  for (const [engine, target] of [
    ['mariadb', 'maria'],
    ['postgres', 'pg'],
  ] as const) {
    const result = await agent.backup({ targetName: target });
    expect(result.status).toBe('succeeded');
    artifacts[engine] = result.artifacts[0]!.id;
  }
}, 120_000);

afterAll(async () => {
  await agent?.close();
  await fixture?.close();
});

const customerTable: Record<Engine, string> = { mariadb: 'Customer', postgres: 'customer' };
const emailColumn: Record<Engine, string> = { mariadb: 'Email', postgres: 'email' };

describe.each([
  ['mariadb', 'maria'],
  ['postgres', 'pg'],
] as const)('%s sandboxes', (engine, serverName) => {
  let a: SandboxCredentials;
  let b: SandboxCredentials;
  const server = () => fixture.servers[engine];

  it('creates a sandbox from a real backup: masked, and its user logs in with the returned password', async () => {
    const before = Date.now();
    a = await agent.createSandbox({ artifactId: artifacts[engine]!, createdBy: 'alice' });
    expect(a).toMatchObject({
      server: serverName,
      target: serverName,
      artifactId: artifacts[engine],
      database: a.id,
      user: a.id,
      host: '127.0.0.1',
      port: server().port,
      createdBy: 'alice',
      status: 'ready',
    });
    expect(a.id).toMatch(/^py_sbx_[0-9a-f]{10}$/);
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const scheme = engine === 'mariadb' ? 'mysql' : 'postgresql';
    expect(a.uri).toBe(`${scheme}://${a.id}:${a.password}@127.0.0.1:${server().port}/${a.id}`);
    const expires = new Date(a.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + hours(8));
    expect(expires).toBeLessThanOrEqual(Date.now() + hours(8));

    const { count, masked } = await asSandboxUser(engine, a, async (query) => {
      const [counted] = await query(`SELECT COUNT(*) AS n FROM ${customerTable[engine]}`);
      const emails = await query(`SELECT ${emailColumn[engine]} AS email FROM ${customerTable[engine]}`);
      return {
        count: Number(counted!['n']),
        masked: emails.every((row) => /^customer\d+@example\.invalid$/.test(String(row['email']))),
      };
    });
    expect(count).toBe(59);
    expect(masked).toBe(true);
    await expect(
      asSandboxUser(engine, { ...a, password: `${a.password}x` }, async () => 'in'),
    ).rejects.toThrow(/denied|authentication failed/i);
    expect(await sandboxTraces(engine, server(), a.id)).toEqual({ database: true, user: true, row: true });
  });

  it('the sandbox user can change its own database (create, alter, drop)', async () => {
    await asSandboxUser(engine, a, async (query) => {
      await query('CREATE TABLE scratch (id INT PRIMARY KEY)');
      await query('INSERT INTO scratch VALUES (1)');
      await query(`ALTER TABLE ${customerTable[engine]} ADD COLUMN note VARCHAR(20)`);
      await query(`UPDATE ${customerTable[engine]} SET note = 'mine'`);
      await query('DROP TABLE scratch');
    });
  });

  it('cannot read another sandbox, another database or the registry on the same server', async () => {
    b = await agent.createSandbox({ artifactId: artifacts[engine]!, ttl: '30m' });
    expect(new Date(b.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(hours(0.5));
    const other = uniqueName('py_t_other');
    if (engine === 'mariadb') {
      await withMariadb(server(), undefined, async (db) => {
        await db.query(`CREATE DATABASE ${other}`);
        await db.query(`CREATE TABLE ${other}.secret (v TEXT)`);
        await db.query(`INSERT INTO ${other}.secret VALUES ('no')`);
      });
      await asSandboxUser(engine, a, async (query) => {
        await expect(query(`SELECT * FROM ${b.id}.Customer`)).rejects.toThrow(/denied/i);
        await expect(query(`SELECT * FROM ${other}.secret`)).rejects.toThrow(/denied/i);
        await expect(query('SELECT * FROM port_yard.sandboxes')).rejects.toThrow(/denied/i);
        await expect(query('SELECT * FROM mysql.user')).rejects.toThrow(/denied/i);
        await expect(query(`CREATE DATABASE py_sbx_ffffffffff`)).rejects.toThrow(/denied/i);
        const names = (await query('SHOW DATABASES')).map((row) => String(Object.values(row)[0]));
        expect(names.sort()).toEqual(['information_schema', a.id].sort());
      });
      await expect(asSandboxUser(engine, { ...a, database: b.id }, async () => 'connected')).rejects.toThrow(
        /denied/i,
      );
    } else {
      await withPostgres(server(), 'postgres', (client) => client.query(`CREATE DATABASE ${other}`));
      await withPostgres(server(), other, (client) =>
        client.query(`CREATE TABLE secret (v text); INSERT INTO secret VALUES ('no')`),
      );
      // Another sandbox's database and the registry: not even a connection.
      for (const database of [b.id, 'port_yard'])
        await expect(asSandboxUser(engine, { ...a, database }, async () => 'connected')).rejects.toThrow(
          /permission denied for database/i,
        );
      // A database of the admin's (PUBLIC may connect, as PostgreSQL allows by default): no table access.
      await asSandboxUser(engine, { ...a, database: other }, async (query) => {
        await expect(query('SELECT * FROM secret')).rejects.toThrow(/permission denied/i);
        await expect(query('CREATE TABLE mine (id int)')).rejects.toThrow(/permission denied/i);
      });
      await asSandboxUser(engine, a, async (query) => {
        await expect(query('CREATE DATABASE py_sbx_ffffffffff')).rejects.toThrow(/permission denied/i);
        const [me] = await query(
          'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
        );
        expect(me).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      });
    }
    // B's own user reads B.
    await asSandboxUser(engine, b, async (query) => {
      expect((await query(`SELECT COUNT(*) AS n FROM ${customerTable[engine]}`))[0]!['n']).toBeDefined();
    });
  });

  it('a failing masking script fails the creation and leaves no database, user or registry row', async () => {
    const before = await sandboxNames(engine, server());
    const rowsBefore = (await agent.listSandboxes()).items.length;
    await expect(
      agent.createSandbox({ artifactId: await backUp(`${serverName}-badmask`) }),
    ).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: expect.stringContaining('masking SQL'),
    });
    expect(await sandboxNames(engine, server())).toEqual(before);
    expect((await agent.listSandboxes()).items).toHaveLength(rowsBefore);
  });

  it('lists, extends and destroys', async () => {
    const { items, problems } = await agent.listSandboxes();
    expect(problems).toEqual([]);
    const mine = items.filter((item) => item.server === serverName);
    expect(mine.map((item) => item.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    for (const item of mine) {
      expect(item).not.toHaveProperty('password');
      expect(item).not.toHaveProperty('uri');
      expect(JSON.stringify(item)).not.toContain(a.password);
    }
    expect(mine.find((item) => item.id === a.id)).toMatchObject({ createdBy: 'alice', status: 'ready' });

    const extended = await agent.extendSandbox(b.id, '2d');
    expect(new Date(extended.expiresAt).getTime()).toBeGreaterThan(Date.now() + hours(47));
    const listed = (await agent.listSandboxes()).items.find((item) => item.id === b.id);
    expect(listed?.expiresAt).toBe(extended.expiresAt);

    const destroyed = await agent.destroySandbox(b.id);
    expect(destroyed).toMatchObject({ id: b.id, server: serverName, status: 'dropped' });
    expect(await sandboxTraces(engine, server(), b.id)).toEqual({ database: false, user: false, row: false });
    await expect(agent.destroySandbox(b.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(agent.extendSandbox(b.id, '1h')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a ttl over sandbox.maxTtl (30d by default), creating nothing and changing nothing', async () => {
    const before = await sandboxNames(engine, server());
    await expect(agent.createSandbox({ artifactId: artifacts[engine]!, ttl: '31d' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'the ttl (--ttl; ttl in the API) 31d is longer than this target allows (sandbox.maxTtl: 30d)',
    });
    expect(await sandboxNames(engine, server())).toEqual(before);
    const expiresAt = (await agent.listSandboxes()).items.find((item) => item.id === a.id)?.expiresAt;
    await expect(agent.extendSandbox(a.id, '5w')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await agent.listSandboxes()).items.find((item) => item.id === a.id)?.expiresAt).toBe(expiresAt);
  });

  it('refuses to extend a sandbox still being created (its creation sets the expiry when it ends)', async () => {
    const id = 'py_sbx_0000c0ffee';
    const soon = new Date(Date.now() + hours(24));
    const row = [id, serverName, artifacts[engine]!, id, id, new Date(), soon, 'bob', 'creating'];
    if (engine === 'mariadb')
      await withMariadb(server(), 'port_yard', (db) =>
        db.query(
          `INSERT INTO sandboxes (id, target, artifact_id, database_name, user_name, created_at, expires_at, created_by, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          row,
        ),
      );
    else
      await withPostgres(server(), 'port_yard', (db) =>
        db.query(
          `INSERT INTO sandboxes (id, target, artifact_id, database_name, user_name, created_at, expires_at, created_by, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          row,
        ),
      );
    try {
      await expect(agent.extendSandbox(id, '1m')).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `sandbox ${id} is still being created: extend it once it is ready`,
      });
      const listed = (await agent.listSandboxes()).items.find((item) => item.id === id);
      expect(Math.abs(new Date(listed!.expiresAt).getTime() - soon.getTime())).toBeLessThan(1000);
    } finally {
      if (engine === 'mariadb')
        await withMariadb(server(), 'port_yard', (db) =>
          db.query('DELETE FROM sandboxes WHERE id = ?', [id]),
        );
      else
        await withPostgres(server(), 'port_yard', (db) =>
          db.query('DELETE FROM sandboxes WHERE id = $1', [id]),
        );
    }
  });

  it('expiry with an injected clock drops the database, the user and the row; nothing before', async () => {
    expect((await agent.expireSandboxes(new Date())).dropped.map((item) => item.id)).not.toContain(a.id);
    expect(await sandboxTraces(engine, server(), a.id)).toEqual({ database: true, user: true, row: true });

    const later = await agent.expireSandboxes(new Date(Date.now() + hours(9)));
    expect(later.problems).toEqual([]);
    expect(later.dropped.map((item) => item.id)).toContain(a.id);
    expect(await sandboxTraces(engine, server(), a.id)).toEqual({ database: false, user: false, row: false });
    await expect(asSandboxUser(engine, a, async () => 'in')).rejects.toThrow();
  });

  it('the registry lives on the test server: a fresh agent lists and destroys what another created', async () => {
    const first = createAgent(fixture.config());
    await first.catalog.refresh();
    const created = await first.createSandbox({ artifactId: artifacts[engine]!, createdBy: 'first' });
    await first.close();

    const second = createAgent(fixture.config());
    try {
      const listed = (await second.listSandboxes()).items.find((item) => item.id === created.id);
      expect(listed).toMatchObject({ server: serverName, createdBy: 'first', status: 'ready' });
      await second.destroySandbox(created.id);
      expect(await sandboxTraces(engine, server(), created.id)).toEqual({
        database: false,
        user: false,
        row: false,
      });
    } finally {
      await second.close();
    }
  });

  it('expiry also drops py_sbx_ databases and users that have no registry row', async () => {
    const orphan = 'py_sbx_abcdef0000';
    if (engine === 'mariadb')
      await withMariadb(server(), undefined, async (db) => {
        await db.query(`CREATE DATABASE ${orphan}`);
        await db.query(`CREATE USER '${orphan}'@'%'`);
      });
    else
      await withPostgres(server(), 'postgres', async (client) => {
        await client.query(`CREATE DATABASE ${orphan}`);
        await client.query(`CREATE ROLE ${orphan} LOGIN`);
      });
    const result = await agent.expireSandboxes(new Date());
    expect(result.orphans).toEqual([`${serverName}/database ${orphan}`, `${serverName}/user ${orphan}`]);
    expect(await sandboxNames(engine, server())).toEqual([]);
  });
});

describe('a PostgreSQL sandbox of pagila (types, domains, functions, partitions, materialized views)', () => {
  it('hands every object to the sandbox role, which can then use and change all of it', async () => {
    const source = uniqueDatabaseName('sandbox_pagila');
    await loadSampleDatabase('postgres', 'pagila', source);
    const input = fixture.configInput() as { targets: Record<string, unknown> };
    input.targets['pagila'] = { ...localPostgres, databases: [source], sandbox: { server: 'pg' } };
    const pagila = createAgent(configSchema.parse(input));
    try {
      const backup = await pagila.backup({ targetName: 'pagila' });
      expect(backup.status).toBe('succeeded');
      const sandbox = await pagila.createSandbox({ artifactId: backup.artifacts[0]!.id });
      const notOwned = await withPostgres(fixture.servers.postgres, sandbox.id, async (client) => {
        const notSystem = (alias: string) =>
          `${alias}.nspname NOT LIKE 'pg\\_%' AND ${alias}.nspname <> 'information_schema'`;
        const { rows } = await client.query(
          `SELECT 'relation ' || c.relname AS object FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${notSystem('n')} AND pg_get_userbyid(c.relowner) <> $1
           UNION ALL SELECT 'routine ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE ${notSystem('n')} AND pg_get_userbyid(p.proowner) <> $1
           UNION ALL SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE ${notSystem('n')} AND pg_get_userbyid(t.typowner) <> $1
           UNION ALL SELECT 'schema ' || n.nspname FROM pg_namespace n
             WHERE ${notSystem('n')} AND pg_get_userbyid(n.nspowner) NOT IN ($1, 'pg_database_owner')`,
          [sandbox.id],
        );
        return rows.map((row) => row.object);
      });
      expect(notOwned).toEqual([]);
      await asSandboxUser('postgres', sandbox, async (query) => {
        expect(await query('SELECT count(*)::int AS n FROM rental')).toEqual([{ n: 16044 }]);
        await query('REFRESH MATERIALIZED VIEW rental_by_category');
        expect((await query('SELECT count(*)::int AS n FROM rental_by_category'))[0]!['n']).toBeGreaterThan(
          0,
        );
        expect(await query('SELECT count(*)::int AS n FROM film_in_stock(1, 1)')).toEqual([{ n: 4 }]);
        await query(`ALTER TABLE payment ADD COLUMN note text`);
        await query(`ALTER TYPE mpaa_rating ADD VALUE 'X'`);
      });
      await pagila.destroySandbox(sandbox.id);
    } finally {
      await pagila.close();
      await dropDatabase('postgres', source);
    }
  });
});

describe('sandbox requests that cannot run', () => {
  it('rejects a target without sandbox config, an unknown artifact and a bad ttl, creating nothing', async () => {
    const config = fixture.config();
    const plain = createAgent({
      ...config,
      targets: { ...config.targets, maria: { ...config.targets['maria']!, sandbox: undefined } },
    });
    await plain.catalog.refresh();
    await expect(plain.createSandbox({ artifactId: artifacts.mariadb! })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /^target maria has no sandbox\.server: set targets\.maria\.sandbox\.server to one of testServers \(/,
      ),
    });
    await plain.close();
    await expect(
      agent.createSandbox({ artifactId: '2026-01-01T00-00-00Z_aaaaaaaaaa' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      agent.createSandbox({ artifactId: artifacts.mariadb!, ttl: 'forever' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(agent.destroySandbox('not-a-sandbox')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await sandboxNames('mariadb', fixture.servers.mariadb)).toEqual([]);
  });
});

async function backUp(target: string): Promise<string> {
  const result = await agent.backup({ targetName: target });
  expect(result.status).toBe('succeeded');
  return result.artifacts[0]!.id;
}

describe('a sandbox still being created', () => {
  it('is left alone by an expiry pass past its TTL, however long its restore takes', async () => {
    const slowMask = join(fixture.dir, 'slow-mask-mariadb.sql');
    await writeFile(slowMask, 'DO SLEEP(2);\n');
    const input = fixture.configInput() as { targets: Record<string, Record<string, unknown>> };
    input.targets['maria-slow'] = {
      ...input.targets['maria'],
      sandbox: { server: 'maria', ttl: '1h', maskingSql: slowMask },
    };
    const slow = createAgent(configSchema.parse(input));
    try {
      const backup = await slow.backup({ targetName: 'maria-slow' });
      const creating = slow.createSandbox({ artifactId: backup.artifacts[0]!.id });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Two hours on: past the 1h TTL the row would have, but the restore is still running.
      const pass = await slow.expireSandboxes(new Date(Date.now() + hours(2)));
      expect(pass.dropped).toEqual([]);
      const created = await creating;
      expect(await sandboxTraces('mariadb', fixture.servers.mariadb, created.id)).toEqual({
        database: true,
        user: true,
        row: true,
      });
      await slow.destroySandbox(created.id);
    } finally {
      await slow.close();
    }
  });
});
