import type { ConnectionSettings } from '../engines/engine.ts';
import type { EngineFamily } from '../verify/engine-family.ts';
import { createMysqlSandboxAccounts } from './mysql-sandbox-accounts.ts';
import { createPostgresSandboxAccounts } from './postgres-sandbox-accounts.ts';

/**
 * The engine-specific SQL of sandboxes, run as the test server's admin user. Names are sandbox
 * ids (`py_sbx_<10 hex>`, checked by the callers), so they need no quoting beyond the engine's
 * identifier quotes. Passwords are sent as hashes (MariaDB) or SCRAM verifiers (PostgreSQL).
 */
export interface SandboxAccounts {
  /** Right after CREATE DATABASE: nobody but the admin may connect to it (PostgreSQL: PUBLIC loses CONNECT). */
  isolateDatabase(database: string): Promise<void>;
  /** A login user with this password and no rights yet. */
  createUser(user: string, password: string): Promise<void>;
  /** Every right on this one database (and its objects), none anywhere else. */
  grantDatabase(database: string, user: string): Promise<void>;
  /**
   * Before its database is dropped: the user can no longer log in, and its sessions are ended, so
   * no transaction it left open holds up DROP DATABASE (MariaDB waits for its metadata locks for
   * `lock_wait_timeout`, a day by default). A missing user is fine.
   */
  endSessions(user: string): Promise<void>;
  /** Ends the user's sessions and drops the user; a missing user is fine. */
  dropUser(user: string): Promise<void>;
  /** The `py_sbx_` databases and users on the server. */
  leftovers(): Promise<{ databases: string[]; users: string[] }>;
}

export function createSandboxAccounts(family: EngineFamily, connection: ConnectionSettings): SandboxAccounts {
  return family === 'postgres'
    ? createPostgresSandboxAccounts(connection)
    : createMysqlSandboxAccounts(connection);
}
