import type { TargetConfig } from '@port-yard/shared';
import type { DumpDescription, Engine, ServerInfo } from '../engines/engine.ts';
import { gatherBackupFacts, type BackupFacts } from './gather-backup-facts.ts';

export interface CheckedBackup {
  readonly server: ServerInfo;
  readonly facts: BackupFacts;
  readonly toolVersion: string;
}

/**
 * The SQL checks of one backup (the probe and the facts), started on demand: a backup starts them
 * once its dump is under way, because loading a driver takes the event loop for tens of
 * milliseconds that the dump would otherwise wait (or first, when it must: skipIfUnchanged).
 */
export interface BackupChecks {
  /** The probe's answer, once started (what the dump tool's version check waits for). */
  readonly server: Promise<ServerInfo>;
  /** Resolves on the first `start()`. */
  readonly started: Promise<void>;
  /** Starts the probe and the facts; later calls do nothing. */
  start(): void;
  /**
   * Every check, in order of precedence: the probe's failure (AUTH_FAILED, CONNECTION_FAILED) is
   * the one to report, as the others hit the same wall; then a missing database; then the dump
   * tool's version. Never counts as an unhandled rejection; settles only after `start()`.
   */
  settled(preparing: Promise<Pick<DumpDescription, 'toolVersion'>>): Promise<CheckedBackup>;
}

export function createBackupChecks(
  engine: Engine,
  target: TargetConfig,
  database: string,
  dumpOmissions?: () => Promise<string[]>,
): BackupChecks {
  let start!: () => void;
  const started = new Promise<[Promise<ServerInfo>, Promise<BackupFacts>]>((resolve) => {
    let called = false;
    start = () => {
      if (called) return;
      called = true;
      const lookups = engine.backupLookups(target, database);
      const probed = lookups.probe();
      const gathered = gatherBackupFacts(engine, lookups, target, database, dumpOmissions);
      void Promise.allSettled([probed, gathered]).then(() => lookups.close());
      resolve([probed, gathered]);
    };
  });
  const server = started.then(([probed]) => probed);
  const begun = started.then(() => undefined);
  const facts = started.then(([, gathered]) => gathered);
  for (const pending of [server, facts]) pending.catch(() => undefined);
  return {
    server,
    started: begun,
    start,
    settled(preparing) {
      const all = (async () => ({
        server: await server,
        facts: await facts,
        toolVersion: await (await preparing).toolVersion,
      }))();
      all.catch(() => undefined);
      return all;
    },
  };
}
