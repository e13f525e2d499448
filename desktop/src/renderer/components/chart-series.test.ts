import { describe, expect, it } from 'vitest';
import type { ArtifactSummary } from '@port-yard/shared';
import { seriesByDatabase } from './chart-series.ts';

const artifact = (database: string, startedAt: string, seconds: number, storedBytes: number) =>
  ({
    manifest: {
      database,
      startedAt,
      finishedAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
      storedBytes,
    },
  }) as unknown as ArtifactSummary;

describe('seriesByDatabase', () => {
  it('gives each database its own line over the times of every backup, empty where it has none', () => {
    const data = seriesByDatabase(
      [
        artifact('shop', '2026-11-26T03:00:00Z', 60, 4_000_000_000),
        artifact('audit', '2026-11-26T03:00:00Z', 2, 4_000_000),
        artifact('shop', '2026-11-27T03:00:00Z', 62, 4_100_000_000),
        artifact('audit', '2026-11-27T03:01:00Z', 3, 4_200_000),
      ],
      1e6,
    );
    const at = (iso: string): number => Date.parse(iso) / 1000;
    expect(data.times).toEqual([
      at('2026-11-26T03:00:00Z'),
      at('2026-11-27T03:00:00Z'),
      at('2026-11-27T03:01:00Z'),
    ]);
    expect(data.databases).toEqual(['audit', 'shop']);
    expect(data.sizes).toEqual([
      [4, null, 4.2],
      [4000, 4100, null],
    ]);
    expect(data.durations).toEqual([
      [2, null, 3],
      [60, 62, null],
    ]);
  });
});
