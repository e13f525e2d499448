import { randomUUID } from 'node:crypto';
import type { NotificationEvent } from '@port-yard/shared';

/** How a receiver should colour it: a failure, a warning, news, or a problem that is over. */
export type Severity = 'error' | 'warning' | 'info' | 'ok';

/** A fact's value: flat and scalar, so every channel can show it as a line. */
export type FactValue = string | number | boolean;

/** One thing that happened, before it is formatted for a channel. */
export interface Notification {
  /** Unique per notification, the same across retries and channels: receivers can drop repeats. */
  readonly id: string;
  readonly event: NotificationEvent;
  /** The target concerned; null for a test. */
  readonly target: string | null;
  /** When it happened (ISO 8601, UTC). */
  readonly time: string;
  readonly severity: Severity;
  /** One line, e.g. "Backup of shop failed". */
  readonly title: string;
  /** What happened and why, a few lines at most. */
  readonly message: string;
  /** Facts for the receiver; the keys depend on the event (README: Notifications). */
  readonly details: Readonly<Record<string, FactValue>>;
  /** A repeat of a problem that is still going on. */
  readonly reminder: boolean;
}

export function createNotification(
  fields: Omit<Notification, 'id' | 'time' | 'reminder' | 'details'> & {
    readonly details?: Readonly<Record<string, FactValue | undefined>>;
    readonly reminder?: boolean;
  },
  now: Date,
): Notification {
  const details = Object.fromEntries(
    Object.entries(fields.details ?? {}).filter(
      (entry): entry is [string, FactValue] => entry[1] !== undefined,
    ),
  );
  return {
    ...fields,
    id: randomUUID(),
    time: now.toISOString(),
    details,
    reminder: fields.reminder ?? false,
  };
}

/** The agent that sent a notification: receivers of several agents tell them apart. */
export interface Sender {
  readonly version: string;
  readonly host: string;
}
