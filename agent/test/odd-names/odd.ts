import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from '../harness/cli-process.ts';
import {
  databasesStartingWith,
  defaultServer,
  postgresMaintenanceDatabase,
  withMariadb,
  withPostgres,
  type Engine,
  type ServerSettings,
} from '../support/servers.ts';

/**
 * Helpers of the odd-names tests: every database they make is named `py_odd_…` (with a random
 * part, so parallel runs never meet), every file lives in one `/tmp/py-odd-*` folder.
 */
export const quoteMaria = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
export const quotePg = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `py_odd_t<6 hex>_`: the prefix of one test file's databases. */
export function oddPrefix(): string {
  return `py_odd_t${randomBytes(3).toString('hex')}_`;
}

/** Only `py_odd_…` and `py_odd2_…` (the storage tests') databases are ever made or dropped. */
function assertOdd(name: string): void {
  if (!/^py_odd2?_/.test(name)) throw new Error(`${JSON.stringify(name)} is not a py_odd_ name`);
}

/** A database with table `t` (id, v) holding `rows`. */
export async function createOddDatabase(
  engine: Engine,
  name: string,
  rows: readonly string[] = ['one', "it's", 'ü日本'],
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  assertOdd(name);
  if (engine === 'mariadb') {
    await withMariadb(server, undefined, async (c) => {
      await c.query(`CREATE DATABASE ${quoteMaria(name)} CHARACTER SET utf8mb4`);
      await c.query(`CREATE TABLE ${quoteMaria(name)}.t (id INT PRIMARY KEY, v VARCHAR(100))`);
      for (const [i, v] of rows.entries())
        await c.query(`INSERT INTO ${quoteMaria(name)}.t VALUES (?, ?)`, [i + 1, v]);
    });
  } else {
    await withPostgres(server, postgresMaintenanceDatabase, (c) =>
      c.query(`CREATE DATABASE ${quotePg(name)}`),
    );
    await withPostgres(server, name, async (c) => {
      await c.query('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
      for (const [i, v] of rows.entries()) await c.query('INSERT INTO t VALUES ($1, $2)', [i + 1, v]);
    });
  }
}

/** The values of table `t`, in id order. */
export async function tableValues(
  engine: Engine,
  name: string,
  server: ServerSettings = defaultServer(engine),
): Promise<string[]> {
  if (engine === 'mariadb')
    return withMariadb(server, name, async (c) => {
      const [rows] = await c.query(`SELECT v FROM t ORDER BY id`);
      return (rows as { v: string }[]).map((row) => row.v);
    });
  return withPostgres(server, name, async (c) => {
    const { rows } = await c.query<{ v: string }>('SELECT v FROM t ORDER BY id');
    return rows.map((row) => row.v);
  });
}

/** Every database on the server whose name starts with `prefix` (a py_odd_ prefix). */
export async function oddDatabases(
  engine: Engine,
  prefix: string,
  server: ServerSettings = defaultServer(engine),
): Promise<string[]> {
  assertOdd(prefix);
  return databasesStartingWith(engine, prefix, server);
}

/** Drops every database whose name starts with `prefix`. */
export async function dropOddDatabases(
  engine: Engine,
  prefix: string,
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  for (const name of await oddDatabases(engine, prefix, server)) {
    if (engine === 'mariadb')
      await withMariadb(server, undefined, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteMaria(name)}`));
    else
      await withPostgres(server, postgresMaintenanceDatabase, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${quotePg(name)} WITH (FORCE)`),
      );
  }
}

export interface OddDir {
  readonly dir: string;
  readonly backups: string;
  cleanup(): Promise<void>;
}

/** A `/tmp/py-odd-*` folder with a `backups` folder for the filesystem storage. */
export async function oddDir(): Promise<OddDir> {
  const dir = await mkdtemp('/tmp/py-odd-');
  const backups = join(dir, 'backups');
  await mkdir(backups);
  return { dir, backups, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type Cli = (...args: string[]) => Promise<CliResult>;

/** Writes a config (JSON is YAML) with one filesystem storage `local`, and returns a CLI on it. */
export async function oddConfig(
  dir: OddDir,
  file: string,
  targets: Record<string, Record<string, unknown>>,
): Promise<Cli> {
  const path = join(dir.dir, file);
  const withDestinations = Object.fromEntries(
    Object.entries(targets).map(([name, target]) => [name, { destinations: ['local'], ...target }]),
  );
  await writeFile(
    path,
    JSON.stringify(
      {
        version: 1,
        storages: { local: { type: 'filesystem', path: dir.backups } },
        targets: withDestinations,
      },
      null,
      2,
    ),
  );
  return (...args) => runCli(['--config', path, ...args], { timeoutMs: 120_000 });
}

export function connectionOf(server: ServerSettings): Record<string, unknown> {
  return { engine: server.engine, host: server.host, port: server.port, user: server.user };
}

export interface BackedUp {
  readonly id: string;
  readonly database: string;
}

/** The artifacts `backup <target> --json` reports (whatever the exit code). */
export function backedUp(result: CliResult): BackedUp[] {
  const parsed = JSON.parse(result.stdout) as { artifacts?: BackedUp[] };
  return (parsed.artifacts ?? []).map(({ id, database }) => ({ id, database }));
}

export interface Listed {
  readonly id: string;
  readonly target: string;
  readonly database: string;
}

export function listed(result: CliResult): Listed[] {
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as Listed[] | { artifacts: Listed[] };
  return Array.isArray(parsed) ? parsed : parsed.artifacts;
}
