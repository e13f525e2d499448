import { defaultSandboxMaxTtl, durationMs, PortYardError } from '@port-yard/shared';

/**
 * A sandbox TTL (`8h`, `2d`, ...) in milliseconds; months and years at their nominal lengths.
 * INVALID_INPUT when it is no duration, or longer than `maxTtl` (the target's `sandbox.maxTtl`).
 */
export function sandboxTtlMs(ttl: string, maxTtl: string = defaultSandboxMaxTtl): number {
  const ms = durationMs(ttl);
  // Named as the CLI and the API take it: a CLI user has never seen `ttl` on its own.
  const name = 'the ttl (--ttl; ttl in the API)';
  if (ms === undefined)
    throw new PortYardError(
      'INVALID_INPUT',
      /^0+(s|m|h|d|w|mo|y)$/.test(ttl)
        ? `${name} ${JSON.stringify(ttl)} is zero: a sandbox needs a time to live, such as 30m, 4h or 2d`
        : `${name} ${JSON.stringify(ttl)} is not a duration such as 30m, 4h or 2d`,
    );
  const maxMs = durationMs(maxTtl);
  if (maxMs !== undefined && ms > maxMs)
    throw new PortYardError(
      'INVALID_INPUT',
      `${name} ${ttl} is longer than this target allows (sandbox.maxTtl: ${maxTtl})`,
    );
  return ms;
}
