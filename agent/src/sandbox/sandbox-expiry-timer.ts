import type { ExpiredSandboxes } from '@port-yard/shared';
import type { Logger } from '../platform/logger.ts';

export interface SandboxExpiryTimerOptions {
  /** The current agent's expiry pass (the daemon swaps agents on reload). */
  readonly expire: (now: Date) => Promise<ExpiredSandboxes>;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Default one minute. */
  readonly intervalMs?: number;
}

export interface SandboxExpiryTimer {
  /** Runs one pass now (skipped while one is running); resolves when it is done. */
  runNow(): Promise<void>;
  stop(): void;
}

/**
 * The daemon's sandbox expiry: a pass every minute (an unref'd interval, never two at once) that
 * logs what it dropped and what it could not.
 */
export function startSandboxExpiryTimer(options: SandboxExpiryTimerOptions): SandboxExpiryTimer {
  const { log } = options;
  let running: Promise<void> | undefined;
  const pass = async (): Promise<void> => {
    try {
      const result = await options.expire(options.now?.() ?? new Date());
      for (const sandbox of result.dropped)
        log.info('sandbox expired and dropped', {
          sandbox: sandbox.id,
          server: sandbox.server,
          target: sandbox.target,
          expiresAt: sandbox.expiresAt,
        });
      if (result.orphans.length > 0)
        log.info('dropped sandbox leftovers without a registry row', { orphans: result.orphans });
      for (const problem of result.problems) log.error('sandbox expiry failed', { ...problem });
    } catch (error) {
      log.error('sandbox expiry failed', { message: (error as Error).message });
    }
  };
  const runNow = (): Promise<void> => {
    running ??= pass().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runNow(), options.intervalMs ?? 60_000);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
