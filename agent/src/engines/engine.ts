import type { Transform } from 'node:stream';
import type { DumpFormat, EngineName, TableEstimate, TargetConfig } from '@port-yard/shared';
import type { ToolCommand } from '../platform/spawn-tool.ts';

/**
 * One database engine (MariaDB, MySQL, PostgreSQL). Everything engine-specific lives behind this
 * interface; the pipeline, catalog and CLI never switch on the engine name.
 */
export interface Engine {
  readonly name: EngineName;
  /** The server port when the target gives none. */
  readonly defaultPort: number;
  /** Connects over SQL and reports the server's flavor and version. Fails with a classified error. */
  probe(connection: ConnectionSettings): Promise<ServerInfo>;
  /** Databases that `databases: all` means: every one except the server's system databases. */
  listDatabases(connection: ConnectionSettings): Promise<string[]>;
  databaseExists(connection: ConnectionSettings, database: string): Promise<boolean>;
  /**
   * The database that `name` is a restore's staging copy of (one being loaded, or left by a
   * restore that was killed), else undefined: `databases: all` leaves such copies out.
   */
  stagingCopyOf?(name: string): string | undefined;
  /**
   * Why a restore must never load into `database` (the server's own databases: replacing one would
   * wreck the server, not restore data), or undefined for any other name.
   */
  refusesRestoreInto(database: string): string | undefined;
  /**
   * A cheap change fingerprint of one database (no table scans): equal to an earlier one only if
   * nothing was committed in it since. Errs towards "changed" (engines/FINGERPRINTS.md).
   */
  fingerprint(connection: ConnectionSettings, database: string): Promise<string>;
  /**
   * What the dump tool will silently leave out of every dump for lack of a privilege of the dump
   * user (one sentence each), so that such an artifact says so; none for an engine whose tool
   * fails instead. Asked once per run: grants may change between runs.
   */
  dumpOmissions?(connection: ConnectionSettings): Promise<string[]>;
  /** The dump command for one database, with its credentials in files that `dispose` removes. */
  prepareDump(request: DumpRequest): Promise<PreparedCommand & DumpDescription>;
  /**
   * Creates an empty database, made like the dumped one when `like` says how (a manifest's
   * `databaseOptions`). Resolves with warnings when it could not be (a locale the server lacks):
   * then it has the server's defaults.
   */
  createDatabase(
    connection: ConnectionSettings,
    database: string,
    like?: Readonly<Record<string, string>>,
  ): Promise<string[]>;
  /**
   * The lookups of one backup of `database` over one connection, opened on first use. Each
   * connection costs the server a process or thread start (PostgreSQL: ~20 ms of CPU) beside the
   * dump, and the four lookups took four.
   */
  backupLookups(connection: ConnectionSettings, database: string): BackupLookups;
  dropDatabase(connection: ConnectionSettings, database: string): Promise<void>;
  /** The command that reads a decompressed dump on stdin and loads it into `database`. */
  prepareRestore(request: RestoreRequest): Promise<PreparedRestore>;
  /**
   * After a restore: the accounts the restored objects run as (MariaDB/MySQL `DEFINER`) that the
   * server lacks, so those objects fail when used. Empty when it cannot tell.
   */
  missingDefiners?(connection: ConnectionSettings, database: string): Promise<string[]>;
  /** The database's size on disk in bytes (for "what will be overwritten"). */
  databaseSize(connection: ConnectionSettings, database: string): Promise<number>;
  /** Sessions connected to `database`, other than this one. */
  openConnections(connection: ConnectionSettings, database: string): Promise<OpenConnections>;
  /**
   * True when replacing a database is atomic: the restore loads into a copy that takes the
   * database's name only once it is complete (PostgreSQL). False: the database is emptied first
   * and a failed load leaves it incomplete (MariaDB/MySQL, which cannot rename a database).
   */
  readonly atomicReplace: boolean;
  /**
   * Starts replacing `database`: returns where to load the dump, then `commit` makes the loaded
   * copy the database and `abort` undoes what can be undone. Open connections are refused
   * (CONFLICT) or, with `terminateConnections`, ended.
   */
  beginReplace(
    connection: ConnectionSettings,
    database: string,
    options: { readonly terminateConnections: boolean; readonly signal?: AbortSignal },
  ): Promise<DatabaseReplacement>;
}

/** What a backup looks up beside its dump, for its manifest (backup-checks.ts). */
export interface BackupLookups {
  /** As `Engine.probe`. */
  probe(): Promise<ServerInfo>;
  /** As `Engine.databaseExists`. */
  databaseExists(): Promise<boolean>;
  /** Per-table row estimates (cheap: from the server's statistics). */
  tableEstimates(): Promise<TableEstimate[]>;
  /** How the database itself was made (the manifest's `databaseOptions`), for a later restore. */
  databaseOptions(): Promise<Record<string, string> | undefined>;
  /** Ends the connection, if one was opened; call it once every lookup settled. */
  close(): Promise<void>;
}

export interface OpenConnections {
  readonly count: number;
  /** The users holding them, without duplicates. */
  readonly users: readonly string[];
  /**
   * The connection's user cannot see other users' sessions (MariaDB/MySQL without the PROCESS
   * privilege), so `count` and `users` are its own only.
   */
  readonly othersHidden?: boolean;
}

export interface DatabaseReplacement {
  /** The database the dump is loaded into: the database itself, or a copy beside it. */
  readonly loadInto: string;
  /** Resolves with warnings about a commit that succeeded (a leftover to drop by hand), if any. */
  commit(): Promise<void | readonly string[]>;
  abort(): Promise<void>;
}

/** The connection part of a target's config, with the password already resolved. */
export type ConnectionSettings = Pick<TargetConfig, 'host' | 'port' | 'socket' | 'user' | 'password' | 'tls'>;

export interface ServerInfo {
  /** e.g. `MariaDB`, `MySQL`, `PostgreSQL`. */
  readonly flavor: string;
  readonly version: string;
  readonly major: number;
}

export interface DumpRequest {
  readonly connection: ConnectionSettings;
  readonly database: string;
  /** The probe's answer, awaited only where it matters, so the dump tool is looked at meanwhile. */
  readonly server: Promise<ServerInfo>;
  /**
   * Resolves once the dump tool was started. A check that starts a program of its own (pg_dump
   * --version) waits for it: each start takes this process's thread for milliseconds that the
   * dump's own start would otherwise wait. Absent: at once.
   */
  readonly dumpStarted?: Promise<void>;
  readonly dumpCommand?: string;
  readonly dumpFormat?: 'custom' | 'plain';
}

export interface DumpDescription {
  readonly format: DumpFormat;
  /** File extension before the compression suffix: `sql` or `pgdump`. */
  readonly extension: string;
  readonly toolName: string;
  /**
   * The tool's version, once it is known to fit the server: rejects with VERSION_MISMATCH (a
   * pg_dump older than the server). The dump may already run meanwhile; a backup reports this
   * failure instead of the dump's.
   */
  readonly toolVersion: Promise<string>;
  /** Watches the raw dump bytes and says whether the dump is complete. */
  createCompletionCheck(): CompletionCheck;
  /**
   * The command is the engine's own dump tool (by file name, at any path, and not a script),
   * whose exit status is known to say whether the dump is complete: the pipeline may then let
   * zstd read the bytes directly, unobserved. False for anything else `dumpCommand` names (a
   * wrapper script, also one named `pg_dump`): its bytes are read here so the completion check
   * sees them.
   */
  readonly exitStatusTrusted: boolean;
}

export interface RestoreRequest {
  readonly connection: ConnectionSettings;
  readonly database: string;
  readonly format: DumpFormat;
  /**
   * PostgreSQL custom format: restore without the dump's owners and grants (`--no-owner
   * --no-privileges`), so everything belongs to the connecting user (sandboxes).
   */
  readonly withoutOwnership?: boolean;
  /**
   * PostgreSQL custom format staged in a local file: pg_restore reads the file itself, with
   * `--jobs` parallel workers (without a single transaction, which --jobs excludes).
   */
  readonly stagedFile?: { readonly path: string; readonly jobs: number };
  /**
   * The database the dump was taken from (its manifest's). A MariaDB/MySQL dump names it in a few
   * statements, which a load under another name must point at `database`.
   */
  readonly dumpedDatabase?: string;
}

export interface PreparedRestore extends PreparedCommand {
  /** A stream the dump passes through on its way to the tool, when it must be rewritten. */
  readonly rewriteInput?: () => Transform;
}

export interface PreparedCommand {
  readonly command: ToolCommand;
  /** Removes the credential files; always called, success or not. */
  dispose(): Promise<void>;
}

export interface CompletionCheck {
  observe(chunk: Buffer): void;
  /** Undefined when the dump is complete, else why it is not. */
  problem(): string | undefined;
}
