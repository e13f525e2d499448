import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, localPostgres, type TempAgent } from '../harness/temp-agent.ts';
import { newArtifactId } from '../../src/artifacts/artifact-keys.ts';
import { fakeManifest } from '../harness/fake-artifacts.ts';
import { mariadbExec, postgresExec, writableMariadbDatadir } from '../harness/sql.ts';
import {
  compareDatabases,
  describeDatabase,
  type DatabaseDescription,
} from '../support/database-fingerprint.ts';
import { dropDatabase, loadSampleDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';

/**
 * Restoring over the source: the database is replaced by the artifact's contents, only when its
 * name is typed back, after a safety backup, and never from a damaged artifact. PostgreSQL swaps a
 * complete copy in; MariaDB loads into the emptied database. Open connections are refused or
 * terminated.
 */
type EngineName = 'mariadb' | 'postgres';
const engines: EngineName[] = ['mariadb', 'postgres'];
const sources = { mariadb: uniqueDatabaseName('py_t_rs_maria'), postgres: uniqueDatabaseName('py_t_rs_pg') };
const extra: { engine: EngineName; name: string }[] = [];
let temp: TempAgent;
let stagingDir: string;
const original: Partial<Record<EngineName, DatabaseDescription>> = {};
const artifactIds: Partial<Record<EngineName, string>> = {};

const targetOf = (engine: EngineName): string => (engine === 'mariadb' ? 'maria' : 'pg');

async function exec(engine: EngineName, sql: string): Promise<unknown> {
  return engine === 'mariadb'
    ? mariadbExec(sql, sources.mariadb)
    : (await postgresExec(sql, sources.postgres)).rows;
}

/** Changes after the backup: a row gone, a row changed, a table added. */
async function mutate(engine: EngineName): Promise<void> {
  if (engine === 'mariadb')
    await exec(
      engine,
      `DELETE FROM InvoiceLine WHERE InvoiceLineId <= 10; UPDATE Artist SET Name = 'changed' WHERE ArtistId = 1;
      CREATE TABLE added_after_backup (id INT PRIMARY KEY)`,
    );
  else
    await exec(
      engine,
      `DELETE FROM invoice_line WHERE invoice_line_id <= 10; UPDATE artist SET name = 'changed' WHERE artist_id = 1;
      CREATE TABLE added_after_backup (id INT PRIMARY KEY)`,
    );
}

async function hasAddedTable(engine: EngineName, database: string): Promise<boolean> {
  const rows =
    engine === 'mariadb'
      ? ((await mariadbExec(
          `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = 'added_after_backup'`,
        )) as unknown[])
      : (await postgresExec(`SELECT 1 FROM pg_tables WHERE tablename = 'added_after_backup'`, database)).rows;
  return rows.length > 0;
}

/** A session on the source database, as an application would hold one. */
async function holdConnection(
  engine: EngineName,
): Promise<{ alive(): Promise<boolean>; close(): Promise<void> }> {
  if (engine === 'mariadb') {
    const db = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: sources.mariadb });
    db.on('error', () => undefined);
    return {
      alive: () =>
        db.query('SELECT 1').then(
          () => true,
          () => false,
        ),
      close: () => db.end().catch(() => undefined),
    };
  }
  const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: sources.postgres });
  client.on('error', () => undefined);
  await client.connect();
  return {
    alive: () =>
      client.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: () => client.end().catch(() => undefined),
  };
}

beforeAll(async () => {
  stagingDir = await mkdtemp(join(tmpdir(), 'py-test-staging-'));
  await Promise.all([
    loadSampleDatabase('mariadb', 'chinook', sources.mariadb),
    loadSampleDatabase('postgres', 'chinook', sources.postgres),
  ]);
  temp = await createTempAgent({
    maria: { ...localMariadb, databases: [sources.mariadb], restore: { stagingDir } },
    pg: { ...localPostgres, databases: [sources.postgres], restore: { stagingDir, jobs: 3 } },
  });
  for (const engine of engines) {
    original[engine] = await describeDatabase(engine, sources[engine]);
    const result = await temp.agent.backup({ targetName: targetOf(engine) });
    expect(result.status).toBe('succeeded');
    artifactIds[engine] = result.artifacts[0]!.id;
  }
}, 120_000);

afterAll(async () => {
  for (const engine of engines) await dropDatabase(engine, sources[engine]);
  for (const { engine, name } of extra) await dropDatabase(engine, name).catch(() => undefined);
  await temp?.cleanup();
  await rm(stagingDir, { recursive: true, force: true });
});

describe.each(engines)('restoring a %s artifact over its source', (engine) => {
  it('plans first: replace, the size, the confirmation to type, no changes', async () => {
    const plan = await temp.agent.planRestore(artifactIds[engine]!);
    expect(plan).toMatchObject({
      mode: 'replace',
      database: sources[engine],
      confirmation: sources[engine],
      atomic: engine === 'postgres',
      openConnections: { count: 0 },
      defaults: { safetyBackup: true, openConnections: 'refuse' },
    });
    expect(plan.databaseBytes).toBeGreaterThan(0);
    expect(plan.server).toMatch(/@127\.0\.0\.1:/);
    if (engine === 'mariadb')
      expect(plan.warnings).toContain(
        `MariaDB cannot swap databases: ${sources[engine]} is emptied before the load, and a failed load leaves it incomplete (only a safety backup holds its current contents)`,
      );
  });

  it('refuses without the database name typed back, changing nothing', async () => {
    await mutate(engine);
    for (const confirm of [undefined, 'wrong', sources[engine].toUpperCase()]) {
      await expect(temp.agent.restore({ artifactId: artifactIds[engine]!, confirm })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining(`type the database name ${sources[engine]}`),
      });
    }
    expect(await hasAddedTable(engine, sources[engine])).toBe(true);
  });

  it('refuses while a connection is open, then terminates it when asked', async () => {
    const session = await holdConnection(engine);
    try {
      // The plan and the refusal both name who is connected.
      const user = engine === 'mariadb' ? 'root' : 'postgres';
      const plan = await temp.agent.planRestore(artifactIds[engine]!);
      expect(plan.openConnections).toEqual({ count: 1, users: [user] });
      const warning = (choice: string) => `${sources[engine]} has 1 open connection(s) (${user}): ${choice}`;
      expect(plan.warnings).toContain(warning('the restore is refused unless they close or are terminated'));
      // A restore that chooses to terminate them (--terminate-connections) is told so.
      const terminating = await temp.agent.planRestore(artifactIds[engine]!, undefined, 'terminate');
      expect(terminating.warnings).toContain(warning('they will be terminated'));
      await expect(
        temp.agent.restore({ artifactId: artifactIds[engine]!, confirm: sources[engine] }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(`1 open connection(s) (users: ${user})`),
      });
      expect(await hasAddedTable(engine, sources[engine])).toBe(true);
      expect(await session.alive()).toBe(true);

      const phases: string[] = [];
      const result = await temp.agent.restore({
        artifactId: artifactIds[engine]!,
        confirm: sources[engine],
        openConnections: 'terminate',
        onProgress: (progress) => {
          if (phases.at(-1) !== progress.phase) phases.push(progress.phase);
        },
      });
      expect(result).toMatchObject({ mode: 'replace', database: sources[engine] });
      expect(phases).toEqual(['stage', 'safety-backup', 'restore', 'swap']);
      expect(await session.alive()).toBe(false);

      // The database is the backup again: the changes are gone, every table and row as before.
      expect(await hasAddedTable(engine, sources[engine])).toBe(false);
      expect(compareDatabases(original[engine]!, await describeDatabase(engine, sources[engine]))).toEqual(
        [],
      );

      // The safety backup holds the database as it was just before: with the added table.
      const safety = temp.agent.catalog.get(result.safetyArtifactId!)!.manifest;
      expect(safety.labels['port-yard.reason']).toBe(`before restoring ${artifactIds[engine]}`);
      const copy = uniqueDatabaseName(`py_t_rs_safety`);
      extra.push({ engine, name: copy });
      await temp.agent.restoreToNewDatabase({ artifactId: safety.artifactId, toDatabase: copy });
      expect(await hasAddedTable(engine, copy)).toBe(true);
    } finally {
      await session.close();
    }
    expect(await readdir(stagingDir)).toEqual([]);
  }, 120_000);

  it('refuses a damaged artifact before the database is touched', async () => {
    await mutate(engine);
    const result = await temp.agent.backup({ targetName: targetOf(engine) });
    const entry = temp.agent.catalog.get(result.artifacts[0]!.id)!;
    // Flip the byte (not overwrite it with a constant, which it already holds 1 time in 256: CI
    // once restored the 'damaged' artifact fine).
    const handle = await open(join(temp.storageRoot, entry.locations[0]!.dataKey), 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 300);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, 300);
    await handle.close();
    await expect(
      temp.agent.restore({ artifactId: entry.manifest.artifactId, confirm: sources[engine] }),
    ).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
    expect(await hasAddedTable(engine, sources[engine])).toBe(true);
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it('restores into a new database without a confirmation, and refuses requireNew over an existing one', async () => {
    const copy = uniqueDatabaseName('py_t_rs_new');
    extra.push({ engine, name: copy });
    const result = await temp.agent.restore({ artifactId: artifactIds[engine]!, toDatabase: copy });
    expect(result).toMatchObject({ mode: 'new', database: copy });
    expect(result.safetyArtifactId).toBeUndefined();
    expect(
      compareDatabases(original[engine]!, await describeDatabase(engine, copy), { ignore: [['name']] }),
    ).toEqual([]);
    await expect(
      temp.agent.restoreToNewDatabase({ artifactId: artifactIds[engine]!, toDatabase: copy }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('cancelled during the load, leaves no staging file (and PostgreSQL the original untouched)', async () => {
    await mutate(engine).catch(() => undefined);
    const controller = new AbortController();
    await expect(
      temp.agent.restore({
        artifactId: artifactIds[engine]!,
        confirm: sources[engine],
        safetyBackup: false,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.phase === 'restore') controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await readdir(stagingDir)).toEqual([]);
    if (engine === 'postgres') {
      expect(await hasAddedTable(engine, sources[engine])).toBe(true);
      // Only this restore's copies: another test's restore may be loading one right now.
      const leftovers = await postgresExec(
        `SELECT datname FROM pg_database WHERE datname LIKE '${sources[engine]}\\_pyr\\_%'`,
      );
      expect(leftovers.rows).toEqual([]);
    }
  });
});

describe('PostgreSQL replace keeps the database around the data', () => {
  it('keeps the owner, encoding and database grants', async () => {
    const role = `py_t_role_${Date.now().toString(36)}`;
    await postgresExec(`CREATE ROLE ${role}; REVOKE CONNECT ON DATABASE ${sources.postgres} FROM PUBLIC;
      GRANT CONNECT, TEMPORARY ON DATABASE ${sources.postgres} TO ${role}`);
    try {
      const facts = () =>
        postgresExec(
          `SELECT pg_get_userbyid(datdba) AS owner, encoding, datcollate, datacl::text[] AS acl FROM pg_database WHERE datname = '${sources.postgres}'`,
        ).then((result) => result.rows[0]);
      const before = await facts();
      await temp.agent.restore({
        artifactId: artifactIds.postgres!,
        confirm: sources.postgres,
        safetyBackup: false,
      });
      const after = await facts();
      expect({ ...after, acl: [...after.acl].sort() }).toEqual({ ...before, acl: [...before.acl].sort() });
    } finally {
      await postgresExec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});

describe('MariaDB without staging', () => {
  it('still checks the artifact before emptying the database', async () => {
    const plain = await createTempAgent(
      { maria: { ...localMariadb, databases: [sources.mariadb], restore: { staging: false } } },
      temp.storageRoot,
    );
    try {
      await plain.agent.catalog.refresh();
      await mariadbExec(
        `CREATE TABLE IF NOT EXISTS ${sources.mariadb}.added_after_backup (id INT PRIMARY KEY)`,
      );
      const damaged = plain.agent.catalog
        .list({ target: 'maria' })
        .find(
          (entry) =>
            entry.manifest.labels['port-yard.reason'] === undefined &&
            entry.manifest.artifactId !== artifactIds.mariadb,
        )!;
      await expect(
        plain.agent.restore({ artifactId: damaged.manifest.artifactId, confirm: sources.mariadb }),
      ).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
      expect(await hasAddedTable('mariadb', sources.mariadb)).toBe(true);

      await plain.agent.restore({
        artifactId: artifactIds.mariadb!,
        confirm: sources.mariadb,
        safetyBackup: false,
      });
      expect(compareDatabases(original.mariadb!, await describeDatabase('mariadb', sources.mariadb))).toEqual(
        [],
      );
    } finally {
      await plain.cleanup();
    }
  });
});

describe('MariaDB restores that fail', () => {
  it('restores nothing when the safety backup fails', async () => {
    const broken = await createTempAgent(
      {
        maria: { ...localMariadb, databases: [sources.mariadb], dumpCommand: '/nonexistent/mariadb-dump' },
      },
      temp.storageRoot,
    );
    try {
      await broken.agent.catalog.refresh();
      await mariadbExec(
        `CREATE TABLE IF NOT EXISTS ${sources.mariadb}.added_after_backup (id INT PRIMARY KEY)`,
      );
      await expect(
        broken.agent.restore({ artifactId: artifactIds.mariadb!, confirm: sources.mariadb }),
      ).rejects.toMatchObject({
        code: 'TOOL_MISSING',
        message: expect.stringContaining(
          `the safety backup of ${sources.mariadb} failed, so nothing was restored`,
        ),
      });
      expect(await hasAddedTable('mariadb', sources.mariadb)).toBe(true);
    } finally {
      await broken.cleanup();
    }
  });

  it('names the safety backup when the load fails half-way', async () => {
    // A whole artifact (its sha256 matches) whose SQL stops loading at the second statement.
    const data = Buffer.from('CREATE TABLE loaded_first (id INT);\nTHIS IS NOT SQL;\n');
    const artifactId = newArtifactId(new Date());
    const manifest = fakeManifest(artifactId, data, {
      target: 'maria',
      database: sources.mariadb,
      compression: { algorithm: 'none' },
      dataObject: `${artifactId}.sql`,
      rawBytes: data.length,
    });
    const storage = temp.agent.storages.get('local')!;
    const folder = `maria/${sources.mariadb}`;
    await storage.put(`${folder}/${manifest.dataObject}`, Readable.from([data]));
    await storage.put(
      `${folder}/${artifactId}.manifest.json`,
      Readable.from([Buffer.from(JSON.stringify(manifest))]),
    );
    await temp.agent.catalog.refresh();

    const failure = await temp.agent
      .restore({ artifactId, confirm: sources.mariadb })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'RESTORE_FAILED' });
    const safety = /restore the safety backup (\S+) to get its previous contents back/.exec(
      (failure as Error).message,
    )?.[1];
    expect(temp.agent.catalog.get(safety!)?.manifest.labels['port-yard.reason']).toBe(
      `before restoring ${artifactId}`,
    );

    // The safety backup brings the database back.
    await temp.agent.restore({ artifactId: safety!, confirm: sources.mariadb, safetyBackup: false });
    expect(await hasAddedTable('mariadb', sources.mariadb)).toBe(true);
  });

  // A file the server does not know in the database's folder: the DROP removes every table, then
  // cannot remove the folder. The database is emptied, and the error must say how to get it back.
  it('names the safety backup when the DROP fails midway', async (context) => {
    const datadir = await writableMariadbDatadir();
    if (!datadir) return context.skip('the MariaDB data folder is not writable here');
    const stray = join(datadir, sources.mariadb, 'stray.txt');
    await writeFile(stray, 'not a table');
    let failure: unknown;
    try {
      failure = await temp.agent
        .restore({ artifactId: artifactIds.mariadb!, confirm: sources.mariadb })
        .catch((error: unknown) => error);
    } finally {
      await rm(stray, { force: true });
    }
    expect(failure).toMatchObject({
      code: 'RESTORE_FAILED',
      message: expect.stringContaining(`could not drop database ${sources.mariadb} to replace it`),
    });
    const safety = /restore the safety backup (\S+) to get its previous contents back/.exec(
      (failure as Error).message,
    )?.[1];
    expect(safety).toBeDefined();
    await temp.agent.restore({ artifactId: safety!, confirm: sources.mariadb, safetyBackup: false });
    expect(await hasAddedTable('mariadb', sources.mariadb)).toBe(true);
  });
});
