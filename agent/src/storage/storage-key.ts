import type { ByteRange } from './storage.ts';
import { PortYardError } from '@port-yard/shared';

const maxKeyLength = 1024;

/**
 * Throws INVALID_INPUT unless `key` is a relative `/`-separated path of safe segments: no empty
 * segment (so no leading, trailing or doubled `/`), no `.` or `..`, no backslash, no control
 * character, at most 1,024 characters. Such keys mean the same path on every OS and every backend.
 */
export function assertStorageKey(key: string): void {
  const bad = key.length === 0 || key.length > maxKeyLength || !key.split('/').every(isSafeSegment);
  if (bad) throw new PortYardError('INVALID_INPUT', `invalid storage key: ${JSON.stringify(key)}`);
}

/**
 * Throws INVALID_INPUT unless `prefix` is '' or a key prefix: a valid key, optionally followed by
 * one `/` (a "folder"), where the last segment may be a partial name (`a/20` matches `a/2025...`).
 */
export function assertStoragePrefix(prefix: string): void {
  if (prefix === '') return;
  try {
    assertStorageKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  } catch {
    throw new PortYardError('INVALID_INPUT', `invalid storage prefix: ${JSON.stringify(prefix)}`);
  }
}

function isSafeSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..') return false;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    // C0 controls and DEL never belong in a file or object name; `\` is a separator on Windows.
    if (code < 0x20 || code === 0x7f || code === 0x5c) return false;
  }
  return true;
}

/** Throws INVALID_INPUT unless `range` has a whole, non-negative start and an end not before it. */
export function assertByteRange(range: ByteRange): void {
  const { start, end } = range;
  const valid =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw new PortYardError('INVALID_INPUT', `invalid byte range: ${JSON.stringify(range)}`);
}
