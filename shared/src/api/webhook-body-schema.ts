import { z } from 'zod';
import { notificationEventNames } from '../config/notification-schemas.ts';

/**
 * The JSON body a `webhook` notification channel POSTs: a public, versioned format (README:
 * Notifications). Receivers must ignore fields they do not know; a change that is not an
 * addition bumps `schemaVersion`.
 */
export const webhookBodySchemaVersion = 1;

export const webhookBodySchema = z.looseObject({
  schemaVersion: z.literal(webhookBodySchemaVersion),
  /** Unique per notification and the same on every retry: drop repeats by it. */
  id: z.uuid(),
  event: z.enum([...notificationEventNames, 'test']),
  /** The target concerned; null for a test. */
  target: z.string().nullable(),
  /** When the event happened. */
  time: z.iso.datetime(),
  /** When this attempt was sent (new on every retry): inside the signed body, for replay checks. */
  sentAt: z.iso.datetime(),
  severity: z.enum(['error', 'warning', 'info', 'ok']),
  /** A repeat of a problem that is still going on (notifications.reminderInterval). */
  reminder: z.boolean(),
  title: z.string(),
  message: z.string(),
  /** Facts of the event, flat and scalar; the keys depend on the event. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** The agent that sent it. */
  agent: z.looseObject({ version: z.string(), host: z.string() }),
});

export type WebhookBody = z.infer<typeof webhookBodySchema>;
