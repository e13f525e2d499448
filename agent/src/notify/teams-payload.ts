import type { Notification, Sender, Severity } from './notification.ts';
import { cut, facts, markdownText } from './notification-text.ts';

/**
 * A Microsoft Teams message for a Workflows (Power Automate) "post to a channel when a webhook
 * request is received" flow: a `message` whose attachment is an Adaptive Card 1.4
 * (https://adaptivecards.io). The retired Office 365 connector cards (MessageCard) are not used.
 */
const colours: Record<Severity, string> = {
  error: 'Attention',
  warning: 'Warning',
  info: 'Accent',
  ok: 'Good',
};

export function teamsPayload(notification: Notification, sender: Sender): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: [
            {
              type: 'TextBlock',
              text: markdownText(cut(notification.title, 300)),
              size: 'Medium',
              weight: 'Bolder',
              color: colours[notification.severity],
              wrap: true,
            },
            { type: 'TextBlock', text: markdownText(cut(notification.message, 4000)), wrap: true },
            {
              type: 'FactSet',
              facts: facts(notification).map(([title, value]) => ({
                title: markdownText(title),
                value: markdownText(cut(value, 500)),
              })),
            },
            {
              type: 'TextBlock',
              text: markdownText(
                `${notification.event} · ${notification.time} · Port-Yard ${sender.version} on ${sender.host}`,
              ),
              size: 'Small',
              isSubtle: true,
              wrap: true,
            },
          ],
        },
      },
    ],
  };
}
