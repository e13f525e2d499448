import type { NotificationChannelConfig } from '@port-yard/shared';
import { discordPayload } from './discord-payload.ts';
import { emailMessage } from './email-message.ts';
import type { Notification, Sender } from './notification.ts';
import { postJson } from './post-json.ts';
import { sendEmail } from './send-email.ts';
import type { SendAttempt } from './send-outcome.ts';
import { slackPayload } from './slack-payload.ts';
import { teamsPayload } from './teams-payload.ts';
import { webhookRequest } from './webhook-request.ts';

export interface SenderContext {
  readonly sender: Sender;
  readonly timeoutMs: number;
  readonly now: () => Date;
}

/**
 * One attempt of sending `notification` to a channel, by its type: the one place that knows the
 * channel types (each format lives in its own file). A webhook body is built per attempt, so a
 * retry carries a fresh `sentAt` and signature.
 */
export function channelAttempt(
  channel: NotificationChannelConfig,
  notification: Notification,
  context: SenderContext,
): SendAttempt {
  const { sender, timeoutMs } = context;
  const userAgent = `Port-Yard/${sender.version}`;
  // Loaded configs always have `url` (urlFile is read into it); an in-code config might not.
  const url = 'url' in channel ? (channel.url ?? '') : '';
  const post = (body: unknown) => (signal: AbortSignal) =>
    postJson(
      { url, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      { signal, timeoutMs, userAgent },
    );
  switch (channel.type) {
    case 'webhook':
      return (signal) =>
        postJson(
          {
            url,
            ...webhookRequest(notification, {
              sender,
              sentAt: context.now(),
              secret: channel.secret,
              headers: channel.headers,
            }),
          },
          { signal, timeoutMs, userAgent },
        );
    case 'slack':
      return post(slackPayload(notification, sender));
    case 'teams':
      return post(teamsPayload(notification, sender));
    case 'discord':
      return post(discordPayload(notification, sender));
    case 'email':
      return (signal) =>
        sendEmail(
          channel,
          {
            ...emailMessage(notification, sender),
            headers: { 'X-Port-Yard-Event': notification.event, 'X-Port-Yard-Id': notification.id },
          },
          { signal, timeoutMs },
        );
  }
}

/** Where a channel sends, fit for a log line: the URL's origin only, or the SMTP server. */
export function channelDestination(channel: NotificationChannelConfig): string {
  if (channel.type === 'email') return `smtp://${channel.host}${channel.port ? `:${channel.port}` : ''}`;
  try {
    return `${new URL(channel.url ?? '').origin}/<redacted>`;
  } catch {
    return '<redacted>';
  }
}
