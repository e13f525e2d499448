import type { BenchEngine } from './flags.ts';
import type { SqlDialect } from './sql-dialect.ts';

/** One SQL connection used by the generator. */
export interface SqlSession {
  run(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The dump tool invocation Port-Yard uses, for the shell baselines (no secrets on argv). */
export interface DumpInvocation {
  readonly command: string;
  readonly args: readonly string[];
  /** Environment changes (e.g. libpq's PGHOST, PGUSER); `undefined` removes a variable. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What the bench needs of each database engine. */
export interface BenchEngineDriver {
  readonly name: BenchEngine;
  /** The `engine:` of a Port-Yard target. */
  readonly portYardEngine: 'mariadb' | 'postgres';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dialect: SqlDialect;
  /** Names (/proc comm) of the database server's processes. */
  readonly serverComms: readonly string[];
  /** The dump tool's name, as it appears in /proc (e.g. `mariadb-dump`, `pg_dump`). */
  readonly dumpComm: string;
  /** A session on `database`, or on the server's maintenance database when undefined. */
  connect(database: string | undefined): Promise<SqlSession>;
  databaseExists(admin: SqlSession, database: string): Promise<boolean>;
  createDatabase(admin: SqlSession, database: string): Promise<void>;
  dropDatabase(admin: SqlSession, database: string): Promise<void>;
  /** Session settings for fast bulk generation. */
  readonly generatorSessionSql: readonly string[];
  /** Run once after the data is loaded (statistics, hint bits). */
  afterLoad(session: SqlSession, tables: readonly string[]): Promise<void>;
  /** The exact dump command Port-Yard runs, with its option file written into `privateDir` (0700). */
  dumpInvocation(database: string, privateDir: string): Promise<DumpInvocation>;
}
