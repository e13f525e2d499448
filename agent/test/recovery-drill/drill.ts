import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { runCli, type CliResult } from '../harness/cli-process.ts';
import { compareDatabases, describeDatabase } from '../support/database-fingerprint.ts';
import { runCli as runTool } from '../support/run-cli.ts';
import {
  cliEnv,
  databasesStartingWith,
  defaultServer,
  mariadbCliArgs,
  postgresCliArgs,
  postgresMaintenanceDatabase,
  withMariadb,
  withPostgres,
  type Engine,
  type ServerSettings,
} from '../support/servers.ts';
import { fixturesDir } from '../support/sample-databases.ts';
import { commentedOut, rewriteSql } from '../support/sql-rewrite.ts';

/**
 * The recovery drill's own helpers: every database and role it makes is named `py_drill_*` (the
 * sample loader of test/support only makes `py_t_*`), every file lives in one temp folder.
 */
const DRILL_NAME = /^py_drill_[a-z0-9_]{1,50}$/;

export function drillName(what: string): string {
  return `py_drill_${what}_${randomBytes(3).toString('hex')}`;
}

function assertDrillName(name: string): void {
  if (!DRILL_NAME.test(name)) throw new Error(`${JSON.stringify(name)} is not a py_drill_ name`);
}

/** Loads Sakila (MariaDB) or Pagila (PostgreSQL) from the shared fixtures into a new database. */
export async function loadDrillSample(
  engine: Engine,
  name: string,
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  assertDrillName(name);
  await createDrillDatabase(engine, name, server);
  try {
    if (engine === 'mariadb') {
      const use = { line: 'USE sakila;', replacement: `USE \`${name}\`;`, times: 1, why: 'USE' };
      const schema = rewriteSql(
        await readFile(join(fixturesDir, 'sakila-mysql/sakila-schema.sql'), 'utf8'),
        [
          { line: 'DROP SCHEMA IF EXISTS sakila;', replacement: commentedOut('drop'), times: 1, why: 'drop' },
          { line: 'CREATE SCHEMA sakila;', replacement: commentedOut('create'), times: 1, why: 'create' },
          use,
          { pattern: /\bsakila\./g, replacement: '', times: 7, why: 'qualified view' },
        ],
        'sakila-schema.sql',
      );
      const data = rewriteSql(
        await readFile(join(fixturesDir, 'sakila-mysql/sakila-data.sql'), 'utf8'),
        [use],
        'sakila-data.sql',
      );
      const tool = {
        command: 'mariadb',
        args: [...mariadbCliArgs(server), '--default-character-set=utf8mb4', `--database=${name}`],
        env: cliEnv(server),
      };
      await runTool(tool, Buffer.from(schema + '\n' + data, 'utf8'));
    } else {
      const sql = Buffer.concat([
        await readFile(join(fixturesDir, 'pagila-2024/pagila-schema.sql')),
        await readFile(join(fixturesDir, 'pagila-2024/pagila-data.sql')),
      ]);
      const tool = {
        command: 'psql',
        args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...postgresCliArgs(server), '--dbname', name, '-f', '-'],
        env: cliEnv(server),
      };
      await runTool(tool, sql);
    }
  } catch (error) {
    await dropDrillDatabase(engine, name, server);
    throw error;
  }
}

export async function createDrillDatabase(
  engine: Engine,
  name: string,
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  assertDrillName(name);
  if (engine === 'mariadb')
    await withMariadb(server, undefined, (c) => c.query(`CREATE DATABASE \`${name}\``));
  else await withPostgres(server, postgresMaintenanceDatabase, (c) => c.query(`CREATE DATABASE "${name}"`));
}

export async function dropDrillDatabase(
  engine: Engine,
  name: string,
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  assertDrillName(name);
  if (engine === 'mariadb')
    await withMariadb(server, undefined, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
  else
    await withPostgres(server, postgresMaintenanceDatabase, (c) =>
      c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
}

/** Databases named `prefix…` on the server: what a failed restore must not leave behind. */
export async function drillDatabases(
  engine: Engine,
  prefix: string,
  server: ServerSettings = defaultServer(engine),
): Promise<string[]> {
  assertDrillName(`${prefix}x`);
  return databasesStartingWith(engine, prefix, server);
}

/** The restored copy holds what the source held: tables, rows, content hashes, objects. */
export async function expectSameData(
  engine: Engine,
  source: string,
  restored: string,
  restoredOn: ServerSettings = defaultServer(engine),
): Promise<void> {
  const [a, b] = await Promise.all([
    describeDatabase(engine, source),
    describeDatabase(engine, restored, restoredOn),
  ]);
  expect(Object.keys(b.tables).length).toBeGreaterThan(10);
  expect(compareDatabases(a, b)).toEqual([]);
}

/** One temp folder for the drill's configs, keys and storages. */
export async function drillDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'py-drill-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const run = promisify(execFile);

/** A fresh age identity in `dir`: its file and its public key. */
export async function ageIdentity(dir: string): Promise<{ identityFile: string; recipient: string }> {
  const identityFile = join(dir, 'age-identity.txt');
  await run('age-keygen', ['-o', identityFile]);
  const { stdout } = await run('age-keygen', ['-y', identityFile]);
  return { identityFile, recipient: stdout.trim() };
}

/** Writes a config (JSON is YAML) and returns a CLI runner on it. */
export async function writeConfig(
  path: string,
  config: Record<string, unknown>,
): Promise<(...args: string[]) => Promise<CliResult>> {
  await writeFile(path, JSON.stringify({ version: 1, ...config }, null, 2));
  return (...args) => runCli(['--config', path, ...args], { timeoutMs: 120_000 });
}

export interface ListedArtifact {
  readonly id: string;
  readonly target: string;
  readonly database: string;
  readonly storages?: readonly string[];
}

export function listed(result: CliResult): ListedArtifact[] {
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as ListedArtifact[] | { artifacts: ListedArtifact[] };
  return Array.isArray(parsed) ? parsed : parsed.artifacts;
}

/** The id of the one artifact `backup <target> --json` wrote. */
export function backedUp(result: CliResult): string {
  expect(result.code, result.stderr).toBe(0);
  const text = result.stdout;
  const id = /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ_[a-z0-9]{10}/.exec(text)?.[0];
  if (!id) throw new Error(`no artifact id in ${text}`);
  return id;
}
