import { hostname } from 'node:os';
import type { NotificationDelivery, PortYardConfig } from '@port-yard/shared';
import { PortYardError, durationMs } from '@port-yard/shared';
import { agentVersion } from '../agent-version.ts';
import type { Logger } from '../platform/logger.ts';
import { timerDelay } from '../platform/timer-delay.ts';
import { channelAttempt, channelDestination } from './channel-sender.ts';
import { createDeliveryLog } from './delivery-log.ts';
import { deliverWithRetry } from './deliver-with-retry.ts';
import { testNotification } from './event-messages.ts';
import type { Notification } from './notification.ts';

export interface NotifierDeps {
  /** The current config (the daemon swaps it on reload). */
  readonly config: () => PortYardConfig;
  readonly log: Logger;
  readonly clock?: () => Date;
  /** The first backoff wait (default 1 s; tests shorten it). */
  readonly retryDelayMs?: number;
}

export interface Notifier {
  /**
   * Sends a notification to every channel its target's `notify` rules route its event to, in the
   * background: returns at once and never throws. Each delivery ends in the log and in `recent`.
   */
  emit(notification: Notification): void;
  /** Sends a test notification to one channel and waits for the outcome; NOT_FOUND for no such channel. */
  test(channel: string): Promise<NotificationDelivery>;
  /** The newest deliveries, newest first: no URL, address or secret. */
  recent(limit?: number): NotificationDelivery[];
  /** Resolves when every delivery started so far has ended. */
  settled(): Promise<void>;
  /** Gives up on deliveries still in flight or waiting to retry. */
  stop(): void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const { log } = deps;
  const now = deps.clock ?? (() => new Date());
  const sender = { version: agentVersion, host: hostname() };
  const deliveries = createDeliveryLog();
  const inFlight = new Set<Promise<unknown>>();
  const stopping = new AbortController();

  // Durations in a loaded config are valid: the schema checked them.
  const milliseconds = (text: string): number => durationMs(text)!;

  const deliver = async (channelName: string, notification: Notification): Promise<NotificationDelivery> => {
    const settings = deps.config().notifications;
    const channel = settings.channels[channelName];
    if (!channel) throw new PortYardError('NOT_FOUND', `no notification channel named ${channelName}`);
    const timeoutMs = timerDelay(milliseconds(settings.timeout));
    const facts = { channel: channelName, event: notification.event, target: notification.target };
    const outcome = await deliverWithRetry(
      channelAttempt(channel, notification, { sender, timeoutMs, now }),
      {
        attempts: settings.attempts,
        timeoutMs,
        baseDelayMs: deps.retryDelayMs ?? 1000,
        maxDelayMs: 60_000,
      },
      {
        signal: stopping.signal,
        onRetry: (attempt, error, delayMs) =>
          log.warn('notification attempt failed, retrying', { ...facts, attempt, error, delayMs }),
      },
    );
    const delivery: NotificationDelivery = {
      id: notification.id,
      channel: channelName,
      channelType: channel.type,
      event: notification.event,
      target: notification.target,
      reminder: notification.reminder,
      ok: outcome.ok,
      ...(outcome.error !== undefined && !outcome.ok ? { error: outcome.error } : {}),
      attempts: outcome.attempts,
      time: now().toISOString(),
    };
    deliveries.add(delivery);
    const logged = { ...facts, attempts: outcome.attempts, destination: channelDestination(channel) };
    if (outcome.ok) log.info('notification sent', logged);
    else log.error('notification failed', { ...logged, error: outcome.error });
    return delivery;
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  return {
    emit(notification) {
      if (stopping.signal.aborted || notification.target === null) return;
      const config = deps.config();
      const rules = config.targets[notification.target]?.notify ?? [];
      const channels = new Set(
        rules
          .filter((rule) => rule.events.includes(notification.event as (typeof rule.events)[number]))
          .map((rule) => rule.channel),
      );
      for (const channel of channels) {
        void track(deliver(channel, notification)).catch((error: unknown) =>
          log.error('notification failed', {
            channel,
            event: notification.event,
            message: (error as Error).message,
          }),
        );
      }
    },
    test(channel) {
      if (!Object.hasOwn(deps.config().notifications.channels, channel)) {
        const known = Object.keys(deps.config().notifications.channels).join(', ') || 'none';
        return Promise.reject(
          new PortYardError('NOT_FOUND', `no notification channel named ${channel} (channels: ${known})`),
        );
      }
      return track(deliver(channel, testNotification(channel, now())));
    },
    recent: (limit = 50) => deliveries.recent(limit),
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    stop() {
      stopping.abort();
    },
  };
}
