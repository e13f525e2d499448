import type { RetentionArtifact, RetentionPolicyInput } from './retention-types.ts';

/** The README's example ladder (DESIGN §5), used by the benchmark and the golden tests. */
export const exampleLadder: RetentionPolicyInput = {
  keepLast: 3,
  tiers: [
    { every: '15m', for: '24h' },
    { every: '1h', for: '72h' },
    { every: '1d', for: '14d' },
    { every: '1w', for: '1y' },
  ],
};

/**
 * `count` artifacts `stepMinutes` apart, the newest at `newest`, oldest first (as a catalog lists
 * them). Ids name the minute in UTC, `b-2026-10-25T01:05Z`, so test expectations read as times.
 */
export function artifactsEvery(options: {
  readonly newest: Date;
  readonly stepMinutes: number;
  readonly count: number;
}): RetentionArtifact[] {
  const { newest, stepMinutes, count } = options;
  const artifacts: RetentionArtifact[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const startedAt = new Date(newest.getTime() - i * stepMinutes * 60_000).toISOString();
    artifacts.push({ id: artifactId(startedAt), startedAt });
  }
  return artifacts;
}

/** `2026-10-25T01:05:00.000Z` → `b-2026-10-25T01:05Z`. */
export function artifactId(isoTime: string): string {
  return `b-${isoTime.slice(0, 16)}Z`;
}
