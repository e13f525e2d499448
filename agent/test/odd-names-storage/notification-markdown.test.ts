import { describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { databaseNameProblem } from '@port-yard/shared';
import { backupFailed, destinationFailed } from '../../src/notify/event-messages.ts';
import { discordPayload } from '../../src/notify/discord-payload.ts';
import { teamsPayload } from '../../src/notify/teams-payload.ts';

/**
 * A database name may hold `[`, `]`, `(`, `)`, `*`, `~` and backticks, and goes into notification
 * text: Teams' Adaptive Card TextBlocks and FactSet render Markdown, so a database named
 * `[Sign in again](https:evil.example)` arrived as a link in the ops channel. (Slack's mrkdwn has
 * no escape for `*`: a database named `*bold*` still shows bold there.)
 */
const linkName = '[Sign in again](https:evil.example)';
const sender = { version: '0.1.0', host: 'backup-host' };
const alert = {
  kind: 'backup.failed',
  since: new Date('2026-11-26T03:00:01Z'),
  count: 1,
  reminder: false,
} as const;

function run(database: string): RunRecord {
  return {
    id: '5b7c2d1e-0000-4000-8000-000000000001',
    target: 'shop',
    trigger: 'schedule',
    status: 'partial',
    queuedAt: '2026-11-26T03:00:00.000Z',
    message: `${database} not stored in offsite: access denied`,
    result: {
      runId: '5b7c2d1e-0000-4000-8000-000000000001',
      target: 'shop',
      status: 'partial',
      startedAt: '2026-11-26T03:00:00.000Z',
      finishedAt: '2026-11-26T03:00:01.000Z',
      artifacts: [
        {
          id: '2026-11-26T03-00-00Z_abcdefghij',
          database,
          destinations: [{ storage: 'offsite', committed: false, error: 'access denied' }],
        },
      ],
      skipped: [],
      failures: [{ database, code: 'STORAGE_FAILED', phase: 'store', message: 'access denied' }],
    },
  } as unknown as RunRecord;
}

/** Every string of a payload, deep. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

describe('database names in notification Markdown', () => {
  it('the names are valid database names', () => {
    expect(databaseNameProblem(linkName, 'postgres')).toBeUndefined();
  });

  it('Teams: a database name never becomes a Markdown link', () => {
    for (const notification of [
      destinationFailed(run(linkName), { ...alert, kind: 'destination.failed' } as never, new Date()),
      backupFailed(run(linkName), alert as never, new Date()),
    ]) {
      const shown = texts(teamsPayload(notification, sender)).filter((text) =>
        text.includes('Sign in again'),
      );
      expect(shown.length).toBeGreaterThan(0);
      // Before the fix: `[Sign in again](https:evil.example) → offsite: access denied`, a link.
      for (const text of shown) expect(text).not.toMatch(/(?<!\\)\[Sign in again(?<!\\)\]\(/);
    }
  });

  it('Discord: a database name never becomes a Markdown link or spoiler', () => {
    for (const notification of [
      destinationFailed(run(linkName), { ...alert, kind: 'destination.failed' } as never, new Date()),
      backupFailed(run(`${linkName} ||x||`), alert as never, new Date()),
    ]) {
      const shown = texts(discordPayload(notification, sender)).filter((text) =>
        text.includes('Sign in again'),
      );
      expect(shown.length).toBeGreaterThan(0);
      for (const text of shown) {
        expect(text).not.toMatch(/(?<!\\)\[Sign in again(?<!\\)\]\(/);
        expect(text).not.toMatch(/(?<!\\)\|(?<!\\)\|/);
      }
    }
  });
});
