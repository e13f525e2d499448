import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchEngineDriver, SqlSession } from './bench-engine.ts';
import { createTableSql, insertRowsSql } from './bench-rows.ts';
import type { BenchTable } from './data-shape.ts';
import {
  benchTables,
  calibrationUnits,
  chunkRows,
  databaseName,
  generatorVersion,
  literal,
  metaTable,
  rowCount,
} from './data-shape.ts';
import { dumpEnv, dumpShell } from './dump-shell.ts';
import { runQuiet } from './timed-run.ts';

export interface BenchDatabase {
  readonly database: string;
  /** True when an existing database of the right size and generator version was reused. */
  readonly reused: boolean;
  readonly generationSeconds: number | undefined;
  readonly units: number;
  readonly rows: Readonly<Record<BenchTable, number>>;
  /** zstd -3 ratio of the calibration dump (only when generated now). */
  readonly calibrationRatio: number | undefined;
}

type Log = (line: string) => void;

const workers = 2;

/**
 * A database whose dump is about `sizeMb` MB: reused when its marker table says it was made for
 * this size by this generator version, otherwise (re)built on the server. A small calibration load
 * is dumped to learn the dump bytes per unit of scale; the rest is then generated with
 * INSERT … SELECT chunks on two connections.
 */
export async function ensureBenchDatabase(
  driver: BenchEngineDriver,
  sizeMb: number,
  privateDir: string,
  log: Log,
): Promise<BenchDatabase> {
  const database = databaseName(sizeMb);
  const admin = await driver.connect(undefined);
  try {
    if (await driver.databaseExists(admin, database)) {
      const meta = await readMeta(driver, database);
      if (
        meta.get('generator_version') === generatorVersion &&
        meta.get('target_mb') === String(sizeMb) &&
        meta.get('complete') === 'yes'
      ) {
        const units = Number(meta.get('units'));
        log(`${driver.name}: reusing ${database} (made for ${sizeMb} MB, ${units} units)`);
        return {
          database,
          reused: true,
          generationSeconds: undefined,
          units,
          rows: rowsFor(units),
          calibrationRatio: undefined,
        };
      }
      log(
        `${driver.name}: ${database} exists but is not a complete v${generatorVersion} ${sizeMb} MB bench database: rebuilding`,
      );
      await driver.dropDatabase(admin, database);
    }
    const started = performance.now();
    await driver.createDatabase(admin, database);
    const generated = await generate(driver, database, sizeMb, privateDir, log);
    const seconds = (performance.now() - started) / 1000;
    log(`${driver.name}: generated ${database} in ${seconds.toFixed(1)} s`);
    return { database, reused: false, generationSeconds: seconds, ...generated };
  } finally {
    await admin.close();
  }
}

export async function dropBenchDatabase(driver: BenchEngineDriver, database: string): Promise<void> {
  const admin = await driver.connect(undefined);
  try {
    await driver.dropDatabase(admin, database);
  } finally {
    await admin.close();
  }
}

async function readMeta(driver: BenchEngineDriver, database: string): Promise<Map<string, string>> {
  const session = await driver.connect(database);
  try {
    const rows = await session.run(`SELECT k, v FROM ${metaTable}`);
    return new Map(rows.map((row) => [String(row.k), String(row.v)]));
  } catch {
    return new Map();
  } finally {
    await session.close();
  }
}

function rowsFor(units: number): Record<BenchTable, number> {
  return Object.fromEntries(benchTables.map((table) => [table, rowCount(table, units)])) as Record<
    BenchTable,
    number
  >;
}

async function generate(
  driver: BenchEngineDriver,
  database: string,
  sizeMb: number,
  privateDir: string,
  log: Log,
): Promise<Omit<BenchDatabase, 'database' | 'reused' | 'generationSeconds'>> {
  const sessions: SqlSession[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      const session = await driver.connect(database);
      sessions.push(session);
      for (const sql of driver.generatorSessionSql) await session.run(sql);
    }
    const main = sessions[0]!;
    for (const table of benchTables) await main.run(createTableSql(driver.dialect, table));
    await main.run(`CREATE TABLE ${metaTable} (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL)`);
    const empty = await measureDump(driver, database, privateDir, false);

    // Calibration: a small load, dumped, gives the dump bytes per unit of scale.
    const calibrationRows = rowsFor(calibrationUnits);
    await runAll(
      sessions,
      benchTables.flatMap((table) =>
        chunks(driver, table, 1, calibrationRows[table], calibrationRows.customers),
      ),
    );
    const calibration = await measureDump(driver, database, privateDir, true);
    const bytesPerUnit = (calibration.rawBytes - empty.rawBytes) / calibrationUnits;
    const units = Math.max(1, Math.round((sizeMb * 1e6 - empty.rawBytes) / bytesPerUnit));
    const rows = rowsFor(units);
    const ratio = calibration.rawBytes / (calibration.zstdBytes ?? calibration.rawBytes);
    log(
      `${driver.name}: calibration ${(calibration.rawBytes / 1e6).toFixed(1)} MB dump, ` +
        `${(bytesPerUnit / 1024).toFixed(2)} KiB per unit, zstd -3 ratio ${ratio.toFixed(2)}; ` +
        `generating ${units} units (${Object.values(rows).reduce((a, b) => a + b, 0)} rows)`,
    );

    if (units < calibrationUnits) {
      for (const table of benchTables) await main.run(`DELETE FROM ${table} WHERE id > ${rows[table]}`);
    } else {
      const tasks = benchTables.flatMap((table) =>
        chunks(driver, table, calibrationRows[table] + 1, rows[table], rows.customers),
      );
      // Interleave the tables, so both workers stay busy till the end.
      tasks.sort((a, b) => a.order - b.order);
      await runAll(sessions, tasks, (done, total) => {
        if (done === total || done % Math.max(1, Math.round(total / 10)) === 0) {
          log(`${driver.name}: ${database} ${Math.round((100 * done) / total)}% (${done}/${total} chunks)`);
        }
      });
    }
    await driver.afterLoad(main, [...benchTables, metaTable]);
    const meta = {
      generator_version: generatorVersion,
      target_mb: String(sizeMb),
      units: String(units),
      complete: 'yes',
    };
    for (const [key, value] of Object.entries(meta)) {
      await main.run(`INSERT INTO ${metaTable} (k, v) VALUES (${literal(key)}, ${literal(value)})`);
    }
    return { units, rows, calibrationRatio: ratio };
  } finally {
    await Promise.allSettled(sessions.map((session) => session.close()));
  }
}

interface Task {
  readonly sql: string;
  /** Position of the chunk within its table, to interleave tables. */
  readonly order: number;
}

function chunks(
  driver: BenchEngineDriver,
  table: BenchTable,
  from: number,
  to: number,
  customers: number,
): Task[] {
  const tasks: Task[] = [];
  for (let start = from, index = 0; start <= to; start += chunkRows, index++) {
    const end = Math.min(to, start + chunkRows - 1);
    tasks.push({
      sql: insertRowsSql(driver.dialect, table, start, end, customers),
      order: (start - from) / (to - from + 1),
    });
  }
  return tasks;
}

async function runAll(
  sessions: readonly SqlSession[],
  tasks: readonly Task[],
  progress?: (done: number, total: number) => void,
): Promise<void> {
  const queue = [...tasks];
  let done = 0;
  await Promise.all(
    sessions.map(async (session) => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        await session.run(task.sql);
        progress?.(++done, tasks.length);
      }
    }),
  );
}

/** Dump size (and optionally zstd -3 size) of the database, via the same dump command Port-Yard runs. */
async function measureDump(
  driver: BenchEngineDriver,
  database: string,
  privateDir: string,
  compressed: boolean,
): Promise<{ rawBytes: number; zstdBytes: number | undefined }> {
  const dump = await driver.dumpInvocation(database, privateDir);
  const zstdCount = join(privateDir, `${database}.calibration-zstd-bytes`);
  const script = compressed
    ? `${dumpShell(dump)} | tee >(zstd -q -c -3 -T0 | wc -c > '${zstdCount}') | wc -c; wait`
    : `${dumpShell(dump)} | wc -c`;
  const rawBytes = Number((await runQuiet('bash', ['-o', 'pipefail', '-c', script], dumpEnv(dump))).trim());
  // The process substitution may finish just after the main pipeline: poll briefly for its count.
  let zstdBytes: number | undefined;
  for (let attempt = 0; compressed && attempt < 50 && !zstdBytes; attempt++) {
    zstdBytes = Number((await readFile(zstdCount, 'utf8').catch(() => '')).trim()) || undefined;
    if (!zstdBytes) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { rawBytes, zstdBytes };
}
