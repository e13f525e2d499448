import type { ArtifactSummary } from '@port-yard/shared';

/** A chart's data: the times (seconds) of every backup, and per database its value at each (null: none then). */
export interface DatabaseSeries {
  readonly times: number[];
  readonly databases: string[];
  readonly sizes: (number | null)[][];
  readonly durations: (number | null)[][];
}

/** How long the backup of `entry` took, from its manifest. */
export const tookMs = (entry: ArtifactSummary): number =>
  Date.parse(entry.manifest.finishedAt) - Date.parse(entry.manifest.startedAt);

/**
 * One line per database: a target with a 4 GB and a 4 MB database is two flat lines, not one
 * that zig-zags between them. Sizes are divided by `divisor` (the unit), durations in seconds.
 */
export function seriesByDatabase(artifacts: readonly ArtifactSummary[], divisor: number): DatabaseSeries {
  const times = [...new Set(artifacts.map((entry) => Date.parse(entry.manifest.startedAt) / 1000))].sort(
    (a, b) => a - b,
  );
  const column = new Map(times.map((time, index) => [time, index]));
  const databases = [...new Set(artifacts.map((entry) => entry.manifest.database))].sort();
  const sizes = databases.map(() => times.map((): number | null => null));
  const durations = databases.map(() => times.map((): number | null => null));
  for (const entry of artifacts) {
    const row = databases.indexOf(entry.manifest.database);
    const at = column.get(Date.parse(entry.manifest.startedAt) / 1000)!;
    sizes[row]![at] = entry.manifest.storedBytes / divisor;
    durations[row]![at] = tookMs(entry) / 1000;
  }
  return { times, databases, sizes, durations };
}
