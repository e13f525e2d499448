import type { TableEstimate, VerifiedTable } from '@port-yard/shared';
import type { RestoredTable } from './count-restored-tables.ts';
import type { EngineFamily } from './engine-family.ts';

/** An estimate passes when it is this close to the actual count: max(10 % of it, 1000 rows). */
export const estimateTolerance = { fraction: 0.1, minRows: 1000 } as const;

export function withinEstimate(estimate: number, actual: number): boolean {
  const allowed = Math.max(estimate * estimateTolerance.fraction, estimateTolerance.minRows);
  return Math.abs(actual - estimate) <= allowed;
}

export interface TableComparison {
  readonly tables: VerifiedTable[];
  readonly problems: string[];
}

/**
 * Compares the restored base tables with the manifest's: a table missing or extra fails; an exact
 * row count must match; a server estimate (InnoDB, pg reltuples) passes within `estimateTolerance`
 * and is then marked `approximate` when it differs. A PostgreSQL estimate of 0 may just mean
 * "never analyzed", so it passes whatever the actual count. A restore in which every table
 * estimated to hold rows is empty fails (below).
 */
export function compareTables(
  family: EngineFamily,
  expected: readonly TableEstimate[],
  restored: readonly RestoredTable[],
): TableComparison {
  const keyOf = (table: { schema?: string; name: string }): string =>
    family === 'postgres' ? `${table.schema ?? 'public'}.${table.name}` : table.name;
  const actualByKey = new Map(restored.map((table) => [keyOf(table), table]));
  const expectedKeys = new Set(expected.map(keyOf));
  const tables: VerifiedTable[] = [];
  const problems: string[] = [];

  for (const table of expected) {
    const key = keyOf(table);
    const schema = family === 'postgres' ? { schema: table.schema ?? 'public' } : {};
    const actual = actualByKey.get(key);
    if (!actual) {
      problems.push(`table ${key} is in the manifest but missing from the restored copy`);
      tables.push({
        ...schema,
        name: table.name,
        expectedRows: table.rows,
        actualRows: null,
        exact: table.exact,
        ok: false,
      });
      continue;
    }
    let ok: boolean;
    if (table.exact) {
      ok = actual.rows === table.rows;
      if (!ok) problems.push(`table ${key} has ${actual.rows} rows, the manifest says ${table.rows}`);
    } else {
      ok = withinEstimate(table.rows, actual.rows) || (family === 'postgres' && table.rows === 0);
      if (!ok)
        problems.push(
          `table ${key} has ${actual.rows} rows, too far from the manifest's estimate of ${table.rows}`,
        );
    }
    const approximate = !table.exact && actual.rows !== table.rows ? { approximate: true } : {};
    tables.push({
      ...schema,
      name: table.name,
      expectedRows: table.rows,
      actualRows: actual.rows,
      exact: table.exact,
      ...approximate,
      ok,
    });
  }
  for (const table of restored) {
    const key = keyOf(table);
    if (expectedKeys.has(key)) continue;
    problems.push(`table ${key} was restored but is not in the manifest`);
    const schema = family === 'postgres' ? { schema: table.schema ?? 'public' } : {};
    tables.push({
      ...schema,
      name: table.name,
      expectedRows: null,
      actualRows: table.rows,
      exact: false,
      ok: false,
    });
  }
  // Each table alone may pass an estimate with 0 rows (1,000 rows of slack). A restore in which
  // every table the manifest estimates rows for came out empty is a dump that holds no data,
  // whatever each estimate allows; a single table emptied since its estimate is not flagged.
  const estimated = expected.filter((table) => !table.exact && table.rows > 0);
  const estimatedRows = estimated.reduce((sum, table) => sum + table.rows, 0);
  if (estimated.length > 0 && estimated.every((table) => actualByKey.get(keyOf(table))?.rows === 0)) {
    problems.push(
      `no table holds a row after the restore, though the manifest estimates ${estimatedRows} rows in ${estimated.length} table(s): the dump holds no data`,
    );
    for (const [index, table] of tables.entries())
      if (estimated.some((candidate) => keyOf(candidate) === keyOf(table)))
        tables[index] = { ...table, ok: false };
  }
  tables.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return { tables, problems };
}
