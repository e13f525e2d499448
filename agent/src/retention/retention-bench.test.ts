import { describe, expect, it } from 'vitest';
import { planRetention } from './plan-retention.ts';
import { benchmarkRetentionPlanning, benchmarkScenario } from './retention-bench.ts';

/** Correctness at benchmark scale; the timing itself is reported by `npm run bench`, not asserted. */
describe('retention at 100,000 artifacts', () => {
  it('plans the benchmark scenario correctly', () => {
    const input = benchmarkScenario(100_000);
    const plan = planRetention({ ...input, policy: { ...input.policy, maxDeletePerRun: 1_000_000 } });
    // The oldest artifact is 2025-11-21T06:45Z, so the 1w tier holds 2025-W47 … 2026-W45: 51 weeks.
    // Kept: 97 quarter hours + 1 keepLast-only + 48 new hours + 11 new days + 48 new weeks.
    expect(plan.keep).toHaveLength(205);
    expect(plan.keep.filter((k) => k.reasons.some((r) => r.includes('(tier 4:')))).toHaveLength(51);
    expect(plan.delete).toHaveLength(100_000 - 205);
    expect(plan.deferred).toHaveLength(0);
    expect(new Set([...plan.keep, ...plan.delete].map((d) => d.id)).size).toBe(100_000);
    expect(plan.delete.at(-1)?.id).toBe('b-2025-11-21T06:45Z');
  });

  it('reports how long a plan took', () => {
    const result = benchmarkRetentionPlanning(10_000);
    expect(result.count).toBe(10_000);
    expect(result.ms).toBeGreaterThan(0);
  });
});
