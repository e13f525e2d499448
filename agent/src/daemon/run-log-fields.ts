import type { RunRecord } from '@port-yard/shared';

/**
 * The fields of a run's log line: which run, and for a backup that stored something, the
 * artifacts it made (a DBA grepping the log for last night's backup finds its id and size there).
 */
export function runLogFields(run: RunRecord): Record<string, unknown> {
  const artifacts = run.result?.artifacts.map((artifact) => ({
    id: artifact.id,
    database: artifact.database,
    storedBytes: artifact.storedBytes,
  }));
  return {
    kind: run.kind ?? 'backup',
    target: run.target,
    run: run.id,
    trigger: run.trigger,
    message: run.message,
    ...(artifacts && artifacts.length > 0 ? { artifacts } : {}),
  };
}
