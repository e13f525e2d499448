import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DumpInvocation } from './bench-engine.ts';
import { dumpEnv, dumpShell } from './dump-shell.ts';
import { shellQuote, timedRun } from './timed-run.ts';
import type { MethodRun } from './method-run.ts';

/**
 * What a user could do by hand: the same dump command as Port-Yard in a shell pipeline, run with
 * `bash -o pipefail -c` so a failing dump fails the run.
 */
export interface Baseline {
  readonly id: 'null' | 'zstd' | 'zstd-fsync' | 'gzip';
  readonly label: string;
  /** The pipeline after the dump command; `out` is the quoted output path. */
  readonly tail: (out: string) => string;
  readonly writesFile: boolean;
}

export const baselines: readonly Baseline[] = [
  { id: 'null', label: 'dump > /dev/null', tail: () => '> /dev/null', writesFile: false },
  {
    id: 'zstd',
    label: 'dump | zstd -3 -T0 > file',
    tail: (out) => `| zstd -q -c -3 -T0 > ${out}`,
    writesFile: true,
  },
  {
    id: 'zstd-fsync',
    label: 'dump | zstd -3 -T0 > file; sync file',
    // Port-Yard fsyncs what it stores; this is the shell pipeline with the same durability.
    tail: (out) => `| zstd -q -c -3 -T0 > ${out} && sync ${out}`,
    writesFile: true,
  },
  { id: 'gzip', label: 'dump | gzip -6 > file', tail: (out) => `| gzip -6 -c > ${out}`, writesFile: true },
];

/** The full script of a baseline, for the log. */
export function baselineScript(baseline: Baseline, dump: DumpInvocation, out: string): string {
  return `${dumpShell(dump)} ${baseline.tail(shellQuote(out))}`;
}

export async function runBaseline(
  baseline: Baseline,
  dump: DumpInvocation,
  workDir: string,
  serverComms: readonly string[],
): Promise<MethodRun> {
  const out = join(workDir, `baseline-${baseline.id}.out`);
  const result = await timedRun({
    command: 'bash',
    args: ['-o', 'pipefail', '-c', baselineScript(baseline, dump, out)],
    env: dumpEnv(dump),
    serverComms,
  });
  try {
    if (result.code !== 0) {
      throw new Error(
        `baseline "${baseline.label}" failed (exit ${result.code ?? result.signal}): ${result.stderr.trim()}`,
      );
    }
    const outputBytes = baseline.writesFile ? (await stat(out)).size : undefined;
    if (outputBytes === 0) throw new Error(`baseline "${baseline.label}" wrote an empty file`);
    return {
      wallMs: result.wallMs,
      outputBytes,
      usage: result.usage,
      treeCpuMs: result.treeCpuMs,
    };
  } finally {
    await rm(out, { force: true });
  }
}
