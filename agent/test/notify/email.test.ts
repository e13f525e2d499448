import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortYardConfigInput } from '@port-yard/shared';
import { createNotifier } from '../../src/notify/notifier.ts';
import { backupRecovered } from '../../src/notify/event-messages.ts';
import { captureLog } from '../api/api-harness.ts';
import { notifyConfig } from './notify-config.ts';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts';

/** E-mail over SMTP (nodemailer) against a local SMTP server: STARTTLS with a login, and plain. */
type Channels = NonNullable<PortYardConfigInput['notifications']>['channels'];

const login = { user: 'port-yard', password: 'smtp-pass-5f2e' };
let tlsServer: SmtpReceiver;
let plainServer: SmtpReceiver;
let implicitServer: SmtpReceiver;

beforeAll(async () => {
  [tlsServer, plainServer, implicitServer] = await Promise.all([
    startSmtpReceiver({ login }),
    startSmtpReceiver({ starttls: false }),
    startSmtpReceiver({ implicitTls: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([tlsServer?.close(), plainServer?.close(), implicitServer?.close()]);
});

function notifierWith(channels: Channels, attempts = 1) {
  const log = captureLog();
  const config = notifyConfig(channels, { timeout: '5s', attempts });
  return { log, notifier: createNotifier({ config: () => config, log, retryDelayMs: 20 }) };
}

const mailbox = {
  from: 'Port-Yard <backups@example.com>',
  to: ['dba@example.com', 'oncall@example.com'],
};

describe('e-mail', () => {
  it('sends over STARTTLS with a login, trusting the configured CA: From, To, Subject and body', async () => {
    const { notifier } = notifierWith({
      mail: {
        type: 'email',
        host: '127.0.0.1',
        port: tlsServer.port,
        security: 'starttls',
        ca: tlsServer.certFile,
        user: login.user,
        password: login.password,
        ...mailbox,
      },
    });
    const notification = backupRecovered(
      {
        id: '9c1f6a40-0000-4000-8000-000000000002',
        target: 'shop',
        trigger: 'schedule',
        status: 'succeeded',
        queuedAt: '2026-11-26T04:00:00.000Z',
      },
      { kind: 'backup.failed', since: new Date('2026-11-26T03:00:00Z'), count: 4 },
      new Date('2026-11-26T04:00:05Z'),
    );
    notifier.emit(notification);
    await notifier.settled();
    expect(notifier.recent()[0]).toMatchObject({ ok: true, attempts: 1, channelType: 'email' });
    const mail = tlsServer.mails.at(-1)!;
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe(login.user);
    expect(mail.envelopeFrom).toBe('backups@example.com');
    expect(mail.envelopeTo).toEqual(mailbox.to);
    expect(mail.headers['from']).toBe('"Port-Yard" <backups@example.com>');
    expect(mail.headers['to']).toBe('dba@example.com, oncall@example.com');
    expect(mail.headers['subject']).toBe('[Port-Yard] Backup of shop recovered');
    expect(mail.headers['x-port-yard-event']).toBe('backup.recovered');
    expect(mail.text).toContain(
      'The backup succeeded again after 4 failed runs since 2026-11-26T03:00:00.000Z.',
    );
    expect(mail.text).toContain('Target: shop');
    expect(mail.text).toContain('Failed runs: 4');
    expect(mail.text).toContain('Event: backup.recovered');
  });

  it('refuses a certificate it cannot verify (no ca), rather than sending in the clear', async () => {
    const { notifier, log } = notifierWith({
      mail: {
        type: 'email',
        host: '127.0.0.1',
        port: tlsServer.port,
        user: login.user,
        password: login.password,
        ...mailbox,
      },
    });
    const before = tlsServer.mails.length;
    const delivery = await notifier.test('mail');
    expect(delivery.ok).toBe(false);
    expect(delivery.error).toMatch(/certificate/i);
    expect(tlsServer.mails).toHaveLength(before);
    expect(JSON.stringify(delivery) + log.lines.join('\n')).not.toContain(login.password);
  });

  it('refuses a server without STARTTLS when security is starttls', async () => {
    const { notifier } = notifierWith({
      mail: { type: 'email', host: '127.0.0.1', port: plainServer.port, security: 'starttls', ...mailbox },
    });
    const delivery = await notifier.test('mail');
    expect(delivery.ok).toBe(false);
    expect(delivery.error).toMatch(/STARTTLS/i);
    expect(plainServer.mails).toHaveLength(0);
  });

  it('sends over TLS from the first byte with security tls', async () => {
    const { notifier } = notifierWith({
      smtps: {
        type: 'email',
        host: '127.0.0.1',
        port: implicitServer.port,
        security: 'tls',
        ca: implicitServer.certFile,
        ...mailbox,
      },
    });
    expect(await notifier.test('smtps')).toMatchObject({ ok: true });
    expect(implicitServer.mails.at(-1)!.secure).toBe(true);
  });

  it('sends in the clear with security none (a local relay)', async () => {
    const { notifier } = notifierWith({
      relay: { type: 'email', host: '127.0.0.1', port: plainServer.port, security: 'none', ...mailbox },
    });
    const delivery = await notifier.test('relay');
    expect(delivery).toMatchObject({ ok: true, event: 'test' });
    const mail = plainServer.mails.at(-1)!;
    expect(mail.secure).toBe(false);
    expect(mail.headers['subject']).toBe('[Port-Yard] Port-Yard test notification');
    expect(mail.text).toContain('If you can read this, the notification channel relay works.');
  });

  it('does not retry a rejected login, and never shows the password', async () => {
    const { notifier, log } = notifierWith(
      {
        mail: {
          type: 'email',
          host: '127.0.0.1',
          port: tlsServer.port,
          ca: tlsServer.certFile,
          user: login.user,
          password: 'wrong-pass-91ab',
          ...mailbox,
        },
      },
      3,
    );
    const delivery = await notifier.test('mail');
    expect(delivery).toMatchObject({ ok: false, attempts: 1 });
    expect(delivery.error).toMatch(/^EAUTH: /);
    expect(JSON.stringify(delivery) + log.lines.join('\n')).not.toContain('wrong-pass-91ab');
  });
});
