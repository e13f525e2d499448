import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBodySchema } from '@port-yard/shared';
import { backupFailed } from '../../src/notify/event-messages.ts';
import { createNotification } from '../../src/notify/notification.ts';
import { createNotifier, type Notifier } from '../../src/notify/notifier.ts';
import { captureLog } from '../api/api-harness.ts';
import { notifyConfig } from './notify-config.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './webhook-receiver.ts';

/**
 * Every channel type delivers to a local HTTP receiver, which checks the payload against the
 * platform's documented format: Slack Block Kit, a Teams Adaptive Card in a Workflows message,
 * a Discord embed within its limits, and the generic webhook's documented body and signature.
 */
let receiver: WebhookReceiver;
let notifier: Notifier;
const log = captureLog();
const secret = 'whsec-test-7c1d';
// The path of a Slack/Teams/Discord webhook URL is its credential: it must never be shown.
const paths = {
  hook: '/hooks/port-yard/path-secret-hook',
  slack: '/services/T000/B000/path-secret-slack',
  teams: '/workflows/abc/triggers/manual/paths/invoke?sig=path-secret-teams',
  discord: '/api/webhooks/123/path-secret-discord',
};

const long = 'x'.repeat(5000);
const failure = backupFailed(
  {
    id: '5b7c2d1e-0000-4000-8000-000000000001',
    target: 'shop',
    trigger: 'schedule',
    status: 'failed',
    queuedAt: '2026-11-26T03:00:00.000Z',
    message: 'CONNECTION_FAILED (connect): Unknown database <shop> & more',
    result: {
      runId: '5b7c2d1e-0000-4000-8000-000000000001',
      target: 'shop',
      status: 'failed',
      startedAt: '2026-11-26T03:00:00.000Z',
      finishedAt: '2026-11-26T03:00:01.000Z',
      artifacts: [],
      skipped: [],
      failures: [
        { database: 'shop', code: 'CONNECTION_FAILED', phase: 'connect', message: 'Unknown database' },
      ],
    },
  },
  { kind: 'backup.failed', since: new Date('2026-11-26T03:00:01Z'), count: 1, reminder: false },
  new Date('2026-11-26T03:00:01Z'),
);
/** Longer than every platform allows, everywhere: each format must cut it down to its limits. */
const oversized = createNotification(
  {
    event: 'backup.failed',
    target: 'shop',
    severity: 'error',
    title: `Backup failed ${long}`,
    message: long,
    details: Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`fact${index}`, long])),
  },
  new Date(),
);

async function deliveredTo(path: string, send: () => void): Promise<ReceivedRequest> {
  const before = receiver.to(path).length;
  send();
  await notifier.settled();
  const requests = receiver.to(path);
  expect(requests).toHaveLength(before + 1);
  return requests.at(-1)!;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const config = notifyConfig({
    hook: {
      type: 'webhook',
      url: receiver.url + paths.hook,
      secret,
      headers: { Authorization: 'Bearer header-secret-1', 'X-Team': 'dba' },
    },
    slack: { type: 'slack', url: receiver.url + paths.slack },
    teams: { type: 'teams', url: receiver.url + paths.teams },
    discord: { type: 'discord', url: receiver.url + paths.discord },
  });
  notifier = createNotifier({ config: () => config, log, retryDelayMs: 10 });
});

afterAll(async () => {
  notifier.stop();
  await receiver?.close();
});

describe('the generic webhook', () => {
  it('POSTs the documented JSON body with a verifiable HMAC-SHA256 signature and the custom headers', async () => {
    const request = await deliveredTo(paths.hook, () => notifier.emit(failure));
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['authorization']).toBe('Bearer header-secret-1');
    expect(request.headers['x-team']).toBe('dba');
    expect(request.headers['x-port-yard-event']).toBe('backup.failed');
    expect(request.headers['user-agent']).toMatch(/^Port-Yard\//);

    const body = webhookBodySchema.parse(request.json);
    expect(body).toMatchObject({
      schemaVersion: 1,
      id: failure.id,
      event: 'backup.failed',
      target: 'shop',
      time: '2026-11-26T03:00:01.000Z',
      severity: 'error',
      reminder: false,
      title: 'Backup of shop failed',
      message: failure.message,
      details: { errorCode: 'CONNECTION_FAILED', failedDatabases: 'shop', failedRuns: 1 },
    });
    expect(request.headers['x-port-yard-delivery']).toBe(body.id);

    // What a receiver does: HMAC over the raw bytes, compared in constant time; then the
    // signed sentAt (the same instant as the timestamp header) must be recent.
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(request.raw).digest('hex')}`);
    const given = Buffer.from(String(request.headers['x-port-yard-signature']));
    expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
    const timestamp = Number(request.headers['x-port-yard-timestamp']);
    expect(timestamp).toBe(Math.floor(Date.parse(body.sentAt) / 1000));
    expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(300);
    // A body changed in transit no longer matches.
    const forged = createHmac('sha256', secret).update(request.raw.replace('shop', 'shoq')).digest('hex');
    expect(`sha256=${forged}`).not.toBe(request.headers['x-port-yard-signature']);
  });

  it('sends a test notification with event test and no target', async () => {
    const delivery = await notifier.test('hook');
    expect(delivery).toMatchObject({ ok: true, attempts: 1, channel: 'hook', event: 'test', target: null });
    const body = webhookBodySchema.parse(receiver.to(paths.hook).at(-1)!.json);
    expect(body).toMatchObject({ event: 'test', target: null, details: { channel: 'hook' } });
  });
});

describe('Slack', () => {
  it('sends Block Kit blocks with a text fallback, escaped and within Slack limits', async () => {
    for (const notification of [failure, oversized]) {
      const { json } = await deliveredTo(paths.slack, () => notifier.emit(notification));
      const message = json as { text: string; blocks: Record<string, unknown>[] };
      expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.text.length).toBeLessThanOrEqual(3000);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      const [header, ...rest] = message.blocks as {
        type: string;
        text?: { type: string; text: string };
        fields?: { type: string; text: string }[];
        elements?: { type: string; text: string }[];
      }[];
      expect(header!.type).toBe('header');
      expect(header!.text!.type).toBe('plain_text');
      expect(header!.text!.text.length).toBeLessThanOrEqual(150);
      for (const block of rest) {
        expect(['section', 'context']).toContain(block.type);
        if (block.text) {
          expect(block.text.type).toBe('mrkdwn');
          expect(block.text.text.length).toBeLessThanOrEqual(3000);
        }
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
        for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
        expect(block.elements?.length ?? 0).toBeLessThanOrEqual(10);
      }
    }
    const first = receiver.to(paths.slack).at(-2)!.json as {
      text: string;
      blocks: { text?: { text: string } }[];
    };
    expect(first.blocks[0]!.text!.text).toContain('Backup of shop failed');
    // <, > and & are control characters in Slack's mrkdwn.
    expect(first.blocks[1]!.text!.text).toContain('Unknown database &lt;shop&gt; &amp; more');
    expect(first.text).toContain('Backup of shop failed');
  });
});

describe('Microsoft Teams', () => {
  it('sends an Adaptive Card 1.4 in the Workflows message envelope', async () => {
    for (const notification of [failure, oversized]) {
      const { json } = await deliveredTo(paths.teams, () => notifier.emit(notification));
      const message = json as {
        type: string;
        attachments: { contentType: string; content: Record<string, unknown> }[];
      };
      expect(message.type).toBe('message');
      expect(message.attachments).toHaveLength(1);
      const [attachment] = message.attachments;
      expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
      const card = attachment!.content as { $schema: string; type: string; version: string; body: unknown[] };
      expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
      expect(card.type).toBe('AdaptiveCard');
      expect(Number(card.version)).toBeGreaterThanOrEqual(1.4);
      for (const element of card.body as { type: string; text?: string; facts?: unknown[] }[]) {
        expect(['TextBlock', 'FactSet']).toContain(element.type);
        if (element.type === 'TextBlock') expect(typeof element.text).toBe('string');
        if (element.type === 'FactSet')
          for (const fact of element.facts as { title: unknown; value: unknown }[]) {
            expect(typeof fact.title).toBe('string');
            expect(typeof fact.value).toBe('string');
          }
      }
      // Teams refuses cards over 28 KB.
      expect(Buffer.byteLength(JSON.stringify(json))).toBeLessThan(28 * 1024);
    }
    const card = (
      receiver.to(paths.teams).at(-2)!.json as { attachments: { content: { body: { text?: string }[] } }[] }
    ).attachments[0]!.content;
    expect(card.body[0]!.text).toBe('Backup of shop failed');
  });
});

describe('Discord', () => {
  it('sends one embed within Discord limits, with mentions disabled', async () => {
    for (const notification of [failure, oversized]) {
      const { json } = await deliveredTo(paths.discord, () => notifier.emit(notification));
      const message = json as { embeds: Record<string, unknown>[]; allowed_mentions: { parse: unknown[] } };
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expect(message.embeds).toHaveLength(1);
      const embed = message.embeds[0] as {
        title: string;
        description: string;
        color: number;
        timestamp: string;
        fields: { name: string; value: string; inline: boolean }[];
        footer: { text: string };
      };
      expect(embed.title.length).toBeLessThanOrEqual(256);
      expect(embed.description.length).toBeLessThanOrEqual(4096);
      expect(embed.fields.length).toBeLessThanOrEqual(25);
      for (const field of embed.fields) {
        expect(field.name.length).toBeGreaterThan(0);
        expect(field.name.length).toBeLessThanOrEqual(256);
        expect(field.value.length).toBeGreaterThan(0);
        expect(field.value.length).toBeLessThanOrEqual(1024);
      }
      expect(embed.footer.text.length).toBeLessThanOrEqual(2048);
      const total =
        embed.title.length +
        embed.description.length +
        embed.footer.text.length +
        embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
      expect(total).toBeLessThanOrEqual(6000);
      expect(Number.isInteger(embed.color) && embed.color >= 0 && embed.color <= 0xffffff).toBe(true);
      expect(new Date(embed.timestamp).toISOString()).toBe(embed.timestamp);
    }
    const embed = (receiver.to(paths.discord).at(-2)!.json as { embeds: { title: string }[] }).embeds[0]!;
    expect(embed.title).toBe('Backup of shop failed');
  });
});

describe('secrets', () => {
  it('never shows a webhook URL, the signing secret or a header value in the recent deliveries or the log', () => {
    const recent = JSON.stringify(notifier.recent(100));
    const logged = log.lines.join('\n');
    expect(notifier.recent(100).length).toBeGreaterThanOrEqual(8);
    for (const text of [recent, logged]) {
      for (const hidden of ['path-secret', secret, 'header-secret-1', '/services/', '/hooks/']) {
        expect(text).not.toContain(hidden);
      }
    }
    expect(logged).toContain('"destination":"http://127.0.0.1:');
  });
});
