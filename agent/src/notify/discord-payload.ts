import type { Notification, Sender, Severity } from './notification.ts';
import { cut, facts, markdownText } from './notification-text.ts';

/**
 * A Discord webhook message with one embed
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook), within Discord's
 * limits: title 256 characters, description 4,096, at most 25 fields (name 256, value 1,024),
 * footer 2,048, and 6,000 for the whole embed. Mentions are disabled: nothing in a message
 * (a database name, an error text) can ping anyone.
 */
const colours: Record<Severity, number> = {
  error: 0xd83c3e,
  warning: 0xe8a33d,
  info: 0x3b82f6,
  ok: 0x2eb67d,
};

const embedLimit = 6000;

export function discordPayload(notification: Notification, sender: Sender): Record<string, unknown> {
  const title = cut(discordText(notification.title), 256);
  const footer = cut(`${notification.event} · Port-Yard ${sender.version} on ${sender.host}`, 2048);
  let used = title.length + footer.length;
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const [label, value] of facts(notification).slice(0, 25)) {
    const field = {
      name: cut(discordText(label), 256),
      value: cut(discordText(value) || '-', 1024),
      inline: value.length <= 40,
    };
    if (used + field.name.length + field.value.length > embedLimit - 200) break;
    used += field.name.length + field.value.length;
    fields.push(field);
  }
  return {
    username: 'Port-Yard',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description: cut(discordText(notification.message), Math.min(4096, embedLimit - used)),
        color: colours[notification.severity],
        timestamp: notification.time,
        fields,
        footer: { text: footer },
      },
    ],
  };
}

/**
 * Discord renders Markdown in embeds, masked links included: a database named
 * `[Sign in](https:evil)` must show as typed. Also `|` (`||spoiler||`).
 */
function discordText(text: string): string {
  return markdownText(text).replace(/\|/g, '\\|');
}
