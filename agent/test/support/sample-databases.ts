import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import { runCli } from './run-cli.ts';
import {
  cliEnv,
  defaultServer,
  mariadbCliArgs,
  postgresCliArgs,
  postgresMaintenanceDatabase,
  withMariadb,
  withPostgres,
} from './servers.ts';
import type { Engine, ServerSettings } from './servers.ts';
import { commentedOut, rewriteSql } from './sql-rewrite.ts';
import type { SqlRewriteRule } from './sql-rewrite.ts';

/**
 * Loads the real third-party sample databases (../shared/fixtures/sampledb, read-only, never
 * copied into the repo) into uniquely named databases, for backup → restore round-trip tests.
 */

export const mariadbSamples = [
  'sakila',
  'chinook',
  'gh-ost:bit-dml',
  'gh-ost:json57dml',
  'gh-ost:keyword-column',
  'gh-ost:mixed-charset',
  'gh-ost:spatial57',
] as const;
export const postgresSamples = ['pagila', 'sakila', 'chinook'] as const;

export type MariadbSample = (typeof mariadbSamples)[number];
export type PostgresSample = (typeof postgresSamples)[number];
export interface SampleKinds {
  mariadb: MariadbSample;
  postgres: PostgresSample;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir: string =
  process.env.PY_TEST_FIXTURES_DIR ?? path.resolve(repoRoot, '../shared/fixtures/sampledb');

export interface LoadOptions {
  readonly server?: ServerSettings;
  /**
   * gh-ost fixtures only. Their rows are written by an EVENT, which never fires here
   * (event_scheduler=OFF) and would fire at random moments where it is ON. The loader instead runs
   * each event's body this many times right after loading, so the tables hold rows
   * deterministically. 4 gives the 12 rows expected-counts.json lists for mixed-charset. Default 4.
   */
  readonly eventBodyRuns?: number;
  /**
   * gh-ost fixtures only: `ALTER EVENT … ON COMPLETION PRESERVE DISABLE`. As created, the events
   * end 60 s later with ON COMPLETION NOT PRESERVE, and MariaDB silently drops (Note 1588) such an
   * event when a dump restores it after that: every later round trip would "lose" it. Disabled, it
   * also cannot change rows between a backup and the comparison. Default true.
   */
  readonly freezeEvents?: boolean;
}

export interface LoadedSample {
  readonly engine: Engine;
  readonly kind: string;
  readonly name: string;
  readonly server: ServerSettings;
}

/** Test databases always carry this prefix: dropDatabase refuses anything else. */
export const TEST_DATABASE_PREFIX = 'py_t_';
const TEST_NAME = /^py_t_[a-z0-9_]{1,58}$/;

/** e.g. `uniqueDatabaseName('sakila')` → `py_t_sakila_k3x9q2`: lowercase, ≤ 63 chars (PG limit). */
export function uniqueDatabaseName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'db';
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += randomInt(36).toString(36);
  return `${TEST_DATABASE_PREFIX}${clean}_${suffix}`;
}

function assertTestName(name: string): void {
  if (!TEST_NAME.test(name)) {
    throw new Error(`${JSON.stringify(name)} is not a test database name (use uniqueDatabaseName())`);
  }
}

/** Creates an empty database with the server's defaults (as the fixtures' own CREATE would). */
export async function createDatabase(
  engine: Engine,
  name: string,
  server = defaultServer(engine),
): Promise<void> {
  assertTestName(name);
  if (engine === 'mariadb') {
    await withMariadb(server, undefined, (c) => c.query(`CREATE DATABASE \`${name}\``));
  } else {
    await withPostgres(server, postgresMaintenanceDatabase, (c) => c.query(`CREATE DATABASE "${name}"`));
  }
}

/** Drops a test database; missing is fine. PostgreSQL: WITH (FORCE) ends leftover sessions. */
export async function dropDatabase(
  engine: Engine,
  name: string,
  server = defaultServer(engine),
): Promise<void> {
  assertTestName(name);
  if (engine === 'mariadb') {
    await withMariadb(server, undefined, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
  } else {
    await withPostgres(server, postgresMaintenanceDatabase, (c) =>
      c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
  }
}

interface FixtureFile {
  /** Relative to fixturesDir, as in SHA256SUMS. */
  readonly file: string;
  readonly rules: readonly SqlRewriteRule[];
}

/**
 * The files of each sample, in load order, and exactly what is rewritten in them. Everything not
 * listed here reaches the client byte for byte.
 */
function fixtureFiles(engine: Engine, kind: string, name: string): FixtureFile[] {
  const removed = (what: string) => commentedOut(`removed ${what}; loading into ${name} instead`);
  if (engine === 'mariadb') {
    if (kind === 'sakila') {
      const useName = {
        line: 'USE sakila;',
        replacement: `USE \`${name}\`;`,
        times: 1,
        why: 'hard-coded USE',
      };
      return [
        {
          file: 'sakila-mysql/sakila-schema.sql',
          rules: [
            {
              line: 'DROP SCHEMA IF EXISTS sakila;',
              replacement: removed('DROP SCHEMA sakila'),
              times: 1,
              why: 'drop',
            },
            {
              line: 'CREATE SCHEMA sakila;',
              replacement: removed('CREATE SCHEMA sakila'),
              times: 1,
              why: 'create',
            },
            useName,
            // The actor_info view names its tables `sakila.film` etc.: unqualified they resolve to
            // the database in USE, which MariaDB then stores qualified with the unique name.
            { pattern: /\bsakila\./g, replacement: '', times: 7, why: 'actor_info view qualifies tables' },
          ],
        },
        { file: 'sakila-mysql/sakila-data.sql', rules: [useName] },
      ];
    }
    if (kind === 'chinook') {
      return [
        {
          file: 'chinook/Chinook_MySql.sql',
          rules: [
            {
              line: 'DROP DATABASE IF EXISTS `Chinook`;',
              replacement: removed('DROP DATABASE'),
              times: 1,
              why: 'drop',
            },
            {
              line: 'CREATE DATABASE `Chinook`;',
              replacement: removed('CREATE DATABASE'),
              times: 1,
              why: 'create',
            },
            { line: 'USE `Chinook`;', replacement: `USE \`${name}\`;`, times: 1, why: 'hard-coded USE' },
          ],
        },
      ];
    }
    if (kind.startsWith('gh-ost:')) {
      // No database name inside: the client's --database decides where it goes.
      return [{ file: `gh-ost-localtests/${kind.slice('gh-ost:'.length)}/create.sql`, rules: [] }];
    }
  } else {
    if (kind === 'pagila') {
      return [
        { file: 'pagila-2024/pagila-schema.sql', rules: [] },
        { file: 'pagila-2024/pagila-data.sql', rules: [] },
      ];
    }
    if (kind === 'sakila') {
      return [
        { file: 'sakila-postgres/postgres-sakila-schema.sql', rules: [] },
        { file: 'sakila-postgres/postgres-sakila-insert-data-using-copy.sql', rules: [] },
      ];
    }
    if (kind === 'chinook') {
      return [
        {
          file: 'chinook/Chinook_PostgreSql.sql',
          rules: [
            {
              line: 'DROP DATABASE IF EXISTS chinook;',
              replacement: removed('DROP DATABASE'),
              times: 1,
              why: 'drop',
            },
            {
              line: 'CREATE DATABASE chinook;',
              replacement: removed('CREATE DATABASE'),
              times: 1,
              why: 'create',
            },
            // psql is already connected to the unique database.
            { line: '\\c chinook;', replacement: removed('psql connect'), times: 1, why: 'connect' },
          ],
        },
      ];
    }
  }
  throw new Error(`unknown ${engine} sample ${JSON.stringify(kind)}`);
}

let checksums: Map<string, string> | undefined;

/** SHA256SUMS guarantees the rewrite rules meet the bytes they were written for. */
function expectedSha256(file: string): string {
  checksums ??= new Map(
    readFileSync(path.join(fixturesDir, 'SHA256SUMS'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [sum = '', listed = ''] = l.split(/\s+\*?/);
        return [listed.replace(/^\.\//, ''), sum];
      }),
  );
  const sum = checksums.get(file);
  if (sum === undefined) throw new Error(`${file} is not listed in ${fixturesDir}/SHA256SUMS`);
  return sum;
}

async function readFixture(file: string): Promise<string> {
  const bytes = await readFile(path.join(fixturesDir, file));
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expectedSha256(file)) throw new Error(`${file}: SHA-256 differs from SHA256SUMS`);
  return bytes.toString('utf8');
}

/**
 * Creates database `name` (must come from uniqueDatabaseName) and loads the sample into it with
 * the `mariadb` / `psql` CLI on stdin, the way a user would. On failure the database is dropped.
 */
export async function loadSampleDatabase<E extends Engine>(
  engine: E,
  kind: SampleKinds[E],
  name: string,
  options: LoadOptions = {},
): Promise<LoadedSample> {
  const server = options.server ?? defaultServer(engine);
  const files = fixtureFiles(engine, kind, name);
  await createDatabase(engine, name, server);
  try {
    for (const { file, rules } of files) {
      const sql = rewriteSql(await readFixture(file), rules, file);
      const cli =
        engine === 'mariadb'
          ? {
              command: 'mariadb',
              // The files are UTF-8; Chinook's MySQL script has no SET NAMES of its own.
              args: [...mariadbCliArgs(server), '--default-character-set=utf8mb4', `--database=${name}`],
              env: cliEnv(server),
            }
          : {
              command: 'psql',
              args: [
                '-X',
                '-q',
                '-v',
                'ON_ERROR_STOP=1',
                ...postgresCliArgs(server),
                '--dbname',
                name,
                '-f',
                '-',
              ],
              env: cliEnv(server),
            };
      await runCli(cli, Buffer.from(sql, 'utf8'));
    }
    if (engine === 'mariadb' && kind.startsWith('gh-ost:')) await settleEvents(server, name, options);
  } catch (error) {
    await dropDatabase(engine, name, server).catch(() => {});
    throw error;
  }
  return { engine, kind, name, server };
}

/** See LoadOptions: freeze the gh-ost events, then run their bodies a fixed number of times. */
async function settleEvents(server: ServerSettings, name: string, options: LoadOptions): Promise<void> {
  const runs = options.eventBodyRuns ?? 4;
  await withMariadb(server, name, async (c) => {
    // mysql.event, not information_schema.EVENTS: the latter is utf8mb3 and turns the emoji of
    // mixed-charset into '??'. `body` holds the statement's bytes as sent (utf8mb4 here).
    const [events] = await c.query<RowDataPacket[]>('SELECT name, body FROM mysql.event WHERE db = ?', [
      name,
    ]);
    for (const { name: event, body } of events as { name: string; body: Buffer }[]) {
      if (options.freezeEvents ?? true) {
        await c.query(`ALTER EVENT \`${event}\` ON COMPLETION PRESERVE DISABLE`);
      }
      if (runs <= 0) continue;
      // A procedure with the event's body runs exactly the statements the event would run.
      await c.query(`CREATE PROCEDURE \`py_t_event_body\`() ${body.toString('utf8')}`);
      try {
        for (let i = 0; i < runs; i++) await c.query('CALL `py_t_event_body`()');
      } finally {
        await c.query('DROP PROCEDURE `py_t_event_body`');
      }
    }
  });
}

export interface ExpectedCounts {
  /** Table (PostgreSQL: `public.table`) → rows; only the tables the file lists. */
  readonly rowCounts: Record<string, number>;
  /** Object kind (views, triggers, routines, events, matviews, functions) → count. */
  readonly objectCounts: Record<string, number>;
}

const expectedKeys: Record<string, string> = {
  'mariadb sakila': 'sakila',
  'mariadb chinook': 'Chinook',
  'mariadb gh-ost:mixed-charset': 'ghost_mixed_charset',
  'mariadb gh-ost:keyword-column': 'ghost_keyword_column',
  'postgres sakila': 'sakila',
  'postgres pagila': 'pagila',
  'postgres chinook': 'chinook',
};

/**
 * The counts expected-counts.json lists for a sample, or undefined when it lists none. For
 * gh-ost:mixed-charset the 12 rows assume the default eventBodyRuns (4 runs × 3 rows).
 */
export function expectedSampleCounts(engine: Engine, kind: string): ExpectedCounts | undefined {
  const key = expectedKeys[`${engine} ${kind}`];
  if (key === undefined) return undefined;
  const all = JSON.parse(readFileSync(path.join(fixturesDir, 'expected-counts.json'), 'utf8')) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  const serverKey = Object.keys(all).find((k) =>
    k.startsWith(engine === 'mariadb' ? 'mariadb-' : 'postgresql-'),
  );
  const entry = serverKey === undefined ? undefined : all[serverKey]?.[key];
  if (entry === undefined) return undefined;
  const { row_counts: rowCounts, source: _source, ...objectCounts } = entry;
  // Keyed like describeDatabase's tables: PostgreSQL names carry their schema (all in public).
  const qualify = (table: string) => (engine === 'postgres' ? `public.${table}` : table);
  return {
    rowCounts: Object.fromEntries(
      Object.entries(rowCounts as Record<string, number>).map(([t, n]) => [qualify(t), n]),
    ),
    objectCounts: objectCounts as Record<string, number>,
  };
}
