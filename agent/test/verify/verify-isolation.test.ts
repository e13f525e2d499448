import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/main.ts';
import { postgresExec, uniqueName } from '../harness/sql.ts';
import { localPostgres } from '../harness/temp-agent.ts';
import { startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { withPostgres } from '../support/servers.ts';
import { verifyConfig } from './verify-config.ts';

/**
 * The scratch database of a PostgreSQL verification holds production data on a test server where
 * others log in (developers' sandbox roles): like a sandbox's database, nobody but the admin may
 * connect to it, also when the dump grants PUBLIC access (a plain-format dump keeps its grants).
 */
const database = uniqueName('py_t_verify_iso');
const developer = uniqueName('py_t_dev');
let server: TestServer | undefined;
let dir: string;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-verify-iso-'));
  server = await startPostgresServer();
  await withPostgres(server, 'postgres', (client) => client.query(`CREATE ROLE ${developer} LOGIN`));
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    `CREATE TABLE customers (id int, email text);
     INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 300000) g;
     GRANT SELECT ON customers TO PUBLIC; ANALYZE customers;`,
    database,
  );
  agent = createAgent(
    verifyConfig({
      dir,
      server,
      engine: 'postgres',
      name: 'pg',
      targets: {
        pg: { ...localPostgres, databases: [database], dumpFormat: 'plain', verify: { server: 'pg' } },
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the scratch database of a PostgreSQL verification', () => {
  it('admits no other login while the verification runs', async () => {
    const backup = await agent.backup({ targetName: 'pg' });
    expect(backup.status).toBe('succeeded');
    const verifying = agent.verify(backup.artifacts[0]!.id);
    const attempts: string[] = [];
    let done = false;
    void verifying.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const [scratch] = await withPostgres(server!, 'postgres', async (client) => {
        const { rows } = await client.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname LIKE 'py\\_verify\\_%'`,
        );
        return rows.map((row) => row.datname);
      });
      if (scratch)
        attempts.push(
          await withPostgres({ ...server!, user: developer }, scratch, async (client) => {
            const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
            return `read ${rows[0]!.n} rows`;
          }).catch((error: unknown) => (error as Error).message),
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await verifying).ok).toBe(true);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) expect(attempt).not.toMatch(/^read/);
    expect(attempts.some((attempt) => /permission denied for database/.test(attempt))).toBe(true);
  }, 120_000);
});
