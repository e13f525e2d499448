import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEngine } from '../../src/engines/postgres/postgres-engine.ts';
import { hostTag } from '../../src/platform/process-folders.ts';
import { dropAbandonedScratch, scratchDatabaseName } from '../../src/verify/verify-artifact.ts';
import { startPostgresServer, type TestServer } from '../servers/test-servers.ts';
import { postgresMaintenanceDatabase, withPostgres } from '../support/servers.ts';

/**
 * A verification killed with SIGKILL leaves its scratch database (a full copy of the data) on the
 * test server. The next verification there drops those of this host's processes that are gone,
 * and only those: not a live process's, not another host's, not a database of another name. On
 * a server of its own: other tests' verifications on the shared one would sweep this one's.
 */
let pg: TestServer;
const goneProcess = spawnSync('true').pid!;
const names = {
  gone: `py_verify_${hostTag}_${goneProcess}_a1b2c3`,
  live: scratchDatabaseName(),
  otherHost: `py_verify_${hostTag === '00000000' ? '11111111' : '00000000'}_${goneProcess}_a1b2c3`,
  other: 'py_verify_0123456789',
};

beforeAll(async () => {
  pg = await startPostgresServer();
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

describe('dropAbandonedScratch', () => {
  it("drops the scratch databases of this host's processes that are gone, and only those", async () => {
    const sql = (text: string) =>
      withPostgres(pg, postgresMaintenanceDatabase, (client) => client.query(text));
    for (const name of Object.values(names)) await sql(`CREATE DATABASE ${name}`);
    expect(names.live).toMatch(new RegExp(`^py_verify_${hostTag}_${process.pid}_[0-9a-f]{6}$`));
    const server = { engine: 'postgres' as const, host: pg.host, port: pg.port, user: pg.user };
    expect(await dropAbandonedScratch(createPostgresEngine(), server)).toEqual([names.gone]);
    const left = (await sql("SELECT datname FROM pg_database WHERE datname LIKE 'py\\_verify\\_%'")).rows.map(
      (row: { datname: string }) => row.datname,
    );
    expect(left.sort()).toEqual([names.live, names.other, names.otherHost].sort());
  });
});
