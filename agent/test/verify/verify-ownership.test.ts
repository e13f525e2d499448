import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/main.ts';
import { postgresExec, uniqueName } from '../harness/sql.ts';
import { localPostgres } from '../harness/temp-agent.ts';
import { startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { verifyConfig } from './verify-config.ts';

/**
 * A production PostgreSQL database is owned by application roles, which a test server need not
 * have: the verification restores the data, not the roles, so the owners and grants of the dump
 * must not make a good backup fail its verification.
 */
const database = uniqueName('py_t_verify_owner');
const owner = uniqueName('py_t_owner');
const reader = uniqueName('py_t_reader');
let server: TestServer | undefined;
let dir: string;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-verify-owner-'));
  server = await startPostgresServer();
  await postgresExec(`CREATE ROLE ${owner}; CREATE ROLE ${reader}`);
  await postgresExec(`CREATE DATABASE ${database} OWNER ${owner}`);
  await postgresExec(
    `CREATE SCHEMA app AUTHORIZATION ${owner};
     CREATE TABLE app.orders (id int PRIMARY KEY, v text);
     INSERT INTO app.orders SELECT g, 'x' FROM generate_series(1, 100) g;
     ALTER TABLE app.orders OWNER TO ${owner};
     GRANT SELECT ON app.orders TO ${reader};
     ANALYZE app.orders;`,
    database,
  );
  agent = createAgent(
    verifyConfig({
      dir,
      server,
      engine: 'postgres',
      name: 'pg',
      targets: { pg: { ...localPostgres, databases: [database], verify: { server: 'pg' } } },
    }),
  );
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await postgresExec(`DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${reader}`).catch(() => undefined);
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('verifying a PostgreSQL backup whose objects belong to roles the test server lacks', () => {
  it('passes', async () => {
    const backup = await agent.backup({ targetName: 'pg' });
    expect(backup.status).toBe('succeeded');
    const result = await agent.verify(backup.artifacts[0]!.id);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.tables).toEqual([
      expect.objectContaining({ schema: 'app', name: 'orders', actualRows: 100, ok: true }),
    ]);
  }, 60_000);
});
