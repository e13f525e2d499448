import { describe, expect, it } from 'vitest';
import type { MethodId, SizeResult } from './measure.ts';
import type { MethodRun } from './method-run.ts';
import { checks } from './report.ts';
import { pairedRatio, summarize } from './summarize.ts';

/** A run of `wallMs` whose Node root peaked at `rssMb` (everything else idle). */
function run(wallMs: number, rssMb = 80): MethodRun {
  return {
    wallMs,
    outputBytes: 1e6,
    treeCpuMs: 0,
    usage: {
      rootPeakRssKb: rssMb * 1024,
      rootCpuMs: 0,
      descendants: [],
      serverCpuMs: 0,
      benchCpuMs: 0,
      sideCpuMs: 0,
      rootRssTimeline: [],
      systemBusy: 0.9,
      systemBusyMs: 0,
      samples: 1,
    },
  };
}

function size(methods: Partial<Record<MethodId, MethodRun[]>>): SizeResult {
  return {
    engine: 'postgres',
    dumpComm: 'pg_dump',
    sizeMb: 500,
    database: { database: 'bench', reused: true, generationSeconds: undefined } as SizeResult['database'],
    rawBytes: 3e6,
    warmupMs: 0,
    methods: Object.entries(methods).map(([id, runs]) => ({ id: id as MethodId, label: id, runs: runs! })),
    portYardRuns: [],
    portYardFailures: [],
    discarded: [],
  };
}

describe('pairedRatio', () => {
  it('is the median of the rounds’ own ratios', () => {
    const py = [run(110), run(330), run(104)];
    const zstd = [run(100), run(300), run(100)];
    expect(pairedRatio(py, zstd)).toBeCloseTo(1.1);
  });

  it('pairs only the rounds both have, and is undefined without any', () => {
    expect(pairedRatio([run(120), run(999)], [run(100)])).toBeCloseTo(1.2);
    expect(pairedRatio([], [run(100)])).toBeUndefined();
  });
});

describe('checks', () => {
  it('judges speed by the paired ratio, which cancels drift between rounds', () => {
    // The machine slowed down in the last two rounds: the medians alone say 1.2x.
    const measured = summarize(
      size({
        'port-yard': [run(1050), run(1080), run(1200), run(1300), run(1290)],
        zstd: [run(1000), run(1000), run(1000), run(1200), run(1200)],
      }),
    );
    const speed = checks([measured]).find((check) => check.name === 'speed postgres 500 MB')!;
    expect(speed.pass).toBe(true);
    expect(speed.detail).toContain("rounds' ratios: 1.080x");
    expect(speed.detail).toContain('= 1.200x');
    expect(speed.detail).toContain('rounds 1.05-1.20x');
  });

  it("shows the median's interval, and the durable shell pipeline's ratio in the same rounds", () => {
    const measured = summarize(
      size({
        'port-yard': [run(1050), run(1080), run(1200), run(1100), run(1000)],
        zstd: [run(1000), run(1000), run(1000), run(1000), run(1000)],
        'zstd-fsync': [run(900), run(1100), run(1000), run(1020), run(950)],
      }),
    );
    const speed = checks([measured]).find((check) => check.name === 'speed postgres 500 MB')!;
    expect(speed.detail).toContain("rounds' ratios: 1.080x (93.7% interval 1.000-1.200x;");
    expect(speed.detail).toContain(
      "the pipeline with `; sync file` (Port-Yard's durability) gave 1.000x (93.7% interval 0.900-1.100x)",
    );
    // Rounds: 1050/900, 1080/1100, 1200/1000, 1100/1020, 1000/950.
    expect(speed.detail).toContain(
      'and port-yard took 1.078x of that durable pipeline (93.7% interval 0.982-1.200x)',
    );
  });

  it('judges the running agent on its own row, beside the CLI', () => {
    const measured = summarize(
      size({
        'port-yard': [run(1150), run(1160), run(1140)],
        'port-yard-agent': [run(1040), run(1050), run(1030)],
        zstd: [run(1000), run(1000), run(1000)],
      }),
    );
    const speed = checks([measured]).filter((check) => check.name.startsWith('speed'));
    expect(speed.map((check) => [check.name, check.pass])).toEqual([
      ['speed postgres 500 MB', false],
      ['speed postgres 500 MB (running agent)', true],
    ]);
    expect(speed[1]!.detail).toMatch(
      /^port-yard-agent \/ zstd shell pipeline, median of the 3 rounds' ratios: 1\.040x/,
    );
  });

  it('holds the filesystem row to 150 MB and the S3 rows to 150 MB plus their part buffers', () => {
    const measured = summarize(
      size({
        'port-yard': [run(1000, 149)],
        'port-yard-s3': [run(2000, 180)],
        zstd: [run(1000)],
      }),
    );
    const rss = checks([measured]).filter((check) => check.name.startsWith('peak RSS'));
    expect(rss.map((check) => [check.name, check.pass])).toEqual([
      ['peak RSS', true],
      ['peak RSS (S3 rows)', true],
    ]);
    expect(rss[1]!.detail).toContain('+ 42 MB of S3 part buffers');

    const tooBig = summarize(size({ 'port-yard': [run(1000, 151)], 'port-yard-both': [run(2000, 193)] }));
    expect(
      checks([tooBig])
        .filter((check) => check.name.startsWith('peak RSS'))
        .map((c) => c.pass),
    ).toEqual([false, false]);
  });
});

describe('RSS flat checks', () => {
  const measuredAt = (sizeMb: number, storedMb: number, fsMb: number, s3Mb: number) => {
    const result = size({ 'port-yard': [run(1000, fsMb)], 'port-yard-s3': [run(2000, s3Mb)] });
    const runs = result.methods.map((method) => ({
      ...method,
      runs: method.runs.map((one) => ({ ...one, outputBytes: storedMb * 1e6 })),
    }));
    return summarize({ ...result, sizeMb, methods: runs });
  };
  const flat = (list: ReturnType<typeof checks>) =>
    list.filter((check) => check.name.startsWith('RSS flat')).map((check) => [check.name, check.pass]);

  it('does not judge the S3 rows while the smallest size stores less than the part buffers', () => {
    const list = checks([measuredAt(100, 30, 80, 140), measuredAt(500, 150, 81, 170)]);
    expect(flat(list)).toEqual([
      ['RSS flat postgres', true],
      ['RSS flat postgres (S3)', undefined],
    ]);
    expect(list.find((check) => check.name === 'RSS flat postgres (S3)')!.detail).toContain('not judged');
  });

  it('judges them once the buffers are full at both sizes', () => {
    const list = checks([measuredAt(200, 60, 80, 150), measuredAt(500, 150, 81, 175)]);
    expect(flat(list)).toEqual([
      ['RSS flat postgres', true],
      ['RSS flat postgres (S3)', false],
    ]);
  });
});
