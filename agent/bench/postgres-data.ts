import pg from 'pg';
import { postgresToolEnv } from '../src/engines/postgres/postgres-tool-env.ts';
import type { BenchEngineDriver, SqlSession } from './bench-engine.ts';
import { literal, words } from './data-shape.ts';
import type { SqlDialect } from './sql-dialect.ts';

const host = '127.0.0.1';
const port = 5432;
const user = 'postgres';

const list = (items: readonly string[]): string => items.map(literal).join(', ');

/**
 * PostgreSQL: rows from generate_series. The word list is a `name[]`: a fixed-width element type,
 * so subscripting it is O(1) (a `text[]` is walked element by element, ten times slower here).
 * `OFFSET 0` keeps the planner from inlining the subquery, which would recompute each md5 per use.
 */
export const postgresDialect: SqlDialect = {
  rowSource: (from, to) =>
    `(SELECT g AS id, decode(md5('a' || g), 'hex') AS h1, decode(md5('b' || g), 'hex') AS h2,
      decode(md5('c' || g), 'hex') AS h3 FROM generate_series(${from}::bigint, ${to}::bigint) AS g OFFSET 0) AS s,
     (SELECT ARRAY[${list(words)}]::name[] AS w) AS c`,
  byte: (k) => `get_byte(h${1 + Math.floor(k / 16)}, ${k % 16})`,
  word: (index) => `c.w[1 + ${index}]::text`,
  pick: (items, index) => `(ARRAY[${list(items)}]::text[])[1 + (${index}) % ${items.length}]`,
  hex: (which) => `encode(h${which}, 'hex')`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  joinWords: (parts) => `concat_ws(' ', ${parts.join(', ')})`,
  timestamp: (seconds) => `(timestamp '2021-01-01 00:00:00' + make_interval(secs => (${seconds})::float8))`,
  blob: (prefixHex, hashes, text) =>
    `(decode(${prefixHex}, 'hex') || ${hashes.map((h) => `h${h}`).join(' || ')} || convert_to(${text}, 'UTF8'))`,
  types: {
    id: 'bigint',
    int: 'integer',
    smallint: 'smallint',
    money: 'numeric(12,2)',
    datetime: 'timestamp(0)',
    datetimeMs: 'timestamp(3)',
    text: 'text',
    blob: 'bytea',
  },
  tableOptions: '',
};

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const postgresDriver: BenchEngineDriver = {
  name: 'postgres',
  portYardEngine: 'postgres',
  host,
  port,
  user,
  dialect: postgresDialect,
  serverComms: ['postgres'],
  dumpComm: 'pg_dump',

  async connect(database) {
    const client = new pg.Client({ host, port, user, database: database ?? 'postgres' });
    await client.connect();
    const session: SqlSession = {
      async run(sql) {
        const result = await client.query(sql);
        return result.rows as Record<string, unknown>[];
      },
      close: () => client.end(),
    };
    return session;
  },

  async databaseExists(admin, database) {
    const rows = await admin.run(`SELECT 1 AS found FROM pg_database WHERE datname = ${literal(database)}`);
    return rows.length > 0;
  },

  async createDatabase(admin, database) {
    await admin.run(`CREATE DATABASE ${quoteIdentifier(database)}`);
  },

  async dropDatabase(admin, database) {
    await admin.run(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
  },

  generatorSessionSql: ['SET synchronous_commit = off', "SET work_mem = '64MB'"],

  async afterLoad(session, tables) {
    // Freezing sets the hint bits now, so the first dump does not write every page.
    await session.run(`VACUUM (FREEZE, ANALYZE) ${tables.map(quoteIdentifier).join(', ')}`);
  },

  async dumpInvocation(database) {
    const env = postgresToolEnv({ host, port, user }, undefined);
    return {
      command: 'pg_dump',
      // As postgres-engine.ts prepareDump (custom format, pg_dump's compression off).
      args: ['--format=custom', '--compress=0', '--no-password', `--dbname=${database}`],
      env,
    };
  },
};
