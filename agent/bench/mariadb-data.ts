import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { mysqlDumpArgs } from '../src/engines/mysql/mysql-dump-args.ts';
import { mysqlOptionsFile } from '../src/engines/mysql/mysql-options-file.ts';
import type { BenchEngineDriver, SqlSession } from './bench-engine.ts';
import { literal, words } from './data-shape.ts';
import type { SqlDialect } from './sql-dialect.ts';

const host = '127.0.0.1';
const port = 3306;
const user = 'root';

const list = (items: readonly string[]): string => items.map(literal).join(', ');
const wordList = list(words);

/** MariaDB: rows from the SEQUENCE engine (`seq_1_to_N`), words with ELT(). */
export const mariadbDialect: SqlDialect = {
  // The derived table must be materialized (derived_merge=off), or each hash is recomputed per use.
  rowSource: (from, to) =>
    `(SELECT seq AS id, UNHEX(MD5(CONCAT('a', seq))) AS h1, UNHEX(MD5(CONCAT('b', seq))) AS h2,
      UNHEX(MD5(CONCAT('c', seq))) AS h3 FROM seq_${from}_to_${to}) AS s`,
  byte: (k) => `ASCII(SUBSTR(h${1 + Math.floor(k / 16)}, ${(k % 16) + 1}, 1))`,
  word: (index) => `ELT(1 + ${index}, ${wordList})`,
  pick: (items, index) => `ELT(1 + (${index}) % ${items.length}, ${list(items)})`,
  hex: (which) => `LOWER(HEX(h${which}))`,
  concat: (parts) => `CONCAT(${parts.join(', ')})`,
  joinWords: (parts) => `CONCAT_WS(' ', ${parts.join(', ')})`,
  timestamp: (seconds) => `(TIMESTAMP'2021-01-01 00:00:00' + INTERVAL (${seconds}) SECOND)`,
  blob: (prefixHex, hashes, text) =>
    `CONCAT(UNHEX(${prefixHex}), ${hashes.map((h) => `h${h}`).join(', ')}, CAST(${text} AS BINARY))`,
  types: {
    id: 'BIGINT',
    int: 'INT',
    smallint: 'SMALLINT',
    money: 'DECIMAL(12,2)',
    datetime: 'DATETIME',
    datetimeMs: 'DATETIME(3)',
    text: 'TEXT',
    blob: 'MEDIUMBLOB',
  },
  tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
};

const quoteIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

export const mariadbDriver: BenchEngineDriver = {
  name: 'mariadb',
  portYardEngine: 'mariadb',
  host,
  port,
  user,
  dialect: mariadbDialect,
  serverComms: ['mariadbd', 'mysqld'],
  dumpComm: 'mariadb-dump',

  async connect(database) {
    const connection = await mysql.createConnection({
      host,
      port,
      user,
      database,
      charset: 'utf8mb4',
      // Long INSERT … SELECT statements: no client-side timeout.
      connectTimeout: 10_000,
    });
    const session: SqlSession = {
      async run(sql) {
        const [rows] = await connection.query(sql);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      },
      close: () => connection.end(),
    };
    return session;
  },

  async databaseExists(admin, database) {
    const rows = await admin.run(
      `SELECT 1 AS found FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${literal(database)}`,
    );
    return rows.length > 0;
  },

  async createDatabase(admin, database) {
    await admin.run(`CREATE DATABASE ${quoteIdentifier(database)} CHARACTER SET utf8mb4`);
  },

  async dropDatabase(admin, database) {
    await admin.run(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
  },

  generatorSessionSql: [
    "SET SESSION optimizer_switch = 'derived_merge=off'",
    'SET SESSION unique_checks = 0',
    'SET SESSION foreign_key_checks = 0',
    // Materialized chunks of 100k hashed rows stay in memory.
    'SET SESSION tmp_table_size = 268435456',
    'SET SESSION max_heap_table_size = 268435456',
  ],

  async afterLoad(session, tables) {
    await session.run(`ANALYZE TABLE ${tables.map(quoteIdentifier).join(', ')}`);
  },

  async dumpInvocation(database, privateDir) {
    const optionsFile = join(privateDir, `${database}.cnf`);
    await writeFile(optionsFile, mysqlOptionsFile({ host, port, user }, false), { mode: 0o600 });
    return { command: 'mariadb-dump', args: mysqlDumpArgs(optionsFile, database, false), env: {} };
  },
};
