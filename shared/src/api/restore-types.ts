import { z } from 'zod';
import { artifactIdSchema } from '../manifest/manifest-schema.ts';

/** What a restore would do, shown before it is confirmed (CLI prompt, the console's dialog). */
export interface RestorePlan {
  readonly artifactId: string;
  readonly target: string;
  /** The database the artifact was taken from. */
  readonly sourceDatabase: string;
  /** The database restored into. */
  readonly database: string;
  /** replace: it exists and its contents are replaced; new: it is created. */
  readonly mode: 'replace' | 'new';
  /** host:port (or socket) of the target's server. */
  readonly server: string;
  readonly serverVersion: string;
  /** The existing database's size on disk, when it is replaced. */
  readonly databaseBytes?: number;
  readonly artifact: {
    readonly startedAt: string;
    readonly ageSeconds: number;
    readonly storedBytes: number;
    readonly rawBytes: number;
    readonly serverVersion: string;
  };
  /** Sessions on the database being replaced, other than Port-Yard's. */
  readonly openConnections: { readonly count: number; readonly users: readonly string[] };
  /** True when a failed replacement leaves the database untouched (PostgreSQL). */
  readonly atomic: boolean;
  readonly warnings: readonly string[];
  /** The target's restore settings a request may override. */
  readonly defaults: {
    readonly safetyBackup: boolean;
    readonly openConnections: 'refuse' | 'terminate';
  };
  /** What must be typed back to confirm (the database name), when the restore replaces one. */
  readonly confirmation?: string;
}

const databaseNameInput = z.string().min(1).max(64);

export const restorePlanInput = z.strictObject({
  id: artifactIdSchema,
  /** Restore into this database; the artifact's own database when omitted. */
  toDatabase: databaseNameInput.optional(),
});

export const restoreInput = z.strictObject({
  id: artifactIdSchema,
  toDatabase: databaseNameInput.optional(),
  /** The database name typed back; required when an existing database is replaced. */
  confirm: z.string().max(64).optional(),
  /** Back up the database being replaced first (default: the target's restore.safetyBackup). */
  safetyBackup: z.boolean().optional(),
  /** Open connections on a database being replaced (default: restore.openConnections). */
  openConnections: z.enum(['refuse', 'terminate']).optional(),
});

export type RestoreInput = z.infer<typeof restoreInput>;
