/**
 * Byte ranges and validators for artifact downloads (RFC 9110 §13-14), as pure functions. Only a
 * single range is served: a multi-range or malformed `Range` is ignored (the whole object, 200),
 * as the RFC allows, rather than answered with multipart bodies no download tool needs.
 */
export type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const whole: RangeRequest = { kind: 'whole' };

/** The inclusive byte range `header` asks of an object of `size` bytes. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return whole;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match) return whole;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return whole;
  if (first === '') {
    // `-n`: the last n bytes; the whole object when it is shorter than n.
    const suffix = toInteger(last);
    if (suffix === undefined) return whole;
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = toInteger(first);
  const end = last === '' ? Infinity : toInteger(last);
  if (start === undefined || end === undefined || end < start) return whole;
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}

function toInteger(digits: string): number | undefined {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * `If-Range`: the range applies only while the client's copy is still this representation. Only
 * an entity tag can prove that (strong comparison); a date is treated as "changed" (send it whole).
 */
export function ifRangeHolds(header: string | string[] | undefined, etag: string): boolean {
  return header === undefined || (typeof header === 'string' && header.trim() === etag);
}

/** `If-None-Match` (weak comparison): true when the client already holds this representation. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
