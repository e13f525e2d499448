import { durationMs, PortYardError } from '@port-yard/shared';

/** A sandbox TTL (`8h`, `2d`, ...) in milliseconds; months and years at their nominal lengths. */
export function sandboxTtlMs(ttl: string): number {
  const ms = durationMs(ttl);
  if (ms === undefined)
    throw new PortYardError(
      'INVALID_INPUT',
      `ttl ${JSON.stringify(ttl)} is not a duration such as 30m, 4h or 2d`,
    );
  return ms;
}
