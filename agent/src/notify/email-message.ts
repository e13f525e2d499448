import type { Notification, Sender } from './notification.ts';
import { facts } from './notification-text.ts';

/** The e-mail of a notification: a subject that sorts and filters well, and a plain-text body. */
export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

export function emailMessage(notification: Notification, sender: Sender): EmailMessage {
  const lines = facts(notification).map(([label, value]) => `${label}: ${value}`);
  return {
    subject: `[Port-Yard] ${notification.reminder ? 'Reminder: ' : ''}${notification.title}`.replace(
      /[\r\n]+/g,
      ' ',
    ),
    text: [
      notification.message,
      '',
      ...lines,
      '',
      `Event: ${notification.event}`,
      `Time: ${notification.time}`,
      `-- `,
      `Port-Yard ${sender.version} on ${sender.host}`,
      '',
    ].join('\n'),
  };
}
