import type { TreeUsage } from './proc-sampler.ts';

/** One measured run of one method. */
export interface MethodRun {
  readonly wallMs: number;
  /** Bytes of the file it wrote (compressed), if it wrote one. */
  readonly outputBytes: number | undefined;
  readonly usage: TreeUsage;
  /** Exact CPU time of the whole process tree (root and descendants), in ms. */
  readonly treeCpuMs: number;
  /** The work alone, as the process itself timed it (S3 upload alone: without Node start-up). */
  readonly innerMs?: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** CPU (ms) of the descendants whose command name is one of `comms`. */
export function descendantCpuMs(run: MethodRun, comms: readonly string[]): number {
  return run.usage.descendants
    .filter((group) => comms.includes(group.comm))
    .reduce((sum, group) => sum + group.cpuMs, 0);
}

/** Largest peak RSS (kB) of the descendants whose command name is one of `comms`. */
export function descendantPeakRssKb(run: MethodRun, comms: readonly string[]): number {
  return run.usage.descendants
    .filter((group) => comms.includes(group.comm))
    .reduce((peak, group) => Math.max(peak, group.peakRssKb), 0);
}

/**
 * CPU time (ms) used on the machine during the run by neither the measured tree, the database
 * server, the S3 server nor the bench itself: kernel threads (write-back) and other jobs on a
 * shared machine.
 */
export function foreignCpuMs(run: MethodRun): number {
  const usage = run.usage;
  const known = run.treeCpuMs + usage.serverCpuMs + usage.benchCpuMs + usage.sideCpuMs;
  return Math.max(0, usage.systemBusyMs - known);
}
