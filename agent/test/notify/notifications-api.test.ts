import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { appRouter } from '../../src/api/app-router.ts';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import type { Identity } from '../../src/auth/identity.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { captureLog } from '../api/api-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** The notifications router without HTTP: recent (viewer) and test (operator, audited). */
let receiver: WebhookReceiver;
let daemon: Daemon;
const log = captureLog();
const audit = createAuditLog(log);
const identity = (role: 'viewer' | 'operator'): Identity => ({
  kind: 'token',
  name: `ci-${role}`,
  role,
  groups: [],
  via: 'token',
});
const caller = (role: 'viewer' | 'operator') =>
  appRouter.createCaller({
    services: { daemon, audit, startedAt: new Date(), reloadConfig: async () => daemon.agent().config },
    identity: identity(role),
    address: '127.0.0.1',
  });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  receiver.answer('/broken/api-secret-2', () => ({ status: 500 }));
  daemon = createDaemon({
    config: configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: '/tmp/py-test-notify-api-unused' } },
      notifications: {
        channels: {
          ops: { type: 'discord', url: `${receiver.url}/api/webhooks/1/api-secret-1` },
          broken: { type: 'teams', url: `${receiver.url}/broken/api-secret-2` },
        },
        attempts: 1,
      },
    }),
    log,
  });
});

afterAll(async () => {
  await daemon?.stop(1000);
  await receiver?.close();
});

describe('the notifications API', () => {
  it('test sends to a channel (operator only), audits it, and recent lists it for viewers without URLs', async () => {
    await expect(caller('viewer').notifications.test({ channel: 'ops' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const sent = await caller('operator').notifications.test({ channel: 'ops' });
    expect(sent).toMatchObject({
      ok: true,
      channel: 'ops',
      channelType: 'discord',
      event: 'test',
      attempts: 1,
    });
    const failed = await caller('operator').notifications.test({ channel: 'broken' });
    expect(failed).toMatchObject({ ok: false, error: 'HTTP 500 Internal Server Error' });
    await expect(caller('operator').notifications.test({ channel: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const recent = await caller('viewer').notifications.recent({ limit: 10 });
    expect(recent.map((delivery) => [delivery.channel, delivery.ok])).toEqual([
      ['broken', false],
      ['ops', true],
    ]);
    expect(Object.keys(recent[0]!).sort()).toEqual(
      [
        'attempts',
        'channel',
        'channelType',
        'error',
        'event',
        'id',
        'ok',
        'reminder',
        'target',
        'time',
      ].sort(),
    );
    expect(audit.list().map((entry) => [entry.action, entry.outcome, entry.details?.['channel']])).toEqual([
      ['notifications.test', 'failed', 'broken'],
      ['notifications.test', 'ok', 'ops'],
    ]);
    const everything = JSON.stringify(recent) + JSON.stringify(audit.list()) + log.lines.join('\n');
    for (const secret of ['api-secret-1', 'api-secret-2']) expect(everything).not.toContain(secret);

    // agent.info shows the config with every channel URL redacted.
    const info = await caller('viewer').agent.info();
    expect(JSON.stringify(info)).not.toContain('api-secret');
  });
});
