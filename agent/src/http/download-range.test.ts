import { describe, expect, it } from 'vitest';
import { ifRangeHolds, noneMatch, parseRange } from './download-range.ts';

describe('parseRange', () => {
  const size = 100;
  it.each([
    ['bytes=0-0', { kind: 'part', start: 0, end: 0 }],
    ['bytes=10-19', { kind: 'part', start: 10, end: 19 }],
    ['bytes=90-', { kind: 'part', start: 90, end: 99 }],
    ['bytes=-10', { kind: 'part', start: 90, end: 99 }],
    ['bytes=-500', { kind: 'part', start: 0, end: 99 }],
    ['bytes=50-1000', { kind: 'part', start: 50, end: 99 }],
    ['BYTES=1-2', { kind: 'part', start: 1, end: 2 }],
  ])('%s', (header, expected) => expect(parseRange(header, size)).toEqual(expected));

  it.each(['bytes=100-', 'bytes=100-200', 'bytes=-0'])('%s is unsatisfiable', (header) =>
    expect(parseRange(header, size)).toEqual({ kind: 'unsatisfiable' }),
  );

  it.each([
    undefined,
    'bytes=5-2',
    'bytes=0-1,4-5',
    'items=0-1',
    'bytes=-',
    'bytes=x-1',
    'bytes=99999999999999999999-',
  ])('%s is ignored (the whole object)', (header) =>
    expect(parseRange(header, size)).toEqual({ kind: 'whole' }),
  );

  it('finds nothing to serve in an empty object', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('validators', () => {
  const etag = '"abc"';
  it('If-Range holds only for the same entity tag', () => {
    expect(ifRangeHolds(undefined, etag)).toBe(true);
    expect(ifRangeHolds('"abc"', etag)).toBe(true);
    expect(ifRangeHolds('"other"', etag)).toBe(false);
    expect(ifRangeHolds('W/"abc"', etag)).toBe(false);
    expect(ifRangeHolds('Wed, 21 Oct 2026 07:28:00 GMT', etag)).toBe(false);
  });
  it('If-None-Match compares weakly, in lists, and with *', () => {
    expect(noneMatch(undefined, etag)).toBe(false);
    expect(noneMatch('"x", W/"abc"', etag)).toBe(true);
    expect(noneMatch('*', etag)).toBe(true);
    expect(noneMatch('"x"', etag)).toBe(false);
  });
});
