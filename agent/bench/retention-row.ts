import { benchmarkRetentionPlanning } from '../src/retention/retention-bench.ts';
import { median } from './method-run.ts';
import { waitForQuiet } from './proc-sampler.ts';
import type { Check } from './report.ts';

/**
 * Retention planning speed: `benchmarkRetentionPlanning` (agent/src/retention/retention-bench.ts)
 * plans 100,000 artifacts (a backup every 5 minutes for about 347 days, the example ladder,
 * Europe/Berlin) in this process, after a small warm-up plan; input generation is not timed.
 * No database is involved.
 */
export interface RetentionResult {
  readonly count: number;
  readonly runsMs: readonly number[];
  readonly minMs: number;
  readonly medianMs: number;
}

const artifacts = 100_000;
const runs = 7;
const limitMs = 100;

export async function measureRetentionPlanning(): Promise<RetentionResult> {
  await waitForQuiet();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(benchmarkRetentionPlanning(artifacts).ms);
  return { count: artifacts, runsMs, minMs: Math.min(...runsMs), medianMs: median(runsMs) };
}

export function renderRetention(result: RetentionResult): string {
  return (
    `Retention planning (${result.count.toLocaleString('en-US')} artifacts, ${result.runsMs.length} runs): ` +
    `min ${result.minMs.toFixed(1)} ms, median ${result.medianMs.toFixed(1)} ms`
  );
}

export function retentionCheck(result: RetentionResult): Check {
  return {
    name: 'retention',
    pass: result.medianMs < limitMs,
    detail:
      `planning ${result.count.toLocaleString('en-US')} artifacts takes < ${limitMs} ms: median ` +
      `${result.medianMs.toFixed(1)} ms (min ${result.minMs.toFixed(1)} ms, ${result.runsMs.length} runs)`,
  };
}
