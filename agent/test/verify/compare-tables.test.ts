import { describe, expect, it } from 'vitest';
import { compareTables, withinEstimate } from '../../src/verify/compare-tables.ts';

describe('compareTables', () => {
  // A dump that is whole but holds no rows (a wrapper that dumped the schema only, say): each
  // table alone is within its estimate's 1,000-row slack, the whole restore is empty.
  it('fails a restore in which every table estimated to hold rows is empty; not one emptied table', () => {
    const expected = [
      { name: 'a', rows: 3, exact: false },
      { name: 'b', rows: 500, exact: false },
      { name: 'c', rows: 0, exact: false },
    ];
    const empty = compareTables('mysql', expected, [
      { name: 'a', rows: 0 },
      { name: 'b', rows: 0 },
      { name: 'c', rows: 0 },
    ]);
    expect(empty.problems).toEqual([
      'no table holds a row after the restore, though the manifest estimates 503 rows in 2 table(s): the dump holds no data',
    ]);
    expect(empty.tables.map((table) => [table.name, table.ok])).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
    ]);
    // A staging table emptied since its estimate, beside tables that hold their rows: passes.
    const oneEmptied = compareTables('mysql', expected, [
      { name: 'a', rows: 3 },
      { name: 'b', rows: 0 },
      { name: 'c', rows: 0 },
    ]);
    expect(oneEmptied.problems).toEqual([]);
  });

  it('accepts equal exact counts and fails a differing exact count', () => {
    const result = compareTables(
      'mysql',
      [
        { name: 'a', rows: 10, exact: true },
        { name: 'b', rows: 5, exact: true },
      ],
      [
        { name: 'a', rows: 10 },
        { name: 'b', rows: 6 },
      ],
    );
    expect(result.tables).toEqual([
      { name: 'a', expectedRows: 10, actualRows: 10, exact: true, ok: true },
      { name: 'b', expectedRows: 5, actualRows: 6, exact: true, ok: false },
    ]);
    expect(result.problems).toEqual(['table b has 6 rows, the manifest says 5']);
  });

  it('accepts estimates within max(10 %, 1000 rows) and marks them approximate', () => {
    expect(withinEstimate(0, 1000)).toBe(true);
    expect(withinEstimate(0, 1001)).toBe(false);
    expect(withinEstimate(100_000, 110_000)).toBe(true);
    expect(withinEstimate(100_000, 110_001)).toBe(false);
    const result = compareTables(
      'mysql',
      [
        { name: 'near', rows: 20_000, exact: false },
        { name: 'far', rows: 20_000, exact: false },
        { name: 'same', rows: 7, exact: false },
      ],
      [
        { name: 'near', rows: 21_500 },
        { name: 'far', rows: 30_000 },
        { name: 'same', rows: 7 },
      ],
    );
    expect(result.tables).toEqual([
      { name: 'far', expectedRows: 20_000, actualRows: 30_000, exact: false, approximate: true, ok: false },
      { name: 'near', expectedRows: 20_000, actualRows: 21_500, exact: false, approximate: true, ok: true },
      { name: 'same', expectedRows: 7, actualRows: 7, exact: false, ok: true },
    ]);
    expect(result.problems).toEqual([
      "table far has 30000 rows, too far from the manifest's estimate of 20000",
    ]);
  });

  it('accepts a PostgreSQL estimate of 0 (never analyzed) but not a MariaDB one', () => {
    const expected = [{ schema: 'public', name: 't', rows: 0, exact: false }];
    const pg = compareTables('postgres', expected, [{ schema: 'public', name: 't', rows: 50_000 }]);
    expect(pg.problems).toEqual([]);
    expect(pg.tables).toEqual([
      {
        schema: 'public',
        name: 't',
        expectedRows: 0,
        actualRows: 50_000,
        exact: false,
        approximate: true,
        ok: true,
      },
    ]);
    const maria = compareTables(
      'mysql',
      [{ name: 't', rows: 0, exact: false }],
      [{ name: 't', rows: 50_000 }],
    );
    expect(maria.problems).toHaveLength(1);
  });

  it('fails missing and extra tables, telling PostgreSQL schemas apart', () => {
    const result = compareTables(
      'postgres',
      [
        { schema: 'public', name: 't', rows: 1, exact: true },
        { schema: 'other', name: 't', rows: 1, exact: true },
      ],
      [
        { schema: 'public', name: 't', rows: 1 },
        { schema: 'third', name: 't', rows: 2 },
      ],
    );
    expect(result.problems).toEqual([
      'table other.t is in the manifest but missing from the restored copy',
      'table third.t was restored but is not in the manifest',
    ]);
    expect(result.tables.map((table) => [table.schema, table.ok])).toEqual([
      ['other', false],
      ['public', true],
      ['third', false],
    ]);
  });
});
