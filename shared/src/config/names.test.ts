import { describe, expect, it } from 'vitest';
import { databaseNameProblem, isDatabaseName } from './names.ts';

describe('database names', () => {
  it('accepts what the servers allow in quoted identifiers and storage keys can carry', () => {
    for (const name of [
      'shop',
      "it's",
      'with space',
      'café',
      '日本',
      'k=v',
      'a;b',
      '`x`',
      '$x',
      'x-',
      'L'.repeat(64),
    ])
      expect(isDatabaseName(name), name).toBe(true);
  });

  it('refuses names a path, a file name or a command line cannot carry', () => {
    for (const name of [
      '',
      '-x',
      '--result-file=/tmp/x',
      '.',
      '..',
      '.hidden',
      ' x',
      'a/b',
      'a\\b',
      'a\nb',
      'L'.repeat(65),
      'x\ud800y', // a lone surrogate: written as U+FFFD, the folder would not match the manifest
      'q\u201bx', // rclone's quote character: listed back changed
      'x.port-yard-tmp', // the storages' temporary files
    ])
      expect(isDatabaseName(name), JSON.stringify(name)).toBe(false);
  });

  it('holds PostgreSQL to 63 bytes, which it would otherwise cut a name to', () => {
    const accented = `db_${'é'.repeat(30)}`; // 33 characters, 63 bytes
    expect(databaseNameProblem(accented, 'postgres')).toBeUndefined();
    expect(databaseNameProblem(`${accented}é`, 'postgres')).toBe(
      'must be at most 63 bytes for PostgreSQL, which would cut this 65-byte name to another one',
    );
    expect(databaseNameProblem(`${accented}é`, 'mariadb')).toBeUndefined();
    expect(databaseNameProblem('a/b', 'mariadb')).toContain('must be 1-64 characters');
  });

  // Restoring into such a name failed only once the run had started, as CONNECTION_FAILED.
  it('holds MariaDB and MySQL to the names they take: no ending space, nothing beyond U+FFFF', () => {
    for (const engine of ['mariadb', 'mysql']) {
      expect(databaseNameProblem('shop ', engine)).toMatch(/must not end in a space/);
      expect(databaseNameProblem('shop_\u{1F600}', engine)).toMatch(/beyond U\+FFFF/);
      expect(databaseNameProblem('shop é', engine)).toBeUndefined();
    }
    expect(databaseNameProblem('shop ', 'postgres')).toBeUndefined();
    expect(databaseNameProblem('shop_\u{1F600}', 'postgres')).toBeUndefined();
  });
});
