import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCatalogQueries, type CatalogQueryResult } from './api-catalog.ts';
import { measureDownload, type DownloadResult } from './api-download.ts';
import { median } from './method-run.ts';

/**
 * The API section of `npm run bench`: download throughput of the agent's download route and the
 * latency of the targets and artifacts queries on a large catalog. No database is involved.
 * PASS/FAIL lines check that the answers were right; INFO lines carry the numbers; WARN flags
 * a number over its threshold without failing the run.
 */
export interface ApiLine {
  readonly level: 'PASS' | 'FAIL' | 'INFO' | 'WARN';
  readonly name: string;
  readonly detail: string;
}

export interface ApiResult {
  readonly download: DownloadResult;
  readonly catalog: CatalogQueryResult;
  readonly lines: readonly ApiLine[];
}

const downloadRounds = 3;
const catalogShape = { targets: 200, perTarget: 1000, requests: 50 };
/** targets.list is what the console polls: over this median, the bench says so. */
const targetsListWarnMs = 100;

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const count = (value: number): string => value.toLocaleString('en-US');

export async function measureApi(
  options: { downloadMb: number },
  workDir: string,
  log: (line: string) => void,
): Promise<ApiResult> {
  const downloadDir = join(workDir, 'api-download');
  const catalogDir = join(workDir, 'api-catalog');
  await mkdir(downloadDir);
  await mkdir(catalogDir);
  let download: DownloadResult;
  try {
    download = await measureDownload(options.downloadMb, downloadDir, downloadRounds, log);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
  }
  let catalog: CatalogQueryResult;
  try {
    catalog = await measureCatalogQueries(catalogDir, catalogShape, log);
  } finally {
    const removing = performance.now();
    await rm(catalogDir, { recursive: true, force: true });
    log(`api: removed the catalog files in ${((performance.now() - removing) / 1000).toFixed(1)} s`);
  }
  return { download, catalog, lines: [...downloadLines(download), ...catalogLines(catalog)] };
}

function downloadLines(result: DownloadResult): ApiLine[] {
  const disk = median(result.diskMbPerS);
  const mb = `${fixed(result.bytes / 1e6, 0)} MB`;
  const runs = (values: readonly number[]): string => values.map((value) => fixed(value, 0)).join(', ');
  const versus = (values: readonly number[]): string =>
    `${fixed(median(values), 0)} MB/s = ${fixed(median(values) / disk, 2)}x disk (runs ${runs(values)})`;
  const downloads = result.rounds * (result.curlMbPerS ? 3 : 2);
  const lines: ApiLine[] = [
    {
      level: result.problems.length === 0 ? 'PASS' : 'FAIL',
      name: 'download',
      detail:
        result.problems.length === 0
          ? `${downloads} timed downloads of a ${mb} artifact: status, length, ETag (sha256), Content-Range and byte counts right`
          : result.problems.join('; '),
    },
    {
      level: 'INFO',
      name: 'download disk',
      detail: `fs.createReadStream of the ${mb} file to a counting sink, page cache warm: ${fixed(disk, 0)} MB/s (runs ${runs(result.diskMbPerS)}; medians of ${result.rounds} from here on)`,
    },
    {
      level: 'INFO',
      name: 'download http',
      detail: `GET /api/artifacts/<id>/download, node http client in the agent's process, sha256 checked on the way: ${versus(result.httpMbPerS)}`,
    },
    {
      level: 'INFO',
      name: 'download range',
      detail: `the same with Range: bytes=<half>- (206, no sha256 check on ranges): ${versus(result.rangeMbPerS)}`,
    },
  ];
  lines.push(
    result.curlMbPerS
      ? {
          level: 'INFO',
          name: 'download curl',
          detail: `curl -s -o /dev/null, a separate process (%{speed_download}): ${versus(result.curlMbPerS)}`,
        }
      : { level: 'INFO', name: 'download curl', detail: 'curl is not installed: skipped' },
  );
  return lines;
}

function catalogLines(result: CatalogQueryResult): ApiLine[] {
  const artifacts = result.targets * result.perTarget;
  const shape = `${result.targets} targets x ${count(result.perTarget)} artifacts`;
  const timing = (stats: CatalogQueryResult['targetsList']): string =>
    `p50 ${fixed(stats.p50Ms, 1)} ms, p95 ${fixed(stats.p95Ms, 1)} ms, max ${fixed(stats.maxMs, 1)} ms ` +
    `(${stats.count} sequential requests after ${result.warmUp} warm-up, keep-alive), response ${count(stats.responseBytes)} bytes`;
  const wrong = [
    ...(result.cataloged === artifacts ? [] : [`the catalog holds ${count(result.cataloged)} artifacts`]),
    ...(result.catalogProblems === 0 ? [] : [`the refresh reported ${result.catalogProblems} problems`]),
    ...result.problems,
  ];
  const lines: ApiLine[] = [
    {
      level: wrong.length === 0 ? 'PASS' : 'FAIL',
      name: 'catalog queries',
      detail:
        wrong.length === 0
          ? `${shape}: the catalog holds all ${count(artifacts)}, no problems; targets.list lists ${result.targets}, artifacts.list pages 100 of ${count(result.perTarget)}`
          : `${shape}: ${wrong.join('; ')}`,
    },
    {
      level: 'INFO',
      name: 'catalog generation',
      detail: `${count(artifacts)} artifacts = ${count(result.files)} files (tiny data + minimal manifest) written in ${fixed(result.generateS, 1)} s, ${result.writeConcurrency} writes at once`,
    },
    {
      level: 'INFO',
      name: 'catalog refresh',
      detail:
        `daemon.start() with ${shape} took ${fixed(result.refreshS, 1)} s: it lists every object, then reads and parses every manifest ` +
        `(8 at a time); storage.list('') alone, timed afterwards: ${count(result.objects)} objects in ${fixed(result.listObjectsS, 1)} s ` +
        `(a directory walk with one lstat per object, one at a time), leaving about ${fixed(result.refreshS - result.listObjectsS, 0)} s for reading and parsing the manifests; ` +
        `then this process: heap used ${fixed(result.heapUsedMb, 0)} MB, RSS ${fixed(result.rssMb, 0)} MB`,
    },
    {
      level: 'INFO',
      name: 'targets.list',
      detail: `GET /api/trpc/targets.list: ${timing(result.targetsList)}`,
    },
    {
      level: 'INFO',
      name: 'artifacts.list',
      detail: `GET /api/trpc/artifacts.list?input=${result.artifactsInput}: ${timing(result.artifactsList)}`,
    },
  ];
  const scanShare = result.listNoMatchMs / result.listEachTargetMs;
  const verdict =
    scanShare >= 0.8
      ? `so the whole-catalog scan per target is the cost (${count(result.targets * artifacts)} entry visits per call), not the sort`
      : `so the scan is ${fixed(scanShare * 100, 0)}% and the sorting the rest`;
  const where =
    `in process, medians of 5 interleaved rounds: daemon.status() ${fixed(result.statusMs, 0)} ms (GC pauses ${fixed(result.statusGcMs, 0)} ms per call) ` +
    `= ${result.targets} x targetStatus(), each calling catalog.list({ target }) only for the newest artifact; ` +
    `catalog.list copies all ${count(artifacts)} entries into an array, filters them, then sorts the target's ` +
    `${count(result.perTarget)} newest first: ${result.targets} such lists take ${fixed(result.listEachTargetMs, 0)} ms, ` +
    `${result.targets} lists matching nothing (copy + filter, no sort) ${fixed(result.listNoMatchMs, 0)} ms, ` +
    `${verdict}; ` +
    `over HTTP the GC paused ${fixed(result.targetsList.gcMsPerRequest, 0)} ms per targets.list request`;
  lines.push(
    result.targetsList.p50Ms > targetsListWarnMs
      ? {
          level: 'WARN',
          name: 'targets.list',
          detail: `p50 ${fixed(result.targetsList.p50Ms, 1)} ms is over ${targetsListWarnMs} ms with ${shape}; ${where}`,
        }
      : { level: 'INFO', name: 'targets.list cost', detail: where },
  );
  return lines;
}

export function renderApi(lines: readonly ApiLine[]): string {
  return [
    'API (no database)',
    ...lines.map((line) => `${line.level.padEnd(4)}  ${line.name}: ${line.detail}`),
  ].join('\n');
}

export const apiFailed = (result: ApiResult | undefined): boolean =>
  result?.lines.some((line) => line.level === 'FAIL') === true;
