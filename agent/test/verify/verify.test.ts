import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, verificationResultSchema, type VerificationResult } from '@port-yard/shared';
import { summarizeArtifacts } from '../../src/api/artifact-summary.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, postgresExec, uniqueName } from '../harness/sql.ts';
import { localMariadb, localPostgres } from '../harness/temp-agent.ts';
import { startMariadbServer, startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { loadSampleDatabase, uniqueDatabaseName, dropDatabase } from '../support/sample-databases.ts';
import { withMariadb, withPostgres } from '../support/servers.ts';

/**
 * Restore verification against real, separate test servers: a good artifact passes and leaves no
 * scratch database behind; a damaged one fails with INTEGRITY_FAILED, and either way the result
 * is stored as `<id>.verification.json` next to the artifact.
 */
const mariadbDb = uniqueName('py_t_verify');
const postgresDb = uniqueName('py_t_verify');
const sakilaDb = uniqueDatabaseName('verify_sakila');
let mariaServer: TestServer | undefined;
let pgServer: TestServer | undefined;
let dir: string;
let storageRoot: string;
let configFile: string;
let agent: Agent;

function configInput(): Record<string, unknown> {
  return {
    version: 1,
    storages: { local: { type: 'filesystem', path: storageRoot } },
    testServers: {
      maria: { engine: 'mariadb', host: '127.0.0.1', port: mariaServer!.port, user: mariaServer!.user },
      pg: { engine: 'postgres', host: '127.0.0.1', port: pgServer!.port, user: pgServer!.user },
    },
    targets: {
      maria: { ...localMariadb, databases: [mariadbDb], verify: { server: 'maria' } },
      pg: { ...localPostgres, databases: [postgresDb], verify: { server: 'pg' } },
      sakila: { ...localMariadb, databases: [sakilaDb], verify: { server: 'maria' } },
      plain: { ...localMariadb, databases: [mariadbDb] },
      wrongserver: { ...localMariadb, databases: [mariadbDb], verify: { server: 'pg' } },
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-verify-'));
  storageRoot = join(dir, 'backups');
  configFile = join(dir, 'port-yard.yaml');
  [mariaServer, pgServer] = await Promise.all([startMariadbServer(), startPostgresServer()]);
  await mariadbExec(`CREATE DATABASE ${mariadbDb};
    CREATE TABLE ${mariadbDb}.orders (id INT PRIMARY KEY, v TEXT);
    INSERT INTO ${mariadbDb}.orders SELECT seq, REPEAT('x', 50) FROM test.seq_1_to_3000;
    CREATE TABLE ${mariadbDb}.customers (id INT PRIMARY KEY, name TEXT);
    INSERT INTO ${mariadbDb}.customers VALUES (1, 'a'), (2, 'b'), (3, 'c');
    CREATE TABLE ${mariadbDb}.empty_one (id INT PRIMARY KEY);
    CREATE VIEW ${mariadbDb}.v_orders AS SELECT id FROM ${mariadbDb}.orders;
    ANALYZE TABLE ${mariadbDb}.orders, ${mariadbDb}.customers, ${mariadbDb}.empty_one;`);
  await postgresExec(`CREATE DATABASE ${postgresDb}`);
  await postgresExec(
    `CREATE TABLE orders AS SELECT g AS id, repeat('x', 50) AS v FROM generate_series(1, 3000) g;
     CREATE SCHEMA other; CREATE TABLE other.orders (id int); INSERT INTO other.orders VALUES (1), (2);
     CREATE TABLE never_analyzed (id int); ANALYZE orders; ANALYZE other.orders;
     INSERT INTO never_analyzed SELECT generate_series(1, 1500);
     CREATE TABLE events (id int); CREATE TABLE events_2025 () INHERITS (events);
     INSERT INTO events SELECT generate_series(1, 3000); INSERT INTO events_2025 SELECT generate_series(1, 5000);
     ANALYZE events; ANALYZE events_2025;
     CREATE TABLE notes (id int); CREATE TABLE notes_old () INHERITS (notes);
     INSERT INTO notes SELECT generate_series(1, 1200); INSERT INTO notes_old SELECT generate_series(1, 2500);`,
    postgresDb,
  );
  await loadSampleDatabase('mariadb', 'sakila', sakilaDb);
  await withMariadb(localMariadbSettings(), sakilaDb, async (db) => {
    const [tables] = await db.query(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [sakilaDb],
    );
    for (const { name } of tables as { name: string }[]) await db.query(`ANALYZE TABLE \`${name}\``);
  });
  agent = createAgent(configSchema.parse(configInput()));
  await writeFile(configFile, JSON.stringify(configInput()));
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${mariadbDb}`).catch(() => undefined);
  await postgresExec(`DROP DATABASE IF EXISTS ${postgresDb} WITH (FORCE)`).catch(() => undefined);
  await dropDatabase('mariadb', sakilaDb).catch(() => undefined);
  await agent?.close();
  await Promise.all([mariaServer?.stop(), pgServer?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function localMariadbSettings() {
  return { engine: 'mariadb' as const, host: '127.0.0.1', port: 3306, user: 'root', password: '' };
}

async function scratchDatabasesLeft(engine: 'mariadb' | 'postgres'): Promise<string[]> {
  if (engine === 'mariadb') {
    return withMariadb(mariaServer!, undefined, async (db) => {
      const [rows] = await db.query(`SHOW DATABASES LIKE 'py\\_verify\\_%'`);
      return (rows as Record<string, string>[]).map((row) => Object.values(row)[0]!);
    });
  }
  return withPostgres(pgServer!, 'postgres', async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'py\\_verify\\_%'`,
    );
    return rows.map((row) => row.datname);
  });
}

async function backUp(targetName: string): Promise<{ id: string; file: string; sidecar: string }> {
  const result = await agent.backup({ targetName });
  expect(result.status).toBe('succeeded');
  const entry = agent.catalog.get(result.artifacts[0]!.id)!;
  const { target, database, artifactId } = entry.manifest;
  return {
    id: artifactId,
    file: join(storageRoot, entry.locations[0]!.dataKey),
    sidecar: join(storageRoot, target, database, `${artifactId}.verification.json`),
  };
}

async function flipByte(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, 200);
  byte[0] = byte[0]! ^ 0xff;
  await handle.write(byte, 0, 1, 200);
  await handle.close();
}

async function readSidecar(path: string): Promise<VerificationResult> {
  return verificationResultSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

describe.each([
  ['mariadb', 'maria'],
  ['postgres', 'pg'],
] as const)('verifying a %s artifact', (engine, targetName) => {
  it('passes for a whole artifact, stores the sidecar and drops the scratch database', async () => {
    const { id, sidecar } = await backUp(targetName);
    const result = await agent.verify(id);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ formatVersion: 1, artifactId: id, server: targetName, ok: true });
    expect(result.error).toBeUndefined();
    const byName = Object.fromEntries(
      result.tables.map((table) => [`${table.schema ? `${table.schema}.` : ''}${table.name}`, table]),
    );
    if (engine === 'mariadb') {
      expect(Object.keys(byName).sort()).toEqual(['customers', 'empty_one', 'orders']);
      expect(byName['orders']).toMatchObject({ actualRows: 3000, exact: false, ok: true });
      expect(byName['customers']).toMatchObject({ actualRows: 3, ok: true });
    } else {
      expect(Object.keys(byName).sort()).toEqual([
        'other.orders',
        'public.events',
        'public.events_2025',
        'public.never_analyzed',
        'public.notes',
        'public.notes_old',
        'public.orders',
      ]);
      expect(byName['public.orders']).toMatchObject({ expectedRows: 3000, actualRows: 3000, ok: true });
      expect(byName['other.orders']).toMatchObject({ actualRows: 2, ok: true });
      // Counted at backup time: without statistics, its estimate would be 0, checking nothing.
      expect(byName['public.never_analyzed']).toMatchObject({
        expectedRows: 1500,
        actualRows: 1500,
        exact: false,
        ok: true,
      });
      // An inheritance parent's rows are its own, not its children's (which are tables of their own).
      expect(byName['public.events']).toMatchObject({ expectedRows: 3000, actualRows: 3000, ok: true });
      expect(byName['public.events_2025']).toMatchObject({ expectedRows: 5000, actualRows: 5000, ok: true });
      expect(byName['public.notes']).toMatchObject({ expectedRows: 1200, actualRows: 1200, ok: true });
      expect(byName['public.notes_old']).toMatchObject({ expectedRows: 2500, actualRows: 2500, ok: true });
    }
    expect(await readSidecar(sidecar)).toEqual(result);
    expect(agent.catalog.get(id)!.locations[0]!.sidecars?.verification).toBe(
      sidecar.slice(storageRoot.length + 1),
    );
    expect(await scratchDatabasesLeft(engine)).toEqual([]);

    // A later verification replaces the sidecar.
    const again = await agent.verify(id);
    expect(again.ok).toBe(true);
    expect(await readSidecar(sidecar)).toEqual(again);
  });

  it('fails on a flipped byte, records INTEGRITY_FAILED and leaves no scratch database', async () => {
    const { id, file, sidecar } = await backUp(targetName);
    await flipByte(file);
    const result = await agent.verify(id);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      code: 'INTEGRITY_FAILED',
      message: expect.stringContaining('damaged'),
    });
    expect(result.problems[0]).toMatch(/^INTEGRITY_FAILED: /);
    expect(await readSidecar(sidecar)).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    expect(await scratchDatabasesLeft(engine)).toEqual([]);
  });

  it('fails on a truncated artifact', async () => {
    const { id, file, sidecar } = await backUp(targetName);
    await truncate(file, 500);
    const result = await agent.verify(id);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    expect(await readSidecar(sidecar)).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    expect(await scratchDatabasesLeft(engine)).toEqual([]);
  });
});

describe('verify requests that cannot run', () => {
  it('rejects a target without verify.server, storing nothing', async () => {
    const { id, sidecar } = await backUp('plain');
    await expect(agent.verify(id)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      // It says how to fix it: only the test server that can load a MariaDB dump is offered.
      message:
        'target plain has no verify.server: set targets.plain.verify.server to one of testServers (maria)',
    });
    await expect(readFile(sidecar)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a test server of another engine family', async () => {
    const { id } = await backUp('wrongserver');
    await expect(agent.verify(id)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('cannot restore a mariadb artifact'),
    });
  });

  it('rejects an unknown artifact', async () => {
    await expect(agent.verify('2026-01-01T00-00-00Z_aaaaaaaaaa')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('verifying a real sample (MariaDB sakila)', () => {
  it('passes with every table', async () => {
    const { id } = await backUp('sakila');
    const result = await agent.verify(id);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['actor', 'film', 'payment', 'rental']),
    );
    expect(result.tables.find((table) => table.name === 'rental')?.actualRows).toBe(16044);
    expect(await scratchDatabasesLeft('mariadb')).toEqual([]);
  });
});

describe('cancelling a verification', () => {
  it('rejects with CANCELLED, drops the scratch database and stores nothing', async () => {
    const { id, sidecar } = await backUp('sakila');
    const controller = new AbortController();
    const verifying = agent.verify(id, { signal: controller.signal });
    const outcome = verifying.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    // Abort once the scratch database exists, i.e. while it is being restored.
    const deadline = Date.now() + 20_000;
    while ((await scratchDatabasesLeft('mariadb')).length === 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 10));
    }
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'CANCELLED' });
    expect(await scratchDatabasesLeft('mariadb')).toEqual([]);
    await expect(readFile(sidecar)).rejects.toMatchObject({ code: 'ENOENT' });

    const aborted = new AbortController();
    aborted.abort();
    await expect(agent.verify(id, { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe("the API's view of verified artifacts", () => {
  it('never shows a failed verification as verified, also after a restart (read from the sidecar)', async () => {
    const good = await backUp('maria');
    expect((await agent.verify(good.id)).ok).toBe(true);
    const bad = await backUp('maria');
    await flipByte(bad.file);
    expect((await agent.verify(bad.id)).ok).toBe(false);
    const never = await backUp('maria');
    const expected = {
      [good.id]: { verified: true, verificationFailed: false },
      [bad.id]: { verified: false, verificationFailed: true },
      [never.id]: { verified: false, verificationFailed: false },
    };
    const view = async (viewer: Agent) =>
      Object.fromEntries(
        (
          await summarizeArtifacts(
            viewer,
            [good, bad, never].map((artifact) => viewer.catalog.get(artifact.id)!),
          )
        ).map((summary) => [
          summary.manifest.artifactId,
          { verified: summary.verified, verificationFailed: summary.verificationFailed },
        ]),
      );
    // This agent wrote the sidecars, so it knows their outcome.
    expect(await view(agent)).toEqual(expected);
    // A new agent finds the sidecars in storage without their outcome, and reads it.
    const restarted = createAgent(configSchema.parse(configInput()));
    try {
      await restarted.catalog.refresh();
      expect(restarted.catalog.get(bad.id)!.locations[0]!.verificationOk).toBeUndefined();
      expect(await view(restarted)).toEqual(expected);
      expect(restarted.catalog.get(bad.id)!.locations[0]!.verificationOk).toBe(false);
      // A restore's plan says so before anything is done (the console's restore dialog showed nothing).
      const failedWarnings = async (id: string) =>
        (await restarted.planRestore(id, 'py_t_verify_plan_only')).warnings.filter((warning) =>
          warning.includes('failed its last verification'),
        );
      expect(await failedWarnings(bad.id)).toEqual([
        `artifact ${bad.id} failed its last verification: what it found wrong (see the artifact's verification) would be in py_t_verify_plan_only after the restore`,
      ]);
      expect(await failedWarnings(good.id)).toEqual([]);
      expect(await failedWarnings(never.id)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});

describe('port-yard verify', () => {
  const repoRoot = resolve(import.meta.dirname, '../../..');
  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      execFile(
        join(repoRoot, 'node_modules/.bin/node'),
        [join(repoRoot, 'agent/bin/port-yard.js'), '--config', configFile, ...args],
        (error, stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('exits 0 when ok, 1 when the verification failed, 2 without verify.server', async () => {
    const good = await backUp('maria');
    const ok = await cli(['verify', good.id, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ artifactId: good.id, ok: true });

    // A flipped byte (a truncated artifact is not even listed by a fresh catalog scan).
    const bad = await backUp('maria');
    await flipByte(bad.file);
    const failed = await cli(['verify', bad.id]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('FAILED');
    expect(failed.stderr).toContain('INTEGRITY_FAILED');

    const plain = await backUp('plain');
    const usage = await cli(['verify', plain.id]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('has no verify.server');
  });
});
