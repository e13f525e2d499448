import { planRetention } from './plan-retention.ts';
import type { PlanRetentionInput, RetentionArtifact } from './retention-types.ts';
import { artifactsEvery, exampleLadder } from './synthetic-artifacts.ts';

/**
 * The benchmark's input: `count` artifacts, a backup every 5 minutes up to 2026-11-03T12:00Z
 * (100,000 ≈ 347 days), the example ladder, Europe/Berlin, ids and times as strings.
 */
export function benchmarkScenario(count: number): PlanRetentionInput {
  const newest = new Date('2026-11-03T12:00:00Z');
  return {
    // Through JSON, as a catalog hands them over: flat strings rather than concatenations.
    artifacts: JSON.parse(
      JSON.stringify(artifactsEvery({ newest, stepMinutes: 5, count })),
    ) as RetentionArtifact[],
    policy: exampleLadder,
    timeZone: 'Europe/Berlin',
    now: new Date('2026-11-03T12:30:00Z'),
  };
}

/**
 * Times one retention plan over `count` artifacts (input generation not timed). A small plan
 * runs first, so the figure is the steady state of a long-running agent rather than JIT warm-up.
 */
export function benchmarkRetentionPlanning(count = 100_000): { count: number; ms: number } {
  planRetention(benchmarkScenario(2_000));
  const input = benchmarkScenario(count);
  const started = performance.now();
  planRetention(input);
  return { count, ms: performance.now() - started };
}
