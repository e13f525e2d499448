import { PortYardError } from '@port-yard/shared';

const unsafeSegment = /^\.{1,2}$|[\u0000-\u001f\\]/u;

/** Throws INVALID_INPUT unless `key` is a relative `/`-separated path of safe segments. */
export function assertStorageKey(key: string): void {
  const segments = key.split('/');
  const bad = key.length === 0 || key.length > 1024 || segments.some((s) => s === '' || unsafeSegment.test(s));
  if (bad) throw new PortYardError('INVALID_INPUT', `invalid storage key: ${JSON.stringify(key)}`);
}
