import type { PortYardConfig, RunRecord, TargetStatus } from '@port-yard/shared';
import { durationMs } from '@port-yard/shared';
import type { Agent } from '../main.ts';
import type { Logger } from '../platform/logger.ts';
import { createAlertTracker } from './alert-tracker.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { observeAgent } from './observe-agent.ts';
import { createRunNotifications } from './run-notifications.ts';
import { createStaleNotifications } from './stale-notifications.ts';

/**
 * Notifications as the daemon uses them: one notifier (delivery, retries, the recent
 * deliveries) and the sources of events (runs, the stale check, the agent's verifications and
 * sandboxes), sharing one alert tracker so a problem is announced once, reminded, then ended.
 */
export interface Notifications {
  readonly notifier: Notifier;
  /** Every change of every run (the run registry's subscription). */
  runChanged(run: RunRecord): void;
  /** One stale check over every target's status. */
  checkStale(statuses: readonly TargetStatus[]): void;
  /** The agent, reporting its verifications and sandboxes: see observe-agent.ts. */
  observe(agent: Agent): Agent;
  /** Runs the stale check every `intervalMs` (default one minute) until `stop`. */
  start(statuses: () => readonly TargetStatus[], intervalMs?: number): void;
  /** Stops the stale check, waits up to `graceMs` for deliveries in flight, then gives up on them. */
  close(graceMs: number): Promise<void>;
}

export function createNotifications(deps: {
  readonly config: () => PortYardConfig;
  readonly log: Logger;
  readonly clock?: () => Date;
  readonly retryDelayMs?: number;
}): Notifications {
  const now = deps.clock ?? (() => new Date());
  const notifier = createNotifier(deps);
  const alerts = createAlertTracker({
    reminderIntervalMs: () => durationMs(deps.config().notifications.reminderInterval)!,
  });
  const sources = { alerts, emit: notifier.emit, now };
  const checkStale = createStaleNotifications(sources);
  let timer: NodeJS.Timeout | undefined;
  return {
    notifier,
    runChanged: createRunNotifications(sources),
    checkStale,
    observe: (agent) => observeAgent(agent, sources),
    start(statuses, intervalMs = 60_000) {
      clearInterval(timer);
      timer = setInterval(() => {
        try {
          checkStale(statuses());
        } catch (error) {
          deps.log.error('the stale check failed', { message: (error as Error).message });
        }
      }, intervalMs);
      timer.unref();
    },
    async close(graceMs) {
      clearInterval(timer);
      let waiting: NodeJS.Timeout | undefined;
      await Promise.race([
        notifier.settled(),
        new Promise((resolve) => (waiting = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(waiting);
      notifier.stop();
      await notifier.settled();
    },
  };
}
