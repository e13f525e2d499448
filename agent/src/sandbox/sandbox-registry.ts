import type { ConnectionSettings } from '../engines/engine.ts';
import type { EngineFamily } from '../verify/engine-family.ts';
import { createMysqlSandboxRegistry } from './mysql-sandbox-registry.ts';
import { createPostgresSandboxRegistry } from './postgres-sandbox-registry.ts';

export type SandboxStatus = 'creating' | 'ready' | 'dropping';

/** One row of `port_yard.sandboxes`: what a sandbox is, never its password. */
export interface SandboxRecord {
  readonly id: string;
  readonly target: string;
  readonly artifactId: string;
  readonly database: string;
  readonly user: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly createdBy: string;
  readonly status: SandboxStatus;
}

/**
 * The sandbox registry of one test server: the table `sandboxes` in the database `port_yard` ON
 * that server, so it survives agent restarts and is shared by every agent (daemon, CLI) using the
 * server. Only the server's admin user (the test server's `user`) reads and writes it; sandbox
 * users have no rights on it.
 *
 * Rows come before the things they describe: a row is inserted (`creating`) before the database
 * and user exist, and removed only after both were dropped. So a `py_sbx_` database or user
 * without a row was never in flight, and the expiry pass may drop it.
 */
export interface SandboxRegistry {
  /** Creates the registry database and table when missing (`IF NOT EXISTS`). */
  ensure(): Promise<void>;
  /** Every row, oldest first; [] when the registry does not exist yet (nothing is created). */
  list(): Promise<SandboxRecord[]>;
  insert(record: SandboxRecord): Promise<void>;
  /** `creating` → `ready` with the final expiry; false when the row is gone or no longer creating. */
  markReady(id: string, expiresAt: Date): Promise<boolean>;
  /** A new expiry for a ready sandbox; false when no such row, or it is being created or dropped. */
  setExpiry(id: string, expiresAt: Date): Promise<boolean>;
  /**
   * Marks the row `dropping`, so no extend or late creation step revives it, and due by `now`, so
   * the expiry pass retries a drop that fails (a destroy's too). With `onlyExpired`, only when it
   * expired by `now` (an extend that came first wins). True when the row is now `dropping`.
   */
  claimForDrop(id: string, now: Date, onlyExpired?: boolean): Promise<boolean>;
  remove(id: string): Promise<void>;
}

/** The registry's database on every test server. */
export const registryDatabase = 'port_yard';

export function createSandboxRegistry(family: EngineFamily, connection: ConnectionSettings): SandboxRegistry {
  return family === 'postgres'
    ? createPostgresSandboxRegistry(connection)
    : createMysqlSandboxRegistry(connection);
}
