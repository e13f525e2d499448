import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { manifestSchema } from '@port-yard/shared';
import type { ArtifactDestination, CliArtifact } from './artifact-check.ts';
import type { BenchEngineDriver } from './bench-engine.ts';
import { ProcSampler, readStat, type TreeUsage } from './proc-sampler.ts';
import {
  PortYardFailed,
  filesystemStorage,
  nodeArgs,
  writeTargetConfig,
  type PortYardRun,
} from './port-yard-runner.ts';

/**
 * The row of a backup in a running agent (`port-yard serve`), as a schedule runs it: no process
 * start, no config load, the zstd probe done once. A backup is started through the API
 * (`runs.start`) and timed until the agent logs the run's end, which comes after the manifest
 * is written. The agent is one long-lived process, so its CPU is counted as growth: its own and
 * its reaped children's (the dump tool and zstd) between the request and the end.
 */
export interface BenchServe {
  runBackup(): Promise<PortYardRun>;
  close(): Promise<void>;
}

interface LogLine {
  readonly msg?: string;
  readonly run?: string;
  readonly url?: string;
  readonly message?: string;
}

const startTimeoutMs = 30_000;
const runTimeoutMs = 15 * 60_000;

export async function startBenchServe(
  driver: BenchEngineDriver,
  database: string,
  workDir: string,
): Promise<BenchServe> {
  const storePath = join(workDir, 'port-yard-agent-store');
  const setup = await writeTargetConfig(
    driver,
    database,
    join(workDir, `port-yard-agent-${driver.name}-${database}.yaml`),
    [await filesystemStorage('bench', storePath, `bench-${driver.name}`, database)],
    {},
    [
      // Retention and the sweep would otherwise run in the middle of a measurement.
      "retentionSchedule: '0 0 1 1 *'",
      'server: { host: 127.0.0.1, port: 0 }',
      'auth: { mode: none, anonymousRole: operator }',
    ],
  );
  const { configPath, target } = setup;
  const folder = join(storePath, target, database);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--config', configPath, 'serve', '--log-format', 'json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const waiters = new Set<(line: LogLine) => void>();
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    for (const waiter of waiters) waiter(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitForLine = (match: (line: LogLine) => boolean, timeoutMs: number, what: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`the agent did not log ${what} in time`)), timeoutMs);
      const onExit = (): void => finish(new Error(`the agent exited: ${stderr.join('').slice(-2000)}`));
      const waiter = (line: LogLine): void => {
        if (match(line)) finish(undefined, line);
      };
      const finish = (error: Error | undefined, line?: LogLine): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(line!);
      };
      waiters.add(waiter);
      child.once('exit', onExit);
    });

  try {
    const listening = await waitForLine(
      (line) => line.msg === 'API listening',
      startTimeoutMs,
      'API listening',
    );
    const apiUrl = new URL('/api/trpc/runs.start', listening.url!).href;
    return {
      runBackup: () =>
        runAgentBackup(
          { child, apiUrl, target, folder, waitForLine, serverComms: driver.serverComms },
          setup.destinations[0]!,
        ),
      async close() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

type WaitForLine = (match: (line: LogLine) => boolean, timeoutMs: number, what: string) => Promise<LogLine>;

interface RunningServe {
  readonly child: ChildProcess;
  /** The tRPC endpoint of `runs.start`. */
  readonly apiUrl: string;
  readonly target: string;
  /** Where the target's one database stores its artifacts. */
  readonly folder: string;
  readonly waitForLine: WaitForLine;
  readonly serverComms: readonly string[];
}

async function runAgentBackup(serve: RunningServe, destination: ArtifactDestination): Promise<PortYardRun> {
  const { child, apiUrl, target, waitForLine, serverComms } = serve;
  const pid = child.pid!;
  const before = readStat(pid);
  const sampler = new ProcSampler(pid, serverComms);
  let usage: TreeUsage | undefined;
  // Every run end logged from now on: a short run may end before runs.start has answered.
  let runId: string | undefined;
  const ends = new Map<string, LogLine>();
  const ended = waitForLine(
    (line) => {
      if (line.run && /^run (succeeded|failed|partial|cancelled)$/.test(line.msg ?? ''))
        ends.set(line.run, line);
      return runId !== undefined && ends.has(runId);
    },
    runTimeoutMs,
    'the end of the run',
  );
  ended.catch(() => undefined); // awaited below, unless runs.start failed
  const started = performance.now();
  try {
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target }),
    });
    const body = (await response.json()) as { result?: { data?: { id?: string; status?: string } } };
    runId = body.result?.data?.id;
    if (!response.ok || !runId || body.result?.data?.status === 'refused')
      throw new Error(`runs.start answered ${response.status}: ${JSON.stringify(body)}`);
    const end = ends.get(runId) ?? (await ended);
    const wallMs = performance.now() - started;
    usage = sampler.stop();
    const after = readStat(pid);
    if (end.msg !== 'run succeeded') throw new PortYardFailed(`${end.msg}: ${end.message ?? ''}`, wallMs);
    const cpu = (stat: typeof before): number => (stat ? stat.cpuMs + stat.childCpuMs : 0);
    const artifact = await storedArtifact(serve.folder);
    return {
      wallMs,
      outputBytes: artifact.storedBytes,
      // The agent's CPU before this run is not this run's.
      usage: { ...usage, rootCpuMs: usage.rootCpuMs - (before?.cpuMs ?? 0) },
      treeCpuMs: cpu(after) - cpu(before),
      rawBytes: artifact.rawBytes,
      storedBytes: artifact.storedBytes,
      verifyProblems: await destination.verify(artifact),
    };
  } finally {
    if (!usage) sampler.stop();
    await destination.clear();
  }
}

/** The artifact of the one manifest in `folder` (each run starts with an empty storage), as the CLI reports it. */
async function storedArtifact(folder: string): Promise<CliArtifact> {
  const manifests = (await readdir(folder)).filter((name) => name.endsWith('.manifest.json'));
  if (manifests.length !== 1)
    throw new Error(`expected one manifest in ${folder}, found ${manifests.join(', ') || 'none'}`);
  const manifest = manifestSchema.parse(JSON.parse(await readFile(join(folder, manifests[0]!), 'utf8')));
  return { ...manifest, id: manifest.artifactId };
}
