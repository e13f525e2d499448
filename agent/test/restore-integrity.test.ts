import { open, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, localPostgres, type TempAgent } from './harness/temp-agent.ts';
import { mariadbExec, postgresExec, uniqueName } from './harness/sql.ts';

/**
 * A restore never loads damaged bytes as if they were whole: a flipped byte or a truncated data
 * object fails with INTEGRITY_FAILED, and the database created for the restore is dropped again.
 */
const mariadbDb = uniqueName('py_t_integrity');
const postgresDb = uniqueName('py_t_integrity');
let temp: TempAgent;

async function databaseExists(engine: 'mariadb' | 'postgres', name: string): Promise<boolean> {
  if (engine === 'mariadb')
    return ((await mariadbExec(`SHOW DATABASES LIKE '${name}'`)) as unknown[]).length > 0;
  return (await postgresExec(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount === 1;
}

beforeAll(async () => {
  await mariadbExec(`CREATE DATABASE ${mariadbDb}; CREATE TABLE ${mariadbDb}.t (id INT PRIMARY KEY, v TEXT);
    INSERT INTO ${mariadbDb}.t SELECT seq, REPEAT('x', 100) FROM test.seq_1_to_5000;`);
  await postgresExec(`CREATE DATABASE ${postgresDb}`);
  await postgresExec(
    `CREATE TABLE t AS SELECT g AS id, repeat('x', 100) AS v FROM generate_series(1, 5000) g`,
    postgresDb,
  );
  temp = await createTempAgent({
    maria: { ...localMariadb, databases: [mariadbDb] },
    pg: { ...localPostgres, databases: [postgresDb] },
  });
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${mariadbDb}`);
  await postgresExec(`DROP DATABASE IF EXISTS ${postgresDb} WITH (FORCE)`);
  await temp.cleanup();
});

describe.each([
  ['mariadb', 'maria'],
  ['postgres', 'pg'],
] as const)('restoring a damaged %s artifact', (engine, targetName) => {
  async function backUp(): Promise<{ id: string; file: string }> {
    const result = await temp.agent.backup({ targetName });
    expect(result.status).toBe('succeeded');
    const entry = temp.agent.catalog.get(result.artifacts[0]!.id)!;
    return { id: entry.manifest.artifactId, file: join(temp.storageRoot, entry.locations[0]!.dataKey) };
  }

  it('fails on a flipped byte and leaves no database behind', async () => {
    const { id, file } = await backUp();
    const handle = await open(file, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 200);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, 200);
    await handle.close();
    const name = uniqueName('py_t_damaged');
    await expect(temp.agent.restoreToNewDatabase({ artifactId: id, toDatabase: name })).rejects.toMatchObject(
      {
        code: 'INTEGRITY_FAILED',
        message: expect.stringContaining('is damaged'),
      },
    );
    expect(await databaseExists(engine, name)).toBe(false);
  });

  it('fails on a truncated artifact with INTEGRITY_FAILED', async () => {
    const { id, file } = await backUp();
    await truncate(file, 500);
    const name = uniqueName('py_t_truncated');
    await expect(temp.agent.restoreToNewDatabase({ artifactId: id, toDatabase: name })).rejects.toMatchObject(
      {
        code: 'INTEGRITY_FAILED',
        message: expect.stringContaining('is damaged'),
      },
    );
    expect(await databaseExists(engine, name)).toBe(false);
  });
});
