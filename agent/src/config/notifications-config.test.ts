import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';

/**
 * The notifications section: channel names checked like storage names, secrets from ${ENV} or
 * files (the URL too), and every secret redacted in `config check` and the API.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-notify-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(notify: string, channels: string): Promise<string> {
  const file = join(dir, 'port-yard.yaml');
  await writeFile(
    file,
    `version: 1
storages:
  local: { type: filesystem, path: ./backups }
targets:
  shop:
    engine: mariadb
    user: root
    databases: [shop]
    destinations: [local]
${notify}
notifications:
${channels}
`,
  );
  return file;
}

async function problems(file: string): Promise<{ path: string; message: string }[]> {
  const error = await loadConfig(file, { env: {} }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map(({ path, message }) => ({ path, message }));
}

describe('notifications in the config', () => {
  it('fills in the defaults: every failure-ish event, a 24h reminder, 10 s timeout, 3 attempts', async () => {
    const config = await loadConfig(
      await write(
        '    notify: [{ channel: ops }]',
        '  channels: { ops: { type: slack, url: "https://hooks.slack.com/services/T/B/x" } }',
      ),
      { env: {} },
    );
    expect(config.targets['shop']!.notify).toEqual([
      {
        channel: 'ops',
        events: [
          'backup.failed',
          'backup.recovered',
          'target.stale',
          'destination.failed',
          'verification.failed',
        ],
      },
    ]);
    expect(config.notifications).toMatchObject({ reminderInterval: '24h', timeout: '10s', attempts: 3 });
  });

  it('reports a notify rule naming no channel, an unknown event and bad channels, all at once', async () => {
    const file = await write(
      `    notify:
      - { channel: ops }
      - { channel: pager, events: [backup.failed, backup.exploded] }`,
      `  channels:
    ops: { type: slack, url: "ftp://hooks.example.com/secret-path" }
    hook: { type: webhook, url: "https://a.example/x", urlFile: ./url, headers: { X-Port-Yard-Event: forged } }
    mail: { type: email, host: smtp.example.com, password: p, from: a@example.com, to: [] }
    none: { type: teams }
    Bad: { type: discord, url: "https://discord.com/api/webhooks/1/x" }`,
    );
    const found = await problems(file);
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'targets.shop.notify[1].events[1]', message: expect.stringContaining('expected one of') },
        { path: 'notifications.channels.ops.url', message: 'must be an http:// or https:// URL' },
        { path: 'notifications.channels.hook.urlFile', message: 'give url or urlFile, not both' },
        { path: 'notifications.channels.none', message: 'needs url or urlFile' },
        {
          path: 'notifications.channels.hook.headers.X-Port-Yard-Event',
          message: 'is set by Port-Yard itself',
        },
        { path: 'notifications.channels.mail.to', message: 'must not be empty' },
        { path: 'notifications.channels.mail.user', message: 'is required' },
        { path: 'notifications.channels.Bad', message: expect.stringContaining('lower-case') },
      ]),
    );
    // A channel with problems of its own still counts as named (one with a bad name does not).
    const channelProblems = found.filter((problem) => problem.path.endsWith('.channel'));
    expect(channelProblems).toEqual([
      {
        path: 'targets.shop.notify[1].channel',
        message: 'names no notification channel: pager (notifications.channels: ops, hook, mail, none)',
      },
    ]);
    expect(JSON.stringify(found)).not.toContain('secret-path');
  });

  // An inline url was checked, the file's was not: the first notification then failed.
  it('checks the URL a urlFile holds as an inline url is checked, without showing it', async () => {
    await writeFile(join(dir, 'slack-url'), 'hooks.slack.com/services/T0/B0/Zq9secret\n');
    const file = await write('', '  channels:\n    slack: { type: slack, urlFile: ./slack-url }');
    const error = await loadConfig(file, { env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        path: 'notifications.channels.slack.urlFile',
        line: 13,
        column: 36,
        message: `the URL file ${join(dir, 'slack-url')} does not hold an http:// or https:// URL`,
      },
    ]);
  });

  it('reads URLs, signing secrets and SMTP passwords from ${ENV} or files, and redacts them all', async () => {
    await writeFile(join(dir, 'slack-url'), 'https://hooks.slack.com/services/T0/B0/file-secret-1\n');
    await writeFile(join(dir, 'hook-secret'), 'file-secret-2\n');
    await writeFile(join(dir, 'smtp-password'), 'file-secret-3\n');
    const file = await write(
      '    notify: [{ channel: slack }, { channel: hook, events: [restore.performed] }, { channel: mail }]',
      `  channels:
    slack: { type: slack, urlFile: ./slack-url }
    teams: { type: teams, url: "\${TEAMS_URL}" }
    hook:
      type: webhook
      url: "https://hooks.example.com/port-yard?token=inline-secret-4"
      secretFile: hook-secret
      headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
    mail:
      type: email
      host: smtp.example.com
      user: port-yard
      passwordFile: ./smtp-password
      from: backups@example.com
      to: [dba@example.com]`,
    );
    const config = await loadConfig(file, {
      env: { TEAMS_URL: 'https://example.webhook.office.com/env-secret-5', HOOK_TOKEN: 'env-secret-6' },
    });
    const channels = config.notifications.channels;
    expect(channels['slack']).toEqual({
      type: 'slack',
      urlFile: join(dir, 'slack-url'),
      url: 'https://hooks.slack.com/services/T0/B0/file-secret-1',
    });
    expect(channels['teams']).toMatchObject({ url: 'https://example.webhook.office.com/env-secret-5' });
    expect(channels['hook']).toMatchObject({
      secret: 'file-secret-2',
      secretFile: join(dir, 'hook-secret'),
      headers: { Authorization: 'Bearer env-secret-6' },
    });
    expect(channels['mail']).toMatchObject({ password: 'file-secret-3', security: 'starttls' });

    const shown = JSON.stringify(redactConfig(config));
    for (const secret of [
      'file-secret-1',
      'file-secret-2',
      'file-secret-3',
      'inline-secret-4',
      'env-secret-5',
      'env-secret-6',
    ])
      expect(shown).not.toContain(secret);
    const redacted = redactConfig(config).notifications.channels;
    expect(redacted['hook']).toMatchObject({ url: '<redacted>', headers: { Authorization: '<redacted>' } });
    expect(shown).toContain(join(dir, 'slack-url')); // where a secret came from is not a secret
  });

  it('reports a missing URL file at its field', async () => {
    const file = await write('', '  channels: { ops: { type: discord, urlFile: ./nope } }');
    expect(await problems(file)).toEqual([
      {
        path: 'notifications.channels.ops.urlFile',
        message: `cannot read the URL file ${join(dir, 'nope')}: no such file`,
      },
    ]);
  });
});
