/**
 * `npm run bench`: how fast and how lean is a Port-Yard backup compared with what a shell user
 * gets from the same dump tool? See flags.ts for the options and README-style notes in each file.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiFailed, measureApi, renderApi } from './api-rows.ts';
import type { BenchEngineDriver } from './bench-engine.ts';
import { FlagError, parseFlags, type BenchEngine } from './flags.ts';
import { dropBenchDatabase, ensureBenchDatabase } from './generate-data.ts';
import { mariadbDriver } from './mariadb-data.ts';
import { measureDatabase } from './measure.ts';
import { median } from './method-run.ts';
import { repoRoot, timeNpxPortYardStart, timePortYardStart } from './port-yard-runner.ts';
import { postgresDriver } from './postgres-data.ts';
import { checks, legend, renderChecks, renderSize } from './report.ts';
import {
  measureRetentionPlanning,
  renderRetention,
  retentionCheck,
  type RetentionResult,
} from './retention-row.ts';
import { startBenchS3, type BenchS3 } from './s3-server.ts';
import { summarize, type MeasuredSize } from './summarize.ts';
import { runQuiet } from './timed-run.ts';
import { freshBundle } from '../bin/cli-bundle.js';

const drivers: Record<BenchEngine, BenchEngineDriver> = { mariadb: mariadbDriver, postgres: postgresDriver };

/** What the backup part measured (absent with --only-api). */
interface BackupSection {
  readonly startMs: readonly number[];
  readonly startRssMb: number;
  readonly startCpuS: number;
  readonly npxStartMs: number | undefined;
  readonly retention: RetentionResult;
  readonly measured: readonly MeasuredSize[];
}

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function toolVersions(): Promise<Record<string, string>> {
  const version = async (command: string, args: string[]): Promise<string> =>
    (await runQuiet(command, args).catch((error: Error) => error.message)).split('\n')[0]!.trim();
  const git = async (args: string[]): Promise<string> =>
    (await runQuiet('git', ['-C', repoRoot, ...args]).catch(() => '')).trim();
  const dirty = (await git(['status', '--porcelain', '--', 'agent/src', 'shared/src']))
    .split('\n')
    .filter(Boolean);
  return {
    commit: `${(await git(['rev-parse', '--short', 'HEAD'])) || 'unknown'}${dirty.length ? ` + ${dirty.length} changed files in agent/src, shared/src` : ''}`,
    node: process.version,
    'port-yard CLI': freshBundle(join(repoRoot, 'agent/dist/cli'))
      ? 'bundled (agent/dist/cli)'
      : 'TypeScript sources (the bundle is stale or missing)',
    'mariadb-dump': await version('mariadb-dump', ['--version']),
    pg_dump: await version('pg_dump', ['--version']),
    zstd: await version('zstd', ['--version']),
    gzip: await version('gzip', ['--version']),
  };
}

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    if (error instanceof FlagError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (Number.parseInt(process.versions.node, 10) < 24) {
    console.error(
      `the bench needs Node 24 (the agent's runtime); this is ${process.version}: use npm run bench`,
    );
    return 2;
  }

  const workDir = await mkdtemp(join(tmpdir(), 'port-yard-bench-'));
  const privateDir = join(workDir, 'private');
  await mkdir(privateDir, { mode: 0o700 });
  const created: { driver: BenchEngineDriver; database: string }[] = [];
  let s3: BenchS3 | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(workDir, { recursive: true, force: true });
    // s3rver exits by itself when this process is gone (its stdin closes); its data goes now.
    if (s3) rmSync(s3.directory, { recursive: true, force: true });
    const left = created.map((entry) => entry.database).join(', ');
    console.error(`\n${signal}: removed ${workDir}${left ? `; bench databases left: ${left}` : ''}`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  try {
    // What `npx port-yard` runs after `npm ci`: the bundled CLI, rebuilt from the current sources.
    await runQuiet(process.execPath, [join(repoRoot, 'agent/scripts/bundle-cli.ts')]);
    const versions = await toolVersions();
    log(
      `${cpus().length} CPUs; ${Object.entries(versions)
        .map(([tool, v]) => `${tool}: ${v}`)
        .join('; ')}`,
    );
    let backups: BackupSection | undefined;
    if (!flags.onlyApi) {
      const starts: Awaited<ReturnType<typeof timePortYardStart>>[] = [];
      for (let i = 0; i < 5; i++) starts.push(await timePortYardStart());
      const startMs = starts.map((start) => start.wallMs);
      const startRssMb = Math.max(...starts.map((start) => start.peakRssKb)) / 1024;
      const startCpuS = median(starts.map((start) => start.cpuMs)) / 1000;
      const npxStartMs = await timeNpxPortYardStart(repoRoot);
      log(
        `port-yard --version (node start + module load): median ${(median(startMs) / 1000).toFixed(3)} s, ` +
          `CPU ${startCpuS.toFixed(2)} s, peak RSS ${startRssMb.toFixed(1)} MB; ` +
          `via npx: ${npxStartMs === undefined ? 'n/a' : `${(npxStartMs / 1000).toFixed(3)} s`}`,
      );

      const retention = await measureRetentionPlanning();
      log(renderRetention(retention));
      if (flags.s3) {
        s3 = await startBenchS3();
        log(
          `s3rver: ${s3.endpoint}, bucket ${s3.bucket}, pid ${s3.pid ?? 'not found (its CPU counts as other)'}`,
        );
      }

      const measured: MeasuredSize[] = [];
      for (const engine of flags.engines) {
        const driver = drivers[engine];
        for (const sizeMb of flags.sizesMb) {
          const database = await ensureBenchDatabase(driver, sizeMb, privateDir, log);
          created.push({ driver, database: database.database });
          const result = await measureDatabase(driver, database, sizeMb, flags, workDir, privateDir, log, s3);
          const summary = summarize(result);
          measured.push(summary);
          if (!flags.json) console.log(`\n${renderSize(summary)}\n`);
          if (!flags.keep) {
            await dropBenchDatabase(driver, database.database);
            created.pop();
            log(`${driver.name}: dropped ${database.database}`);
          }
        }
      }
      // The API section needs no S3: stop s3rver before it, so it measures a quiet machine.
      await s3?.stop().catch((error: Error) => log(`stopping s3rver: ${error.message}`));
      s3 = undefined;
      backups = { startMs, startRssMb, startCpuS, npxStartMs, retention, measured };
    }

    const api = flags.api ? await measureApi(flags, workDir, log) : undefined;

    const list = backups ? [...checks(backups.measured), retentionCheck(backups.retention)] : [];
    if (flags.json) {
      const output = {
        flags,
        machine: { cpus: cpus().length, versions },
        ...(backups && {
          portYardStart: {
            command: 'port-yard --version',
            medianWallS: median(backups.startMs) / 1000,
            wallsS: backups.startMs.map((ms) => ms / 1000),
            medianCpuS: backups.startCpuS,
            peakRssMb: backups.startRssMb,
          },
          npxPortYardStartS: backups.npxStartMs === undefined ? null : backups.npxStartMs / 1000,
          retentionPlanning: backups.retention,
          results: backups.measured,
          checks: list,
        }),
        ...(api && { api }),
      };
      console.log(JSON.stringify(output, null, 2));
    } else {
      if (backups) {
        const { startMs, startCpuS, startRssMb, npxStartMs } = backups;
        console.log(
          `Port-Yard process start (port-yard --version): ${(median(startMs) / 1000).toFixed(3)} s, ` +
            `CPU ${startCpuS.toFixed(2)} s, node peak RSS ${startRssMb.toFixed(1)} MB` +
            (npxStartMs === undefined ? '' : `; through npx: ${(npxStartMs / 1000).toFixed(3)} s`),
        );
        console.log(renderRetention(backups.retention));
        console.log(`${legend}\n`);
        console.log(renderChecks(list));
        if (flags.keep && created.length > 0) {
          console.log(`kept: ${created.map((entry) => `${entry.driver.name}/${entry.database}`).join(', ')}`);
        }
      }
      if (api) console.log(`${backups ? '\n' : ''}${renderApi(api.lines)}`);
    }
    return list.some((check) => check.pass === false) || apiFailed(api) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await s3?.stop().catch((error: Error) => log(`stopping s3rver: ${error.message}`));
    if (!flags.keep) {
      for (const entry of created)
        await dropBenchDatabase(entry.driver, entry.database).catch(() => undefined);
    }
    await rm(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
