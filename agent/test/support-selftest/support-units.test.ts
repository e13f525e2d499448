import { describe, expect, it } from 'vitest';
import { compareDatabases } from '../support/database-fingerprint.ts';
import type { DatabaseDescription } from '../support/database-fingerprint.ts';
import { dropDatabase, expectedSampleCounts, uniqueDatabaseName } from '../support/sample-databases.ts';
import { commentedOut, rewriteSql } from '../support/sql-rewrite.ts';

/** The parts of the support library that need no server. */

describe('uniqueDatabaseName', () => {
  it('is lowercase, prefixed, safe and different each time', () => {
    const a = uniqueDatabaseName('gh-ost:Mixed-Charset');
    expect(a).toMatch(/^py_t_gh_ost_mixed_charset_[a-z0-9]{6}$/);
    expect(uniqueDatabaseName('x'.repeat(100)).length).toBeLessThanOrEqual(63);
    expect(new Set(Array.from({ length: 50 }, () => uniqueDatabaseName('s'))).size).toBe(50);
  });

  it('dropDatabase refuses names it did not make', async () => {
    await expect(dropDatabase('mariadb', 'test')).rejects.toThrow(/not a test database name/);
    await expect(dropDatabase('postgres', 'py_t_x"; DROP')).rejects.toThrow(/not a test database name/);
  });
});

describe('rewriteSql', () => {
  const rules = [
    { line: 'USE sakila;', replacement: 'USE `py_t_x`;', times: 1, why: 'use' },
    { pattern: /\bsakila\./g, replacement: '', times: 2, why: 'qualifier' },
  ];

  it('replaces whole lines and patterns, keeping the line count', () => {
    const sql = 'USE sakila;\r\nSELECT * FROM sakila.a JOIN sakila.b;\n-- sakilacustomer.org stays\n';
    expect(rewriteSql(sql, rules, 'f.sql')).toBe(
      'USE `py_t_x`;\nSELECT * FROM a JOIN b;\n-- sakilacustomer.org stays\n',
    );
  });

  it('refuses a file where a rule matches a different number of times', () => {
    expect(() => rewriteSql('USE sakila;\nUSE sakila;\n', rules, 'f.sql')).toThrow(
      /matched 2 time\(s\), expected 1/,
    );
  });

  it('comments stay comments', () => {
    expect(commentedOut('removed x')).toMatch(/^-- /);
  });
});

describe('compareDatabases', () => {
  const base: DatabaseDescription = {
    engine: 'mariadb',
    name: 'one',
    settings: { charset: 'utf8mb4' },
    tables: { t: { rows: 1, contentHash: '1', properties: {}, columns: { a: { type: 'int' } } } },
    objects: { views: { v: { definitionMd5: 'x' } } },
  };

  it('is empty for equal descriptions, whatever their names', () => {
    expect(compareDatabases(base, { ...base, name: 'two' })).toEqual([]);
  });

  it('names each difference by path and database', () => {
    const other: DatabaseDescription = {
      ...base,
      name: 'two',
      tables: { t: { rows: 2, contentHash: '2', properties: {}, columns: { a: { type: 'bigint' } } } },
      objects: { views: {} },
    };
    expect(compareDatabases(base, other)).toEqual([
      'objects › views: 1 in one, 0 in two',
      'objects › views › v: only in one',
      'tables › t › columns › a › type: "int" in one, "bigint" in two',
      'tables › t › contentHash: "1" in one, "2" in two',
      'tables › t › rows: 1 in one, 2 in two',
    ]);
    expect(compareDatabases(base, other, { ignore: [['tables', '*', 'columns'], ['objects']] })).toEqual([
      'tables › t › contentHash: "1" in one, "2" in two',
      'tables › t › rows: 1 in one, 2 in two',
    ]);
  });

  it('uses a and b when both databases have the same name (two servers)', () => {
    expect(compareDatabases(base, { ...base, settings: { charset: 'latin1' } })).toEqual([
      'settings › charset: "utf8mb4" in a, "latin1" in b',
    ]);
  });
});

describe('expectedSampleCounts', () => {
  it('keys PostgreSQL tables like describeDatabase does', () => {
    expect(expectedSampleCounts('postgres', 'pagila')?.rowCounts['public.rental']).toBe(16044);
    expect(expectedSampleCounts('mariadb', 'sakila')?.objectCounts).toEqual({
      views: 7,
      triggers: 6,
      routines: 6,
      events: 0,
    });
    expect(expectedSampleCounts('mariadb', 'gh-ost:spatial57')).toBeUndefined();
  });
});
