import type { Notification, Sender, Severity } from './notification.ts';
import { cut, facts } from './notification-text.ts';

/**
 * A Slack incoming-webhook message in Block Kit (https://api.slack.com/reference/block-kit):
 * `text` is the fallback shown in notifications and by clients without blocks; the blocks stay
 * within Slack's limits (header 150 characters, section text 3,000, at most 10 fields of 2,000).
 */
const icons: Record<Severity, string> = {
  error: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
  ok: ':white_check_mark:',
};

/** Slack's mrkdwn control characters, escaped as its docs ask. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackPayload(notification: Notification, sender: Sender): Record<string, unknown> {
  const icon = icons[notification.severity];
  const fields = facts(notification)
    .slice(0, 10)
    .map(([label, value]) => ({ type: 'mrkdwn', text: cut(`*${escape(label)}*\n${escape(value)}`, 2000) }));
  return {
    text: cut(`${icon} ${escape(notification.title)}: ${escape(notification.message)}`, 3000),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: cut(`${icon} ${notification.title}`, 150), emoji: true },
      },
      { type: 'section', text: { type: 'mrkdwn', text: cut(escape(notification.message), 3000) } },
      ...(fields.length > 0 ? [{ type: 'section', fields }] : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: cut(
              escape(
                `${notification.event} · ${notification.time} · Port-Yard ${sender.version} on ${sender.host}`,
              ),
              3000,
            ),
          },
        ],
      },
    ],
  };
}
