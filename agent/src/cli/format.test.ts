import { describe, expect, it } from 'vitest';
import { alignColumns, formatBytes } from './format.ts';

describe('alignColumns', () => {
  it('lines columns up whatever the lengths of the cells before them', () => {
    const lines = alignColumns(
      [
        ['a1', 'shop/db', '1.0 KiB', 'zstd', 'local', ''],
        ['a2', 'warehouse-eu/analytics', '512 B', 'zstd age', 'local,s3', '(manual)'],
      ],
      new Set([2]),
    );
    expect(lines).toEqual([
      'a1  shop/db                 1.0 KiB  zstd      local',
      'a2  warehouse-eu/analytics    512 B  zstd age  local,s3  (manual)',
    ]);
    // Every column starts at the same offset on every line.
    expect(lines[0]!.indexOf('zstd')).toBe(lines[1]!.indexOf('zstd'));
  });

  it('leaves nothing to align alone', () => {
    expect(alignColumns([])).toEqual([]);
    expect(alignColumns([['only']])).toEqual(['only']);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
