import type { BenchEngineDriver } from './bench-engine.ts';
import { dumpEnv, dumpShell } from './dump-shell.ts';
import type { BenchFlags } from './flags.ts';
import type { BenchDatabase } from './generate-data.ts';
import { hasNodeRoot, isPortYard, type PortYardMethodId } from './method-ids.ts';
import { foreignCpuMs, type MethodRun } from './method-run.ts';
import {
  PortYardFailed,
  runPortYardBackup,
  writePortYardConfig,
  type PortYardRun,
} from './port-yard-runner.ts';
import { startBenchServe } from './agent-runner.ts';
import { s3Methods } from './s3-rows.ts';
import type { BenchS3 } from './s3-server.ts';
import { baselineScript, baselines, runBaseline } from './shell-baselines.ts';
import { waitForQuiet } from './proc-sampler.ts';
import { runQuiet, timedRun } from './timed-run.ts';

export type MethodId = PortYardMethodId | 's3-upload' | (typeof baselines)[number]['id'];

export interface MethodResult {
  readonly id: MethodId;
  readonly label: string;
  readonly runs: readonly MethodRun[];
}

export interface SizeResult {
  readonly engine: BenchEngineDriver['name'];
  readonly dumpComm: string;
  readonly sizeMb: number;
  readonly database: BenchDatabase;
  /** Raw dump bytes, from the warm-up `dump | wc -c`. */
  readonly rawBytes: number;
  readonly warmupMs: number;
  readonly methods: readonly MethodResult[];
  /** The runs of every Port-Yard row (filesystem, S3, both), with the row's label. */
  readonly portYardRuns: readonly { readonly label: string; readonly run: PortYardRun }[];
  /** Port-Yard runs that reported a failed backup (each was retried; not in the timings). */
  readonly portYardFailures: readonly {
    readonly round: number;
    readonly wallMs: number;
    readonly message: string;
  }[];
  /** Runs measured again because other jobs on the machine took CPU meanwhile. */
  readonly discarded: readonly {
    readonly method: MethodId;
    readonly round: number;
    readonly wallMs: number;
    readonly foreignCpuMs: number;
  }[];
}

/** A run is measured again (at most this many times) when other jobs used more CPU than this meanwhile. */
const maxContaminatedRedos = 4;
const foreignCpuLimitMs = (run: MethodRun): number => 300 + 0.1 * run.wallMs;

/** Attempts per Port-Yard measurement before the bench gives up. */
const portYardAttempts = 8;

type Log = (line: string) => void;

/**
 * Times every method on one database: a warm-up dump first (caches equal for all), then `reps`
 * rounds of every method, the order rotated each round so none always runs after the same one.
 * Between runs the outputs are deleted and `sync` runs (untimed), so no run pays for the previous
 * one's write-back. With `s3` (s3rver running), the S3 rows are measured too (s3-rows.ts).
 */
export async function measureDatabase(
  driver: BenchEngineDriver,
  database: BenchDatabase,
  sizeMb: number,
  flags: BenchFlags,
  workDir: string,
  privateDir: string,
  log: Log,
  s3: BenchS3 | undefined,
): Promise<SizeResult> {
  const dump = await driver.dumpInvocation(database.database, privateDir);
  const setup = await writePortYardConfig(driver, database.database, workDir);
  const chosen = baselines.filter((baseline) => flags.gzip || baseline.id !== 'gzip');
  log(`${driver.name} ${sizeMb} MB: dump command: ${dumpShell(dump)}`);
  for (const baseline of chosen)
    log(`  ${baseline.id}: bash -o pipefail -c "${baselineScript(baseline, dump, 'FILE')}"`);

  const warmup = await timedRun({
    command: 'bash',
    args: ['-o', 'pipefail', '-c', `${dumpShell(dump)} | wc -c`],
    env: dumpEnv(dump),
    serverComms: [],
  });
  if (warmup.code !== 0) throw new Error(`warm-up dump failed: ${warmup.stderr.trim()}`);
  const rawBytes = Number(warmup.stdout.trim());
  log(
    `${driver.name} ${sizeMb} MB: warm-up dump ${(rawBytes / 1e6).toFixed(1)} MB in ${(warmup.wallMs / 1000).toFixed(2)} s`,
  );

  const s3Rows = s3 ? await s3Methods(driver, database.database, dump, workDir, s3) : undefined;
  const serve = flags.agent ? await startBenchServe(driver, database.database, workDir) : undefined;
  try {
    return await measureMethods(driver, database, sizeMb, flags, log, rawBytes, warmup.wallMs, [
      {
        id: 'port-yard',
        label: 'Port-Yard CLI backup',
        run: () => runPortYardBackup(setup, driver.serverComms),
      },
      ...(serve
        ? [
            {
              id: 'port-yard-agent' as const,
              label: 'Port-Yard agent backup (serve)',
              run: () => serve.runBackup(),
            },
          ]
        : []),
      ...(s3Rows?.methods ?? []),
      ...chosen.map((baseline) => ({
        id: baseline.id,
        label: baseline.label,
        run: () => runBaseline(baseline, dump, workDir, driver.serverComms),
      })),
    ]);
  } finally {
    await serve?.close();
    await s3Rows?.cleanup();
  }
}

async function measureMethods(
  driver: BenchEngineDriver,
  database: BenchDatabase,
  sizeMb: number,
  flags: BenchFlags,
  log: Log,
  rawBytes: number,
  warmupMs: number,
  methods: readonly { id: MethodId; label: string; run: () => Promise<MethodRun> }[],
): Promise<SizeResult> {
  const runs = new Map<MethodId, MethodRun[]>(methods.map((method) => [method.id, []]));
  const portYardFailures: SizeResult['portYardFailures'][number][] = [];
  const discarded: SizeResult['discarded'][number][] = [];
  for (let rep = 0; rep < flags.reps; rep++) {
    const order = methods.map((_, index) => methods[(index + rep) % methods.length]!);
    for (const method of order) {
      let run: MethodRun | undefined;
      let failures = 0;
      let contaminated = 0;
      while (!run) {
        await runQuiet('sync', []);
        const busy = await waitForQuiet();
        if (busy > 0.15) log(`machine still ${Math.round(busy * 100)}% busy after 30 s: measuring anyway`);
        let candidate: MethodRun;
        try {
          candidate = await method.run();
        } catch (error) {
          if (!(error instanceof PortYardFailed) || ++failures === portYardAttempts) throw error;
          const message = `${method.label}: ${error.message}`;
          portYardFailures.push({ round: rep + 1, wallMs: error.wallMs, message });
          log(`${driver.name} ${sizeMb} MB round ${rep + 1}: FAILED (${message}): retrying`);
          continue;
        }
        const foreign = foreignCpuMs(candidate);
        if (foreign > foreignCpuLimitMs(candidate) && contaminated < maxContaminatedRedos) {
          contaminated++;
          discarded.push({
            method: method.id,
            round: rep + 1,
            wallMs: candidate.wallMs,
            foreignCpuMs: foreign,
          });
          log(
            `${driver.name} ${sizeMb} MB round ${rep + 1}: ${method.label}: ${(candidate.wallMs / 1000).toFixed(2)} s ` +
              `discarded: other jobs used ${(foreign / 1000).toFixed(2)} CPU s meanwhile`,
          );
          continue;
        }
        run = candidate;
      }
      runs.get(method.id)!.push(run);
      log(
        `${driver.name} ${sizeMb} MB round ${rep + 1}/${flags.reps}: ${method.label}: ${(run.wallMs / 1000).toFixed(2)} s` +
          (hasNodeRoot(method.id) ? `, node peak RSS ${(run.usage.rootPeakRssKb / 1024).toFixed(1)} MB` : ''),
      );
    }
  }
  await runQuiet('sync', []);
  return {
    engine: driver.name,
    dumpComm: driver.dumpComm,
    sizeMb,
    database,
    rawBytes,
    warmupMs,
    methods: methods.map((method) => ({ id: method.id, label: method.label, runs: runs.get(method.id)! })),
    portYardRuns: methods
      .filter((method) => isPortYard(method.id))
      .flatMap((method) =>
        runs.get(method.id)!.map((run) => ({ label: method.label, run: run as PortYardRun })),
      ),
    portYardFailures,
    discarded,
  };
}
