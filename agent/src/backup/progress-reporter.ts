import type { RunProgress } from '@port-yard/shared';
import { progressEveryMs } from '../pipeline/dump-source.ts';

export type ReportProgress = (
  phase: RunProgress['phase'],
  rawBytes: number,
  storedBytes: number,
  force: boolean,
) => void;

/** Progress of one database's backup, at most every `progressEveryMs` unless forced (phase changes). */
export function progressReporter(
  request: {
    readonly targetName: string;
    readonly database: string;
    readonly onProgress?: (progress: RunProgress) => void;
  },
  startedAt: Date,
  clock: () => Date,
): ReportProgress {
  let last = 0;
  return (phase: RunProgress['phase'], rawBytes: number, storedBytes: number, force: boolean): void => {
    if (!request.onProgress) return;
    const now = clock().getTime();
    if (!force && now - last < progressEveryMs) return;
    last = now;
    const elapsedMs = now - startedAt.getTime();
    const bytesPerSecond = elapsedMs > 0 ? Math.round((rawBytes * 1000) / elapsedMs) : 0;
    request.onProgress({
      target: request.targetName,
      database: request.database,
      phase,
      rawBytes,
      storedBytes,
      bytesPerSecond,
      elapsedMs,
    });
  };
}
