import { randomBytes } from 'node:crypto';

/**
 * Temporary files of unfinished puts live beside their final file, so the commit is a rename
 * within one folder (atomic on every POSIX filesystem), and are named
 * `.<final name>.<random>.port-yard-tmp`: hidden from `ls`, skipped by `list`, found by
 * `sweepTemporary`, and never a valid key (keys ending in the suffix are rejected).
 */
const suffix = '.port-yard-tmp';

export function temporaryNameFor(finalName: string): string {
  return `.${finalName}.${randomBytes(6).toString('hex')}${suffix}`;
}

export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(suffix);
}

/** True when a key segment would collide with the temporary names, so the key must be refused. */
export function isReservedSegment(segment: string): boolean {
  return segment.endsWith(suffix);
}
