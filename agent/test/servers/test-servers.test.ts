import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectMariadb,
  connectPostgres,
  mariadbServer,
  postgresServer,
  postgresMaintenanceDatabase,
} from '../support/servers.ts';
import { uniqueName } from '../harness/sql.ts';
import { isPortOpen, startMariadbServer, startPostgresServer } from './test-servers.ts';
import type { TestServer } from './test-servers.ts';

const started: TestServer[] = [];
const run = promisify(execFile);
const mysqlIds = async (): Promise<[number, number]> => [
  Number((await run('id', ['-u', 'mysql'])).stdout.trim()),
  Number((await run('id', ['-g', 'mysql'])).stdout.trim()),
];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('test servers (a second, independent server per engine)', () => {
  it('MariaDB: starts on its own port, holds its own data, stops cleanly', async () => {
    const t0 = Date.now();
    const server = await startMariadbServer();
    started.push(server);
    const startMs = Date.now() - t0;
    expect(server).toMatchObject({ engine: 'mariadb', host: '127.0.0.1', user: 'root' });
    expect([3306, 5432]).not.toContain(server.port);

    const name = uniqueName('py_srv');
    const db = await connectMariadb(server);
    try {
      const [[version]] = (await db.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
      expect(version!.v).toMatch(/MariaDB/);
      await db.query(`CREATE DATABASE ${name}`);
      await db.query(`CREATE TABLE ${name}.t (id INT PRIMARY KEY, label VARCHAR(20))`);
      await db.query(`INSERT INTO ${name}.t VALUES (1, 'one'), (2, 'two')`);
      const [rows] = await db.query(`SELECT id, label FROM ${name}.t ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, label: 'one' },
        { id: 2, label: 'two' },
      ]);
    } finally {
      await db.end();
    }

    const main = await connectMariadb(mariadbServer);
    try {
      const [rows] = await main.query('SHOW DATABASES LIKE ?', [name]);
      expect(rows).toEqual([]);
    } finally {
      await main.end();
    }

    const t1 = Date.now();
    await server.stop();
    console.log(`mariadb test server: start ${startMs} ms, stop ${Date.now() - t1} ms`);
    expect(await isPortOpen(server.port)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop(); // idempotent
  });

  it("MariaDB: leaves the machine server's temporary tables in /tmp alone", async () => {
    // A starting MariaDB deletes every `#sql*` file in its tmpdir. One the machine's server owns
    // (a live internal temporary table) stands for them here.
    const live = join('/tmp', `#sql-temptable-${uniqueName('py')}.MAI`);
    await writeFile(live, '');
    await chown(live, ...(await mysqlIds()));
    try {
      const server = await startMariadbServer();
      started.push(server);
      await server.stop();
      expect(existsSync(live)).toBe(true);
    } finally {
      await rm(live, { force: true });
    }
  });

  it('PostgreSQL: starts on its own port, holds its own data, stops cleanly', async () => {
    const t0 = Date.now();
    const server = await startPostgresServer();
    started.push(server);
    const startMs = Date.now() - t0;
    expect(server).toMatchObject({ engine: 'postgres', host: '127.0.0.1', user: 'postgres' });
    expect([3306, 5432]).not.toContain(server.port);

    const name = uniqueName('py_srv');
    const admin = await connectPostgres(server, 'postgres');
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const db = await connectPostgres(server, name);
    try {
      await db.query('CREATE TABLE t (id int PRIMARY KEY, label text)');
      await db.query(`INSERT INTO t VALUES (1, 'one'), (2, 'two')`);
      const { rows } = await db.query('SELECT id, label FROM t ORDER BY id');
      expect(rows).toEqual([
        { id: 1, label: 'one' },
        { id: 2, label: 'two' },
      ]);
    } finally {
      await db.end();
    }

    const main = await connectPostgres(postgresServer, postgresMaintenanceDatabase);
    try {
      const { rows } = await main.query('SELECT datname FROM pg_database WHERE datname = $1', [name]);
      expect(rows).toEqual([]);
    } finally {
      await main.end();
    }

    const t1 = Date.now();
    await server.stop();
    console.log(`postgres test server: start ${startMs} ms, stop ${Date.now() - t1} ms`);
    expect(await isPortOpen(server.port)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});
