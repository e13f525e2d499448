import type { TargetConfig } from '@port-yard/shared';
import type { BackupLookups, Engine } from '../engines/engine.ts';

/** The engine's lookups over one connection, or (an engine without them) each on its own. */
export function backupLookupsOf(engine: Engine, target: TargetConfig, database: string): BackupLookups {
  if (engine.backupLookups) return engine.backupLookups(target, database);
  return {
    probe: () => engine.probe(target),
    databaseExists: () => engine.databaseExists(target, database),
    tableEstimates: () => engine.tableEstimates(target, database),
    databaseOptions: () => engine.databaseOptions?.(target, database) ?? Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}
