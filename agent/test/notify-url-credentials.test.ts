import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../src/notify/notifier.ts';
import { captureLog } from './api/api-harness.ts';
import { notifyConfig } from './notify/notify-config.ts';
import { startWebhookReceiver, type WebhookReceiver } from './notify/webhook-receiver.ts';

/**
 * A webhook URL with a user and password in it (`https://user:password@ntfy.example.com/backups`,
 * the usual way to reach a receiver behind basic auth): fetch refuses such URLs outright, so
 * every notification to it failed. They are sent as an Authorization: Basic header, and the
 * password appears in no log line or delivery record.
 */
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe('webhook URL with credentials', () => {
  it('delivers with basic auth and never shows the password', async () => {
    const url = receiver.url.replace('http://', 'http://backup%20bot:s3cr%C3%A9t%3A@') + '/basic?topic=db';
    const log = captureLog();
    const config = notifyConfig({ hook: { type: 'webhook', url }, chat: { type: 'slack', url } });
    const notifier = createNotifier({ config: () => config, log, retryDelayMs: 20 });

    const deliveries = [await notifier.test('hook'), await notifier.test('chat')];
    expect(deliveries.map((delivery) => [delivery.ok, delivery.error])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
    const requests = receiver.to('/basic?topic=db');
    expect(requests).toHaveLength(2);
    const expected = `Basic ${Buffer.from('backup bot:s3crét:').toString('base64')}`;
    expect(requests.map((request) => request.headers.authorization)).toEqual([expected, expected]);
    expect(log.lines.join('\n')).not.toMatch(/s3cr/);
    expect(JSON.stringify(notifier.recent())).not.toMatch(/s3cr/);
  });

  it('a refusal that echoes the credentials or a header value back is logged without them', async () => {
    const url = receiver.url.replace('http://', 'http://bot:pw-Echo9@') + '/echo';
    receiver.answer('/echo', () => ({
      status: 401,
      body: 'denied: Basic Ym90OnB3LUVjaG85 and X-Api-Key key-Echo7 and pw-Echo9',
    }));
    const log = captureLog();
    const config = notifyConfig({ hook: { type: 'webhook', url, headers: { 'X-Api-Key': 'key-Echo7' } } });
    const notifier = createNotifier({ config: () => config, log, retryDelayMs: 20 });
    const delivery = await notifier.test('hook');
    expect(delivery).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP 401/) });
    const everything = `${log.lines.join('\n')}\n${JSON.stringify(notifier.recent())}`;
    expect(everything).not.toMatch(/Echo7|Echo9|Ym90OnB3LUVjaG85/);
  });

  it('an Authorization header of the channel wins over the URL', async () => {
    const url = receiver.url.replace('http://', 'http://user:pw@') + '/own-header';
    const config = notifyConfig({
      hook: { type: 'webhook', url, headers: { Authorization: 'Bearer token-1' } },
    });
    const notifier = createNotifier({ config: () => config, log: captureLog(), retryDelayMs: 20 });
    expect(await notifier.test('hook')).toMatchObject({ ok: true });
    expect(receiver.to('/own-header')[0]?.headers.authorization).toBe('Bearer token-1');
  });
});
