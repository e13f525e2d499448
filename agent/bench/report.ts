import { s3StorageSchema } from '@port-yard/shared';
import {
  filesystemRowIds,
  hasNodeRoot,
  portYardMethodIds,
  s3RowIds,
  type PortYardMethodId,
} from './method-ids.ts';
import { medianInterval } from './median-interval.ts';
import { median } from './method-run.ts';
import { s3Notes } from './s3-report.ts';
import { ratiosByRound, type MeasuredSize, type MethodSummary } from './summarize.ts';

export interface Check {
  readonly name: string;
  readonly pass: boolean | undefined;
  readonly detail: string;
}

const speedTarget = 1.1;
const rssLimitMb = 150;
const rssGrowthLimitMb = 20;
/**
 * The part buffers an S3 upload holds with the storage's defaults (the bench's S3 storage sets
 * none): partSizeMiB x (parallelParts in flight + 1 filling), in MB. They are the user's choice,
 * so the S3 rows may exceed the RSS limit by this much.
 */
const s3Defaults = s3StorageSchema.parse({ type: 's3', bucket: 'bench' });
const s3BufferMb = Math.round((s3Defaults.partSizeMiB * (s3Defaults.parallelParts + 1) * 1024 * 1024) / 1e6);

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The per-engine, per-size table of every method. */
export function renderSize(size: MeasuredSize): string {
  const db = size.database;
  const made = db.reused ? 'reused' : `generated in ${fixed(db.generationSeconds, 1)} s`;
  const title =
    `${size.engine} ${size.sizeMb} MB: ${db.database} (${made}), raw dump ${fixed(size.rawBytes / 1e6, 1)} MB, ` +
    `${size.reps} runs each, medians`;
  const headers = [
    'method',
    'wall s',
    'min-max s',
    'MB/s',
    'x zstd',
    'paired',
    'x null',
    'out MB',
    'ratio',
    'node RSS MB',
    'CPU s: node',
    size.dumpComm,
    'compressor',
    'server',
    'other',
    'busy',
  ];
  const rows = size.methods.map((method) => [
    method.label,
    fixed(method.wallS, 2),
    `${fixed(method.minS, 2)}-${fixed(method.maxS, 2)}`,
    fixed(method.mbPerS, 0),
    fixed(method.vsZstd, 2),
    fixed(method.vsZstdPaired, 2),
    fixed(method.vsNull, 2),
    fixed(method.outputMb, 1),
    fixed(method.ratio, 2),
    hasNodeRoot(method.id) ? fixed(method.rootPeakRssMb, 1) : '-',
    hasNodeRoot(method.id) ? fixed(method.rootCpuS, 2) : '-',
    fixed(method.dumpCpuS, 2),
    fixed(method.compressorCpuS, 2),
    fixed(method.serverCpuS, 2),
    fixed(method.otherCpuS, 2),
    `${fixed(method.systemBusy * 100, 0)}%`,
  ]);
  const py = size.methods.find((method) => method.id === 'port-yard');
  const notes = py
    ? [
        `Port-Yard node process: peak RSS ${fixed(py.rootPeakRssMb, 1)} MB (max of runs), CPU ${fixed(py.rootCpuS, 2)} s ` +
          `= ${fixed(((py.rootCpuS ?? 0) / py.wallS) * 100, 0)}% of one core over the run; ` +
          `children peak RSS: ${size.dumpComm} ${fixed(py.dumpPeakRssMb, 1)} MB, zstd ${fixed(py.compressorPeakRssMb, 1)} MB; ` +
          `${size.dumpComm} started ${fixed(py.dumpStartS, 2)} s after spawn (50 ms resolution), node RSS then ` +
          `${fixed(py.rootRssAtDumpStartMb, 1)} MB; ` +
          `whole-tree CPU ${fixed(py.treeCpuS, 2)} s (zstd pipeline: ${fixed(size.methods.find((m) => m.id === 'zstd')?.treeCpuS, 2)} s)`,
      ]
    : [];
  notes.push(...s3Notes(size));
  const redone = size.methods.filter((method) => method.discardedRuns > 0);
  if (redone.length > 0) {
    notes.push(
      `measured again because other jobs used the CPU meanwhile: ${redone
        .map((method) => `${method.label} ${method.discardedRuns}x`)
        .join(', ')}`,
    );
  }
  return [title, table(headers, rows), ...notes].join('\n');
}

export const legend = [
  "wall s: median wall time from spawn to exit (the running agent: from the API request to the run's logged end);",
  'x zstd / x null: medians relative to the zstd shell pipeline / dump > /dev/null.',
  "paired: the median of each round's own ratio to the zstd pipeline (the speed check uses it, with that median's interval).",
  'CPU s (user+sys, medians): node = the Port-Yard process itself (the running agent: its growth over the run);',
  'then the dump tool, the compressor, the database server processes, and other = the rest of the machine',
  'meanwhile (kernel write-back, other jobs; not the bench);',
  "busy = share of all CPUs busy during the run. node RSS = the Port-Yard process's own peak (VmHWM), max of runs.",
  "S3 rows: s3rver (the test S3 server, its own Node process) is neither in a row's CPU columns nor in other;",
  'its CPU is in the notes under the table.',
].join('\n');

export function checks(sizes: readonly MeasuredSize[]): Check[] {
  const result: Check[] = [];
  for (const size of sizes) {
    for (const id of filesystemRowIds) {
      const check = speedCheck(size, id);
      if (check) result.push(check);
    }
  }
  result.push(...peakRssChecks(sizes));
  for (const engine of new Set(sizes.map((size) => size.engine))) {
    const own = sizes.filter((size) => size.engine === engine).sort((a, b) => a.sizeMb - b.sizeMb);
    for (const id of portYardMethodIds) {
      const present = own.filter((size) => size.methods.some((method) => method.id === id));
      if (present.length > 0) result.push(rssFlat(`RSS flat ${engine}${rowSuffix[id]}`, present, id));
    }
  }
  const failures = sizes.flatMap((size) =>
    size.portYardFailures.map(
      (failure) => `${size.engine} ${size.sizeMb} MB round ${failure.round}: ${failure.message}`,
    ),
  );
  const attempts = sizes.reduce(
    (count, size) => count + size.portYardRunCount + size.portYardFailures.length,
    0,
  );
  result.push({
    name: 'reliability',
    pass: failures.length === 0,
    detail:
      failures.length === 0
        ? `all ${attempts} Port-Yard backups succeeded`
        : `${failures.length} of ${attempts} Port-Yard backups failed (retried, not timed): ${[...new Set(failures)].join('; ')}`,
  });
  const problems = sizes.flatMap((size) =>
    size.verifyProblems.map((problem) => `${size.engine} ${size.sizeMb} MB: ${problem}`),
  );
  const verified = sizes.reduce((count, size) => count + size.portYardRunCount, 0);
  result.push({
    name: 'artifacts',
    pass: problems.length === 0,
    detail:
      problems.length === 0
        ? `${verified} artifacts: zstd -dc size = rawBytes = warm-up dump size, file/object size = storedBytes, sha256 matches`
        : problems.join('; '),
  });
  return result;
}

/**
 * Port-Yard row `id` against the zstd shell pipeline: the median of the rounds' own ratios. The
 * CLI row (`port-yard`) includes the process's start; the running agent's row does not.
 */
function speedCheck(size: MeasuredSize, id: PortYardMethodId): Check | undefined {
  const py = size.methods.find((method) => method.id === id);
  const zstd = size.methods.find((method) => method.id === 'zstd');
  if (!py || !zstd || py.vsZstdPaired === undefined) return undefined;
  const ratio = py.vsZstdPaired;
  const rounds = py.vsZstdRounds;
  const fsync = size.methods.find((method) => method.id === 'zstd-fsync');
  return {
    name: `speed ${size.engine} ${size.sizeMb} MB${rowSuffix[id]}`,
    pass: ratio <= speedTarget,
    detail:
      `${py.label} / zstd shell pipeline, median of the ${rounds.length} rounds' ratios: ${fixed(ratio, 3)}x ` +
      `(${describeInterval(rounds)}; rounds ${fixed(Math.min(...rounds), 2)}-${fixed(Math.max(...rounds), 2)}x; ` +
      `target <= ${speedTarget}x; medians ${fixed(py.wallS, 2)} s / ${fixed(zstd.wallS, 2)} s = ${fixed(py.vsZstd, 3)}x)` +
      (fsync?.vsZstdPaired === undefined ? '' : durableComparison(py, fsync)),
  };
}

/**
 * The shell pipeline with `; sync file` against the plain one (the durability Port-Yard pays
 * for), and Port-Yard against that equally durable pipeline, round by round.
 */
function durableComparison(py: MethodSummary, fsync: MethodSummary): string {
  const vsDurable = ratiosByRound(py.wallsS, fsync.wallsS);
  return (
    `; beside it, the pipeline with \`; sync file\` (Port-Yard's durability) gave ${fixed(fsync.vsZstdPaired, 3)}x ` +
    `(${describeInterval(fsync.vsZstdRounds)}), and ${py.label} took ${fixed(median(vsDurable), 3)}x ` +
    `of that durable pipeline (${describeInterval(vsDurable)})`
  );
}

/** Where the median of these rounds' ratios may lie, given their spread (median-interval.ts). */
function describeInterval(rounds: readonly number[]): string {
  const interval = medianInterval(rounds);
  if (!interval) return 'one round: no interval';
  return `${Math.floor(interval.coverage * 1000) / 10}% interval ${fixed(interval.low, 3)}-${fixed(interval.high, 3)}x`;
}

/**
 * Peak RSS of the Node process: the filesystem row against the limit, the S3 rows against the
 * limit plus their part buffers (the rows that exist; none when no Port-Yard row ran).
 */
function peakRssChecks(sizes: readonly MeasuredSize[]): Check[] {
  const groups = [
    { name: 'peak RSS', ids: filesystemRowIds, limitMb: rssLimitMb, extra: '' },
    {
      name: 'peak RSS (S3 rows)',
      ids: s3RowIds,
      limitMb: rssLimitMb + s3BufferMb,
      extra: ` + ${s3BufferMb} MB of S3 part buffers`,
    },
  ];
  return groups.flatMap((group) => {
    const peaks = sizes.flatMap((size) =>
      size.methods
        .filter((method) => (group.ids as readonly string[]).includes(method.id))
        .map((method) => ({
          mb: method.rootPeakRssMb ?? 0,
          where: `${method.label}, ${size.engine} ${size.sizeMb} MB`,
        })),
    );
    if (peaks.length === 0) return [];
    const peak = peaks.reduce((a, b) => (b.mb > a.mb ? b : a));
    return [
      {
        name: group.name,
        pass: peak.mb < group.limitMb,
        detail: `Node agent process peak RSS ${fixed(peak.mb, 1)} MB, the largest over all runs (${peak.where}; limit < ${rssLimitMb} MB${group.extra}; child tools not included)`,
      },
    ];
  });
}

/** Check-name suffix of each Port-Yard row. */
const rowSuffix: Record<PortYardMethodId, string> = {
  'port-yard': '',
  'port-yard-agent': ' (running agent)',
  'port-yard-s3': ' (S3)',
  'port-yard-both': ' (fs + S3)',
};

/** The Node process's peak RSS of row `id` grows by less than the limit from the smallest size to the largest. */
function rssFlat(name: string, sizes: readonly MeasuredSize[], id: PortYardMethodId): Check {
  const rss = (size: MeasuredSize): number =>
    size.methods.find((method) => method.id === id)?.rootPeakRssMb ?? 0;
  if (sizes.length < 2) return { name, pass: undefined, detail: 'needs two sizes (--sizes a,b) to compare' };
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  const growth = rss(last) - rss(first);
  const detail = `${first.sizeMb} MB: ${fixed(rss(first), 1)} MB -> ${last.sizeMb} MB: ${fixed(rss(last), 1)} MB (growth ${fixed(growth, 1)} MB, limit < ${rssGrowthLimitMb} MB)`;
  // S3 uploads hold up to partSizeMiB x (parallelParts + 1) of parts (s3BufferMb): the buffers
  // fill until the artifact is that large, so a smaller size has not reached the plateau yet and
  // its growth to the next says nothing about the dump's size.
  const storedMb = first.methods.find((method) => method.id === id)?.outputMb ?? 0;
  if (s3RowIds.includes(id) && storedMb < s3BufferMb) {
    return {
      name,
      pass: undefined,
      detail: `${detail}; not judged: ${first.sizeMb} MB stores ${fixed(storedMb, 1)} MB, under the ${s3BufferMb} MB of S3 part buffers (use a larger smallest size, e.g. --sizes 200,500)`,
    };
  }
  return { name, pass: growth < rssGrowthLimitMb, detail };
}

export function renderChecks(list: readonly Check[]): string {
  return list
    .map(
      (check) =>
        `${check.pass === undefined ? 'SKIP' : check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`,
    )
    .join('\n');
}
