import type { Notification } from './notification.ts';

// Text helpers every channel's format shares.

/** `failingSince` → `Failing since`: a fact's label for people. */
export function factLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The facts a message shows, target first. */
export function facts(notification: Notification): [label: string, value: string][] {
  const target: [string, string][] = notification.target ? [['Target', notification.target]] : [];
  return [
    ...target,
    ...Object.entries(notification.details).map(([key, value]): [string, string] => [
      factLabel(key),
      String(value),
    ]),
  ];
}

/** At most `max` characters, with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Text as Markdown shows it (Teams' Adaptive Cards, Discord's embeds): a database may be named `[Sign in](https:evil)` or
 * `*bold*`, which must show as typed, not as a link or emphasis: backslash escapes, of what
 * marks text anywhere, and of what starts a heading, quote or list only at a line's start.
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_~[\]]/g, (character) => `\\${character}`)
    .replace(/^(\s*)([#>+-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)\./gm, '$1\\.');
}
