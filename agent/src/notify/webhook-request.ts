import { createHmac } from 'node:crypto';
import type { WebhookBody } from '@port-yard/shared';
import { webhookBodySchemaVersion } from '@port-yard/shared';
import type { Notification, Sender } from './notification.ts';

/**
 * The generic webhook: the documented JSON body (shared/src/api/webhook-body-schema.ts) and its
 * headers. With a secret, `X-Port-Yard-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact
 * body bytes under the secret. The body carries `sentAt` (new on every attempt, so signed) and
 * `X-Port-Yard-Timestamp` the same instant in Unix seconds: a receiver rejects old timestamps
 * to stop a captured request being replayed, and repeated ids to drop retries it already has.
 */
export interface WebhookRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export function webhookRequest(
  notification: Notification,
  options: {
    readonly sender: Sender;
    readonly sentAt: Date;
    readonly secret?: string;
    readonly headers?: Readonly<Record<string, string>>;
  },
): WebhookRequest {
  const body: WebhookBody = {
    schemaVersion: webhookBodySchemaVersion,
    id: notification.id,
    event: notification.event,
    target: notification.target,
    time: notification.time,
    sentAt: options.sentAt.toISOString(),
    severity: notification.severity,
    reminder: notification.reminder,
    title: notification.title,
    message: notification.message,
    details: { ...notification.details },
    agent: { version: options.sender.version, host: options.sender.host },
  };
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    ...options.headers,
    'content-type': 'application/json',
    'x-port-yard-event': notification.event,
    'x-port-yard-delivery': notification.id,
    'x-port-yard-timestamp': String(Math.floor(options.sentAt.getTime() / 1000)),
  };
  if (options.secret !== undefined) headers['x-port-yard-signature'] = webhookSignature(options.secret, text);
  return { body: text, headers };
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body bytes (UTF-8) under the channel's secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
