import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, WebhookBody } from '@port-yard/shared';
import { configSchema, webhookBodySchema } from '@port-yard/shared';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { captureLog } from '../api/api-harness.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/**
 * The daemon with real backups of the local MariaDB, every second: a target whose database does
 * not exist fails run after run but produces exactly one backup.failed webhook; once the database
 * exists, exactly one backup.recovered. A second channel that never answers is given up on
 * without holding up a single run.
 */
const database = uniqueName('py_t_notify');
let dir: string;
let receiver: WebhookReceiver;
let daemon: Daemon;
const log = captureLog();

const finished = (status: RunRecord['status']) => () =>
  daemon.registry.list({ target: 'shop' }).filter((run) => run.status === status);
const hookEvents = (): WebhookBody[] =>
  receiver.to('/hook').map((request) => webhookBodySchema.parse(request.json));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-notify-daemon-'));
  receiver = await startWebhookReceiver();
  receiver.answer('/hang', () => 'hang');
  daemon = createDaemon({
    config: configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: {
        shop: {
          ...localMariadb,
          databases: [database],
          schedule: '* * * * * *',
          notify: [{ channel: 'hook' }, { channel: 'hang', events: ['backup.failed'] }],
        },
      },
      notifications: {
        channels: {
          hook: { type: 'webhook', url: `${receiver.url}/hook`, secret: 'daemon-test-secret' },
          hang: { type: 'webhook', url: `${receiver.url}/hang` },
        },
        timeout: '1s',
        attempts: 2,
      },
    }),
    log,
  });
  await daemon.start();
});

afterAll(async () => {
  await daemon?.stop(2000);
  await receiver?.close();
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(dir, { recursive: true, force: true });
});

describe('notifications from the daemon', () => {
  it('a failing target: one backup.failed however often it fails; a channel that hangs holds nothing up', async () => {
    await waitFor('a first failed run', () => finished('failed')().length >= 1 && true);
    const firstEnd = Math.min(...finished('failed')().map((run) => new Date(run.finishedAt!).getTime()));
    const hanging = await waitFor('the hanging channel given up on', () =>
      daemon.notifications.recent(50).find((delivery) => delivery.channel === 'hang'),
    );
    // The hanging channel's delivery takes two 1 s attempts; the run did not wait for it: it
    // ended before the delivery did (held up, it would end after).
    expect(firstEnd).toBeLessThan(new Date(hanging.time).getTime());
    await waitFor('four failed runs', () => finished('failed')().length >= 4 && true);

    const events = hookEvents();
    expect(events.map((event) => event.event)).toEqual(['backup.failed']);
    expect(events[0]).toMatchObject({
      target: 'shop',
      severity: 'error',
      title: 'Backup of shop failed',
      details: { failedDatabases: database, failedRuns: 1 },
    });
    expect(events[0]!.message).toBe(`database ${database} does not exist on root@127.0.0.1:3306`);
    expect(receiver.to('/hang')).toHaveLength(2);
    expect(daemon.notifications.recent(50)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'hook', event: 'backup.failed', ok: true, attempts: 1 }),
        expect.objectContaining({
          channel: 'hang',
          event: 'backup.failed',
          ok: false,
          attempts: 2,
          error: 'no answer within 1 s',
        }),
      ]),
    );
  });

  it('once the database exists: one backup.recovered, and nothing more while it keeps succeeding', async () => {
    const failures = finished('failed')().length;
    await mariadbExec(`CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY);`);
    await waitFor('a recovery webhook', () => hookEvents().length >= 2 && true);
    await waitFor('three successful runs', () => finished('succeeded')().length >= 3 && true);
    await daemon.notifications.settled();

    const events = hookEvents();
    expect(events.map((event) => event.event)).toEqual(['backup.failed', 'backup.recovered']);
    expect(events[1]).toMatchObject({ severity: 'ok', title: 'Backup of shop recovered' });
    expect(events[1]!.details['failedRuns']).toBeGreaterThanOrEqual(failures);
    // The hanging channel gets only backup.failed (its rule), so it was not tried again.
    expect(receiver.to('/hang')).toHaveLength(2);
    expect(log.lines.join('\n')).not.toContain(`${receiver.url}/hook`);
  });
});
