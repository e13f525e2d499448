import { PortYardError } from '@port-yard/shared';
import type { Logger } from '../platform/logger.ts';

/**
 * Scheduled retention passes and verifications, by name: one at a time each (a verification
 * slower than its cron interval is not started again beside itself), waited for and then
 * cancelled at shutdown.
 */
export interface BackgroundPasses {
  /** Aborted when a shutdown's grace period ran out: passes hand it to what they run. */
  readonly signal: AbortSignal;
  /** Runs `work` as `name`, unless a pass of that name is still going (then it is skipped). */
  start(name: string, work: () => Promise<void>): void;
  /** Waits up to `graceMs` for the passes going, then cancels them and waits for their end. */
  settle(graceMs: number): Promise<void>;
}

export function createBackgroundPasses(log: Logger): BackgroundPasses {
  const going = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  return {
    signal: stopping.signal,
    start(name, work) {
      if (going.has(name)) {
        log.warn('a scheduled pass is still going: this one is skipped', { pass: name });
        return;
      }
      const done = work()
        .catch((error: unknown) =>
          log.error('a scheduled pass failed', { pass: name, message: (error as Error).message }),
        )
        .finally(() => going.delete(name));
      going.set(name, done);
    },
    async settle(graceMs) {
      const all = (): Promise<unknown> => Promise.allSettled([...going.values()]);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all().then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) stopping.abort(new PortYardError('CANCELLED', 'the agent is shutting down'));
      await all();
    },
  };
}
