import type { TableEstimate, TargetConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { describeConnection } from '../engines/describe-connection.ts';
import type { BackupLookups, Engine } from '../engines/engine.ts';

export interface BackupFacts {
  /** Only computed for targets that skip unchanged databases (it is recorded in the manifest). */
  readonly fingerprint: string | null;
  readonly tables: TableEstimate[];
  /** What the dump leaves out for lack of a privilege (`Engine.dumpOmissions`). */
  readonly omissions: string[];
  /** How the database itself was made (`BackupLookups.databaseOptions`); undefined when unknown. */
  readonly databaseOptions: Record<string, string> | undefined;
}

/**
 * What the manifest records of the database, looked up at once: start-up latency is most of a
 * small backup's overhead. A missing database is reported as such, before any other failure.
 */
export async function gatherBackupFacts(
  engine: Engine,
  lookups: BackupLookups,
  target: TargetConfig,
  database: string,
  dumpOmissions = (): Promise<string[]> => engine.dumpOmissions?.(target) ?? Promise.resolve([]),
): Promise<BackupFacts> {
  const [exists, fingerprint, tables, omissions, databaseOptions] = await Promise.allSettled([
    lookups.databaseExists(),
    target.skipIfUnchanged ? engine.fingerprint(target, database).catch(() => null) : Promise.resolve(null),
    lookups.tableEstimates(),
    dumpOmissions(),
    // Only a convenience for later restores: never a reason for the backup to fail.
    lookups.databaseOptions().catch(() => undefined),
  ]);
  if (exists.status === 'fulfilled' && !exists.value) {
    throw new PortYardError(
      'NOT_FOUND',
      `database ${database} does not exist on ${describeConnection(target, engine.defaultPort)}`,
      {
        phase: 'connect',
      },
    );
  }
  for (const result of [exists, fingerprint, tables, omissions])
    if (result.status === 'rejected') throw result.reason;
  const value = <T>(result: PromiseSettledResult<T>): T => (result as PromiseFulfilledResult<T>).value;
  return {
    fingerprint: value(fingerprint),
    tables: value(tables),
    omissions: value(omissions),
    databaseOptions: value(databaseOptions),
  };
}
