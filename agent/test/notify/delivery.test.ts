import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortYardConfig } from '@port-yard/shared';
import { createNotification } from '../../src/notify/notification.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { captureLog } from '../api/api-harness.ts';
import { notifyConfig } from './notify-config.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/**
 * Delivery: retries with backoff on 5xx until the receiver answers, no retry where it cannot
 * help, a timeout per attempt when the receiver never answers, and `emit` returning at once
 * whatever the receiver does (a notification never blocks the run that caused it).
 */
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

function notifierFor(config: PortYardConfig) {
  const log = captureLog();
  return { log, notifier: createNotifier({ config: () => config, log, retryDelayMs: 20 }) };
}

const event = () =>
  createNotification(
    {
      event: 'backup.failed',
      target: 'shop',
      severity: 'error',
      title: 'Backup of shop failed',
      message: 'x',
    },
    new Date(),
  );

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('delivery', () => {
  it('retries a failing receiver with backoff: fails twice, then delivers on the third attempt', async () => {
    receiver.answer('/flaky', (index) => (index < 2 ? { status: 503, body: 'busy' } : { status: 200 }));
    const { notifier, log } = notifierFor(
      notifyConfig({ flaky: { type: 'slack', url: `${receiver.url}/flaky` } }),
    );
    const delivery = await notifier.test('flaky');
    expect(delivery).toMatchObject({ ok: true, attempts: 3, channel: 'flaky', channelType: 'slack' });
    expect(delivery.error).toBeUndefined();
    expect(receiver.to('/flaky')).toHaveLength(3);
    const retries = log.lines.filter((line) => line.includes('retrying'));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain('HTTP 503');
    expect(JSON.parse(retries[1]!).delayMs).toBe(2 * JSON.parse(retries[0]!).delayMs);
  });

  // Over Node's longest timer (24.8 days), every attempt was cut off after 1 ms.
  it('waits for the receiver under a timeout of a month', async () => {
    receiver.answer('/slow-ok', () => ({ status: 200 }));
    const { notifier } = notifierFor(
      notifyConfig({ slow: { type: 'webhook', url: `${receiver.url}/slow-ok` } }, { timeout: '1mo' }),
    );
    expect(await notifier.test('slow')).toMatchObject({ ok: true, attempts: 1 });
  });

  it('gives up after the configured attempts and records the last error', async () => {
    receiver.answer('/down', () => ({ status: 500, body: 'internal trouble' }));
    const { notifier, log } = notifierFor(
      notifyConfig({ down: { type: 'webhook', url: `${receiver.url}/down` } }, { attempts: 2 }),
    );
    const delivery = await notifier.test('down');
    expect(delivery).toMatchObject({
      ok: false,
      attempts: 2,
      error: 'HTTP 500 Internal Server Error: internal trouble',
    });
    expect(notifier.recent()).toEqual([delivery]);
    expect(log.lines.some((line) => line.includes('"notification failed"'))).toBe(true);
  });

  it('does not retry what retrying cannot fix (404: the webhook was deleted)', async () => {
    receiver.answer('/gone', () => ({ status: 404, body: 'Unknown Webhook' }));
    const { notifier } = notifierFor(
      notifyConfig({ gone: { type: 'discord', url: `${receiver.url}/gone` } }),
    );
    const delivery = await notifier.test('gone');
    expect(delivery).toMatchObject({ ok: false, attempts: 1, error: 'HTTP 404 Not Found: Unknown Webhook' });
    expect(receiver.to('/gone')).toHaveLength(1);
  });

  it('gives up on a receiver that never answers, per attempt, and emit never waits for it', async () => {
    receiver.answer('/hang', () => 'hang');
    const { notifier } = notifierFor(
      notifyConfig(
        { hang: { type: 'webhook', url: `${receiver.url}/hang` } },
        { timeout: '1s', attempts: 2 },
      ),
    );
    const started = Date.now();
    notifier.emit(event());
    expect(Date.now() - started).toBeLessThan(1000); // fire and forget: not the 2 s of the attempts
    expect(notifier.recent()).toEqual([]); // still trying
    await notifier.settled();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(6000);
    expect(notifier.recent()).toEqual([
      expect.objectContaining({
        ok: false,
        attempts: 2,
        error: 'no answer within 1 s',
        event: 'backup.failed',
      }),
    ]);
    expect(receiver.to('/hang')).toHaveLength(2);
  });

  it('names a refused connection without the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/services/T0/B0/refused-secret`;
    const { notifier, log } = notifierFor(notifyConfig({ nobody: { type: 'slack', url } }, { attempts: 1 }));
    const delivery = await notifier.test('nobody');
    expect(delivery).toMatchObject({ ok: false, attempts: 1, error: 'connection refused (ECONNREFUSED)' });
    expect(log.lines.join('\n')).not.toContain('refused-secret');
  });

  it('stop() ends a delivery waiting to retry', async () => {
    receiver.answer('/slow-retry', () => ({ status: 503 }));
    const config = notifyConfig(
      { slow: { type: 'webhook', url: `${receiver.url}/slow-retry` } },
      { attempts: 5 },
    );
    const log = captureLog();
    const notifier = createNotifier({ config: () => config, log, retryDelayMs: 60_000 });
    notifier.emit(event());
    // Once the first attempt failed and the retry waits: a stop during the attempt ends otherwise.
    await expect
      .poll(() => log.lines.some((line) => line.includes('retrying')), { timeout: 15_000 })
      .toBe(true);
    notifier.stop();
    await notifier.settled();
    expect(notifier.recent()[0]).toMatchObject({ ok: false, attempts: 1 });
    expect(notifier.recent()[0]!.error).toContain('cancelled before retrying');
  });

  it('test() of an unknown channel is NOT_FOUND', async () => {
    const { notifier } = notifierFor(notifyConfig({}));
    await expect(notifier.test('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
