import type { MethodId, SizeResult } from './measure.ts';
import { descendantCpuMs, descendantPeakRssKb, foreignCpuMs, median, type MethodRun } from './method-run.ts';

/** One method's numbers for the report: medians over the runs (RSS: the maximum). */
export interface MethodSummary {
  readonly id: MethodId;
  readonly label: string;
  readonly wallS: number;
  readonly minS: number;
  readonly maxS: number;
  /** Each run's wall time, in round order (run i belongs to round i). */
  readonly wallsS: readonly number[];
  readonly mbPerS: number;
  readonly vsZstd: number | undefined;
  /**
   * The median of the rounds' own ratios (this method's run / the zstd pipeline's run of the same
   * round): the machine's speed drifts between rounds, and a pair shares its round's conditions.
   */
  readonly vsZstdPaired: number | undefined;
  /** Each round's own ratio to the zstd pipeline, in round order (their spread shows the noise). */
  readonly vsZstdRounds: readonly number[];
  readonly vsNull: number | undefined;
  readonly outputMb: number | undefined;
  readonly ratio: number | undefined;
  /** The root process's own peak RSS (Node for Port-Yard, bash for the baselines), max over runs. */
  readonly rootPeakRssMb: number | undefined;
  readonly rootCpuS: number | undefined;
  readonly dumpCpuS: number;
  readonly compressorCpuS: number | undefined;
  readonly serverCpuS: number;
  /** CPU seconds of the S3 server (s3rver) during the run; 0 for rows that do not use it. */
  readonly sideCpuS: number;
  readonly treeCpuS: number;
  readonly dumpPeakRssMb: number;
  readonly compressorPeakRssMb: number | undefined;
  /** When the dump tool was first seen, seconds after the spawn. */
  readonly dumpStartS: number | undefined;
  /** The root's RSS when the dump tool started (after start-up, before data flows), max over runs. */
  readonly rootRssAtDumpStartMb: number | undefined;
  /** Runs measured again because other jobs used CPU meanwhile. */
  readonly discardedRuns: number;
  /** Median of the runs' own timing of the work alone (see MethodRun.innerMs), if they report one. */
  readonly innerS: number | undefined;
  /** Share of all CPUs busy during the run, machine-wide (0..1). */
  readonly systemBusy: number;
  /**
   * CPU seconds used on the machine during the run by neither the measured tree, the database
   * server nor the bench itself: the kernel's own threads (write-back) and other jobs.
   */
  readonly otherCpuS: number;
}

export interface MeasuredSize {
  readonly engine: SizeResult['engine'];
  readonly dumpComm: string;
  readonly sizeMb: number;
  readonly database: SizeResult['database'];
  readonly rawBytes: number;
  readonly reps: number;
  readonly methods: readonly MethodSummary[];
  readonly verifyProblems: readonly string[];
  readonly portYardRunCount: number;
  readonly portYardFailures: SizeResult['portYardFailures'];
  readonly discarded: SizeResult['discarded'];
}

const compressors = ['zstd', 'gzip', 'pigz'];

export function summarize(size: SizeResult): MeasuredSize {
  const wallOf = (id: MethodId): number | undefined => {
    const method = size.methods.find((candidate) => candidate.id === id);
    return method ? median(method.runs.map((run) => run.wallMs)) : undefined;
  };
  const zstdMs = wallOf('zstd');
  const zstdRuns = size.methods.find((candidate) => candidate.id === 'zstd')?.runs;
  const nullMs = wallOf('null');
  const methods = size.methods.map((method): MethodSummary => {
    const runs = method.runs;
    const wallMs = median(runs.map((run) => run.wallMs));
    const of = (pick: (run: MethodRun) => number): number => median(runs.map(pick));
    const outputs = runs
      .map((run) => run.outputBytes)
      .filter((bytes): bytes is number => bytes !== undefined);
    const outputBytes = outputs.length > 0 ? median(outputs) : undefined;
    const usesCompressor = method.id !== 'null' && method.id !== 's3-upload';
    const dumpStarts = runs
      .map((run) => run.usage.descendants.find((group) => group.comm === size.dumpComm)?.firstSeenMs)
      .filter((ms): ms is number => ms !== undefined);
    return {
      id: method.id,
      label: method.label,
      wallS: wallMs / 1000,
      minS: Math.min(...runs.map((run) => run.wallMs)) / 1000,
      maxS: Math.max(...runs.map((run) => run.wallMs)) / 1000,
      wallsS: runs.map((run) => run.wallMs / 1000),
      mbPerS: size.rawBytes / 1e6 / (wallMs / 1000),
      vsZstd: zstdMs ? wallMs / zstdMs : undefined,
      vsZstdPaired: zstdRuns ? pairedRatio(runs, zstdRuns) : undefined,
      vsZstdRounds: zstdRuns ? roundRatios(runs, zstdRuns) : [],
      vsNull: nullMs ? wallMs / nullMs : undefined,
      outputMb: outputBytes === undefined ? undefined : outputBytes / 1e6,
      ratio: outputBytes ? size.rawBytes / outputBytes : undefined,
      rootPeakRssMb: Math.max(...runs.map((run) => run.usage.rootPeakRssKb)) / 1024,
      rootCpuS: of((run) => run.usage.rootCpuMs) / 1000,
      dumpCpuS: of((run) => descendantCpuMs(run, [size.dumpComm])) / 1000,
      compressorCpuS: usesCompressor ? of((run) => descendantCpuMs(run, compressors)) / 1000 : undefined,
      serverCpuS: of((run) => run.usage.serverCpuMs) / 1000,
      sideCpuS: of((run) => run.usage.sideCpuMs) / 1000,
      treeCpuS: of((run) => run.treeCpuMs) / 1000,
      dumpPeakRssMb: Math.max(...runs.map((run) => descendantPeakRssKb(run, [size.dumpComm]))) / 1024,
      compressorPeakRssMb: usesCompressor
        ? Math.max(...runs.map((run) => descendantPeakRssKb(run, compressors))) / 1024
        : undefined,
      dumpStartS: dumpStarts.length > 0 ? median(dumpStarts) / 1000 : undefined,
      rootRssAtDumpStartMb: rssAtDumpStart(runs, size.dumpComm),
      innerS: runs.every((run) => run.innerMs !== undefined) ? of((run) => run.innerMs!) / 1000 : undefined,
      discardedRuns: size.discarded.filter((entry) => entry.method === method.id).length,
      systemBusy: of((run) => run.usage.systemBusy),
      otherCpuS: of(foreignCpuMs) / 1000,
    };
  });
  const runNumbers = new Map<string, number>();
  const verifyProblems = size.portYardRuns.flatMap(({ label, run }) => {
    const which = `${label} run ${runNumbers.set(label, (runNumbers.get(label) ?? 0) + 1).get(label)}`;
    return [
      ...run.verifyProblems.map((problem) => `${which}: ${problem}`),
      ...(run.rawBytes === size.rawBytes
        ? []
        : [`${which}: rawBytes ${run.rawBytes} differs from the warm-up dump's ${size.rawBytes} bytes`]),
    ];
  });
  return {
    engine: size.engine,
    dumpComm: size.dumpComm,
    sizeMb: size.sizeMb,
    database: size.database,
    rawBytes: size.rawBytes,
    reps: Math.min(...size.methods.map((method) => method.runs.length)),
    methods,
    verifyProblems,
    portYardRunCount: size.portYardRuns.length,
    portYardFailures: size.portYardFailures,
    discarded: size.discarded,
  };
}

/** The root's VmRSS at the first sample after the dump tool appeared, max over runs, in MB. */
function rssAtDumpStart(runs: readonly MethodRun[], dumpComm: string): number | undefined {
  const values = runs.flatMap((run) => {
    const start = run.usage.descendants.find((group) => group.comm === dumpComm)?.firstSeenMs;
    if (start === undefined) return [];
    const sample = run.usage.rootRssTimeline.find(([ms]) => ms >= start);
    return sample ? [sample[1] / 1024] : [];
  });
  return values.length > 0 ? Math.max(...values) : undefined;
}

/**
 * `runs[i] / baseline[i]` for every round both have (run i of each method belongs to round i: a
 * round's retries replace its run in place).
 */
export function roundRatios(runs: readonly MethodRun[], baseline: readonly MethodRun[]): number[] {
  return ratiosByRound(
    runs.map((run) => run.wallMs),
    baseline.map((run) => run.wallMs),
  );
}

/** `walls[i] / baseline[i]` for every round both have (wall times in round order, any unit). */
export function ratiosByRound(walls: readonly number[], baseline: readonly number[]): number[] {
  const rounds = Math.min(walls.length, baseline.length);
  return Array.from({ length: rounds }, (_, round) => walls[round]! / baseline[round]!);
}

/** The median of `roundRatios`; undefined when there is no common round. */
export function pairedRatio(runs: readonly MethodRun[], baseline: readonly MethodRun[]): number | undefined {
  const ratios = roundRatios(runs, baseline);
  return ratios.length > 0 ? median(ratios) : undefined;
}
