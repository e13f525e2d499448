import { z } from 'zod';
import type { NotificationChannelConfig, NotificationEventName } from '../config/notification-schemas.ts';

/** A notification's event: one of the config's events, or `test` (`notify test`, `notifications.test`). */
export type NotificationEvent = NotificationEventName | 'test';

/**
 * One delivery of one notification to one channel, as `notifications.recent` lists it: never a
 * URL, an address or a secret, only what happened.
 */
export interface NotificationDelivery {
  /** The notification's id (the same for every channel it went to, and in the webhook body). */
  readonly id: string;
  readonly channel: string;
  readonly channelType: NotificationChannelConfig['type'];
  readonly event: NotificationEvent;
  /** The target concerned; null for a test. */
  readonly target: string | null;
  /** A repeat of a problem that is still going on (see notifications.reminderInterval). */
  readonly reminder: boolean;
  readonly ok: boolean;
  /** Why the last attempt failed, when it did. */
  readonly error?: string;
  readonly attempts: number;
  /** When the delivery ended (delivered or given up). */
  readonly time: string;
}

export const notificationsRecentInput = z.strictObject({
  limit: z.int().min(1).max(500).default(50),
});

export const notificationsTestInput = z.strictObject({
  channel: z.string().min(1).max(63),
});
