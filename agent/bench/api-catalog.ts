import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type { PortYardConfigInput } from '@port-yard/shared';
import { manifestSuffix, newArtifactId } from '../src/artifacts/artifact-keys.ts';
import { apiBenchConfig, apiStorageName, benchManifest, startBenchAgent } from './api-agent.ts';
import { gcMeter, latencyStats, timedGet, type LatencyStats } from './api-http.ts';
import { median } from './method-run.ts';
import { waitForQuiet } from './proc-sampler.ts';

/**
 * Query latency on a big catalog: `targets` targets (postgres on 127.0.0.1:1, never reached, no
 * schedule) with `perTarget` artifacts each, started over one year, written straight into the
 * filesystem storage's layout (tiny data objects, minimal manifests) by a bounded pool of writes.
 * Then the daemon starts (its catalog refresh reads every manifest) and the API, and the bench
 * times `targets.list` and one page of `artifacts.list` over HTTP, sequentially after a warm-up,
 * and the in-process calls behind `targets.list` to show where its time goes.
 */
export interface QueryTiming extends LatencyStats {
  /** Body bytes of one response. */
  readonly responseBytes: number;
  /** Garbage-collection pauses in this process per timed request, on average (ms). */
  readonly gcMsPerRequest: number;
}

export interface CatalogQueryResult {
  readonly targets: number;
  readonly perTarget: number;
  readonly files: number;
  readonly writeConcurrency: number;
  /** Untimed requests of each query before the timed ones. */
  readonly warmUp: number;
  readonly generateS: number;
  /** `daemon.start()`: the catalog refresh (list every object, read and parse every manifest). */
  readonly refreshS: number;
  /** Afterwards, `storage.list('')` alone (the walk and an lstat per object), in s. */
  readonly listObjectsS: number;
  readonly objects: number;
  readonly cataloged: number;
  readonly catalogProblems: number;
  /** This process (agent and bench) after the refresh: JS heap used and RSS, in MB. */
  readonly heapUsedMb: number;
  readonly rssMb: number;
  readonly targetsList: QueryTiming;
  readonly artifactsList: QueryTiming;
  readonly artifactsInput: string;
  /**
   * In process, medians of 5 interleaved rounds (ms): `daemon.status()` (what targets.list returns)
   * and the GC pauses per call; `catalog.list({ target })` once for every target, as status() does;
   * the same number of lists for a target that has no artifacts (copy and filter, no sort).
   */
  readonly statusMs: number;
  readonly statusGcMs: number;
  readonly listEachTargetMs: number;
  readonly listNoMatchMs: number;
  /** Wrong statuses or contents of the HTTP answers. */
  readonly problems: readonly string[];
}

const database = 'main';
const yearMs = 365 * 86_400_000;
const writeConcurrency = 64;
const warmUp = 5;
const data = Buffer.from('port-yard bench\n');
const dataSha256 = createHash('sha256').update(data).digest('hex');

/** Runs `task(0..count-1)` with at most `concurrency` at once. */
async function boundedPool(count: number, concurrency: number, task: (index: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const count = (value: number): string => value.toLocaleString('en-US');
const targetName = (index: number): string => `t${index}`;

async function writeArtifacts(root: string, targets: number, perTarget: number): Promise<void> {
  for (let t = 0; t < targets; t++) await mkdir(join(root, targetName(t), database), { recursive: true });
  const yearStart = Date.UTC(2025, 0, 1);
  await boundedPool(targets * perTarget, writeConcurrency, async (index) => {
    const t = Math.floor(index / perTarget);
    const n = index % perTarget;
    // Spread over the year; targets a few seconds apart, as schedules with jitter would be.
    const startedAt = new Date(yearStart + Math.floor((n * yearMs) / perTarget) + t * 7_000);
    const artifactId = newArtifactId(startedAt);
    const target = targetName(t);
    const manifest = benchManifest({
      artifactId,
      target,
      database,
      startedAt,
      storedBytes: data.length,
      sha256: dataSha256,
    });
    const folder = join(root, target, database);
    await writeFile(join(folder, manifest.dataObject), data);
    await writeFile(join(folder, `${artifactId}${manifestSuffix}`), JSON.stringify(manifest));
  });
}

/**
 * Each call `rounds` times, interleaved (a, b, c, a, b, c, ...) so that heap and machine state
 * drift hits every call alike: per call, the median wall time and the GC pauses that started
 * within its calls, per call (ms).
 */
async function timeInterleaved<K extends string>(
  rounds: number,
  calls: Record<K, () => unknown>,
): Promise<Record<K, { ms: number; gcMs: number }>> {
  const names = Object.keys(calls) as K[];
  const windows = new Map<K, { start: number; end: number }[]>(names.map((name) => [name, []]));
  const gc = gcMeter();
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const start = performance.now();
      calls[name]();
      windows.get(name)!.push({ start, end: performance.now() });
    }
  }
  const { pauses } = await gc.stop();
  const result = {} as Record<K, { ms: number; gcMs: number }>;
  for (const name of names) {
    const spans = windows.get(name)!;
    const gcMs = pauses
      .filter((pause) => spans.some((span) => pause.start >= span.start && pause.start < span.end))
      .reduce((sum, pause) => sum + pause.ms, 0);
    result[name] = { ms: median(spans.map((span) => span.end - span.start)), gcMs: gcMs / rounds };
  }
  return result;
}

export async function measureCatalogQueries(
  dir: string,
  options: { targets: number; perTarget: number; requests: number },
  log: (line: string) => void,
): Promise<CatalogQueryResult> {
  const { targets, perTarget, requests } = options;
  const root = join(dir, 'storage');
  const generating = performance.now();
  await writeArtifacts(root, targets, perTarget);
  const generateS = (performance.now() - generating) / 1000;
  const files = targets * perTarget * 2;
  log(
    `api: wrote ${count(targets * perTarget)} artifacts (${count(files)} files) ` +
      `in ${generateS.toFixed(1)} s`,
  );

  const targetConfigs: NonNullable<PortYardConfigInput['targets']> = {};
  for (let t = 0; t < targets; t++) {
    targetConfigs[targetName(t)] = {
      engine: 'postgres',
      host: '127.0.0.1',
      port: 1,
      user: 'bench',
      databases: [database],
      destinations: [apiStorageName],
    };
  }
  const config = apiBenchConfig(root, targetConfigs);
  await waitForQuiet();
  const agent = await startBenchAgent(config);
  const client = new Agent({ keepAlive: true });
  try {
    const memory = process.memoryUsage();
    const catalog = agent.daemon.agent().catalog;
    const cataloged = catalog.list().length;
    const catalogProblems = catalog.problems().length;
    log(
      `api: daemon.start() (catalog refresh) ${(agent.startMs / 1000).toFixed(1)} s: ` +
        `${count(cataloged)} artifacts, ${catalogProblems} problems`,
    );

    const problems: string[] = [];
    const timeQuery = async (
      label: string,
      url: string,
      check: (body: unknown) => string | undefined,
    ): Promise<QueryTiming> => {
      let responseBytes = 0;
      const samples: number[] = [];
      await waitForQuiet();
      let gc: ReturnType<typeof gcMeter> | undefined;
      for (let i = 0; i < warmUp + requests; i++) {
        if (i === warmUp) gc = gcMeter();
        const got = await timedGet(url, { agent: client, keepBody: i === 0 });
        if (got.status !== 200) problems.push(`${label}: status ${got.status}`);
        if (i === 0) {
          responseBytes = got.bytes;
          const wrong = check(JSON.parse(got.body!.toString('utf8')));
          if (wrong) problems.push(`${label}: ${wrong}`);
        }
        if (i >= warmUp) samples.push(got.ms);
      }
      const stats = latencyStats(samples);
      const gcMsPerRequest = (await gc!.stop()).ms / requests;
      log(
        `api: ${label}: p50 ${stats.p50Ms.toFixed(1)} ms, p95 ${stats.p95Ms.toFixed(1)} ms, ` +
          `max ${stats.maxMs.toFixed(1)} ms (${requests} requests), ${count(responseBytes)} bytes, ` +
          `GC ${gcMsPerRequest.toFixed(1)} ms per request`,
      );
      return { ...stats, responseBytes, gcMsPerRequest };
    };

    /* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked by hand */
    const targetsList = await timeQuery(
      'targets.list',
      `${agent.api.url}/api/trpc/targets.list`,
      (body: any) => {
        const list = body?.result?.data;
        if (!Array.isArray(list) || list.length !== targets) return `expected ${targets} targets`;
        const t7 = list.find((status: any) => status.name === targetName(7));
        return t7?.lastArtifactId ? undefined : 'target t7 shows no last artifact';
      },
    );
    const input = JSON.stringify({ target: targetName(7), limit: 100 });
    const artifactsList = await timeQuery(
      'artifacts.list',
      `${agent.api.url}/api/trpc/artifacts.list?input=${encodeURIComponent(input)}`,
      (body: any) => {
        const page = body?.result?.data;
        return page?.items?.length === 100 && page?.total === perTarget
          ? undefined
          : `expected 100 items of ${perTarget}, got ${page?.items?.length} of ${page?.total}`;
      },
    );
    /* eslint-enable @typescript-eslint/no-explicit-any */

    await waitForQuiet();
    const { status, eachTarget, noMatch } = await timeInterleaved(5, {
      status: () => agent.daemon.status(),
      eachTarget: () => {
        for (let t = 0; t < targets; t++) catalog.list({ target: targetName(t) });
      },
      noMatch: () => {
        for (let t = 0; t < targets; t++) catalog.list({ target: 'no-such-target' });
      },
    });
    log(
      `api: in process: daemon.status() ${status.ms.toFixed(0)} ms (GC ${status.gcMs.toFixed(0)} ms), ` +
        `${targets} x catalog.list({ target }) ${eachTarget.ms.toFixed(0)} ms (GC ${eachTarget.gcMs.toFixed(0)} ms), ` +
        `${targets} lists matching nothing ${noMatch.ms.toFixed(0)} ms (GC ${noMatch.gcMs.toFixed(0)} ms)`,
    );
    const storage = agent.daemon.agent().storages.get(apiStorageName)!;
    const listing = performance.now();
    let objects = 0;
    for await (const _object of storage.list('')) objects++;
    const listObjectsS = (performance.now() - listing) / 1000;
    log(`api: storage.list('') alone: ${count(objects)} objects in ${listObjectsS.toFixed(1)} s`);
    return {
      targets,
      perTarget,
      files,
      writeConcurrency,
      warmUp,
      generateS,
      refreshS: agent.startMs / 1000,
      listObjectsS,
      objects,
      cataloged,
      catalogProblems,
      heapUsedMb: memory.heapUsed / 1e6,
      rssMb: memory.rss / 1e6,
      targetsList,
      artifactsList,
      artifactsInput: input,
      statusMs: status.ms,
      statusGcMs: status.gcMs,
      listEachTargetMs: eachTarget.ms,
      listNoMatchMs: noMatch.ms,
      problems,
    };
  } finally {
    client.destroy();
    await agent.close();
  }
}
