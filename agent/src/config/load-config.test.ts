import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import type { ConfigProblem } from './config-error.ts';
import { loadConfig } from './load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(text: string, name = 'port-yard.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A config with one filesystem storage, `local`, then `rest`. */
const withLocal = (rest: string): string =>
  `version: 1\nstorages: { local: { type: filesystem, path: ./b } }\n${rest}`;

async function problemsOf(text: string): Promise<ConfigProblem[]> {
  const error = await loadConfig(await write(text), { env: {} }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  return [...(error as ConfigError).problems];
}

const valid = `
version: 1
storages:
  local: { type: filesystem, path: ./backups }
  abs: { type: filesystem, path: /srv/backups }
targets:
  shop:
    engine: mariadb
    host: db.internal
    user: backup
    password: secret
    tls: { mode: verify-ca, ca: certs/ca.pem }
    databases: [shop]
    destinations: [local, abs]
    schedule: "*/15 * * * *"
    timezone: Europe/Berlin
    retention:
      keepLast: 3
      tiers:
        - { every: 15m, for: 24h }
`;

describe('loadConfig', () => {
  // Making paths absolute rebuilt the maps as plain objects: `targets.constructor` found Object's.
  it('holds the named maps without a prototype, so a name such as constructor is only a name', async () => {
    const config = await loadConfig(await write(valid), { env: {} });
    for (const map of [config.storages, config.targets, config.testServers, config.notifications.channels])
      expect(Object.getPrototypeOf(map)).toBeNull();
    expect(config.targets['constructor']).toBeUndefined();
  });

  it('returns the validated config with defaults filled in and paths made absolute', async () => {
    const config = await loadConfig(await write(valid), { env: {} });
    expect(config).toEqual({
      version: 1,
      maxConcurrent: 2,
      retentionSchedule: '17 * * * *',
      orphanGracePeriod: '24h',
      server: { host: '127.0.0.1', port: 8420, allowedOrigins: [], allowedHosts: [] },
      auth: {
        mode: 'none',
        anonymousRole: 'viewer',
        defaultRole: 'viewer',
        users: [],
        tokens: [],
        roles: [],
        sessionTtl: '12h',
      },
      testServers: {},
      notifications: { channels: {}, reminderInterval: '24h', timeout: '10s', attempts: 3 },
      storages: {
        local: { type: 'filesystem', path: join(dir, 'backups'), createRoot: true },
        abs: { type: 'filesystem', path: '/srv/backups', createRoot: true },
      },
      targets: {
        shop: {
          engine: 'mariadb',
          host: 'db.internal',
          user: 'backup',
          password: 'secret',
          tls: { mode: 'verify-ca', ca: join(dir, 'certs/ca.pem') },
          databases: ['shop'],
          compression: 'zstd',
          destinations: ['local', 'abs'],
          schedule: '*/15 * * * *',
          timezone: 'Europe/Berlin',
          skipIfUnchanged: false,
          retention: { keepLast: 3, tiers: [{ every: '15m', for: '24h' }], maxDeletePerRun: 50 },
        },
      },
    });
  });

  it('reports every problem at once, each with its path and line:column', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
targets:
  shop:
    engine: mariadb
    port: "3306"
    user: backup
    password: x
    passwordFile: ./pw
    compresion: gzip
    databases: [shop]
    destinations: [local, offsite]
    schedule: "*/15 * * *"
    timezone: Europe/Berlinn
    retention:
      tiers:
        - { every: 7m, for: 24h }
        - { every: 1d, for: 12h }
  empty:
    engine: postgres
    user: postgres
    databases: all
    destinations: [local]
    retention: { keepLast: 0 }
`);
    const where = problems.map(({ path, line, column }) => ({ path, line, column }));
    expect(where).toEqual([
      { path: 'targets.shop.port', line: 7, column: 11 },
      { path: 'targets.shop.passwordFile', line: 10, column: 19 }, // both password and passwordFile
      { path: 'targets.shop.passwordFile', line: 10, column: 19 }, // and ./pw does not exist
      { path: 'targets.shop.compresion', line: 11, column: 5 },
      { path: 'targets.shop.destinations[1]', line: 13, column: 27 },
      { path: 'targets.shop.schedule', line: 14, column: 15 },
      { path: 'targets.shop.timezone', line: 15, column: 15 },
      { path: 'targets.shop.retention.tiers[0].every', line: 18, column: 20 },
      { path: 'targets.shop.retention.tiers[1].for', line: 19, column: 29 },
      { path: 'targets.empty.retention', line: 25, column: 16 },
    ]);
    const messages = problems.map((problem) => problem.message);
    expect(messages).toEqual([
      'expected a number, found a string',
      'give password or passwordFile, not both',
      expect.stringMatching(/^cannot read the password file .*\/pw: no such file$/),
      'unknown key "compresion" (did you mean "compression"?)',
      'names no storage: offsite (storages: local)',
      'must be a cron expression with 5 or 6 fields',
      'is not an IANA time zone: Europe/Berlinn',
      'minutes and hours must divide a day (e.g. 5m, 15m, 1h, 6h, 12h)',
      'must not be shorter than every (1d)',
      'an empty policy would delete everything: give keepLast > 0 or at least one tier',
    ]);
  });

  it('refuses a schedule that never fires, at its line', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
targets:
  shop:
    engine: postgres
    user: backup
    databases: [shop]
    destinations: [local]
    schedule: "0 3 30 2 *"
`);
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'targets.shop.schedule',
        line: 10,
        column: 15,
        message: 'never fires: no date matches this cron expression',
      }),
    ]);
  });

  it("says what an empty list or a short text lacks, in words rather than zod's", async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
  s3: { type: s3, bucket: b, region: x }
targets:
  shop: { engine: postgres, user: backup, databases: [], destinations: [] }
`);
    expect(problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      'storages.s3.bucket: must be at least 3 characters',
      'targets.shop.databases: must not be empty',
      'targets.shop.destinations: must not be empty',
    ]);
  });

  it('says what keepSafetyBackups takes when it is true (a duration, or false)', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
targets:
  shop:
    engine: postgres
    user: backup
    databases: [shop]
    destinations: [local]
    restore: { keepSafetyBackups: true }
`);
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'targets.shop.restore.keepSafetyBackups',
        message: 'must be a duration such as 7d, or false',
      }),
    ]);
  });

  it('points a missing key at the mapping that lacks it', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
targets:
  shop:
    engine: mariadb
    databases: [shop]
`);
    expect(problems).toEqual([
      { path: 'targets.shop.user', line: 6, column: 5, message: 'is required (a string)' },
      { path: 'targets.shop.destinations', line: 6, column: 5, message: 'is required (a list)' },
    ]);
  });

  it('names every unknown key, at the key, also beside a bad storage type', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { typ: filesystem, path: ./b }
retension: { keepLast: 1 }
`);
    expect(problems).toEqual([
      {
        path: 'storages.local.type',
        line: 3,
        column: 10,
        message: 'is required (one of: filesystem, s3, sftp, rclone)',
      },
      {
        path: 'storages.local.typ',
        line: 3,
        column: 12,
        message: 'unknown key "typ" (did you mean "type"?)',
      },
      { path: 'retension', line: 4, column: 1, message: 'unknown key "retension"' },
    ]);
  });

  // It said `unknown key "headers" (did you mean "headers"?)`: a webhook's key, in a Slack channel.
  it('says of a key that another type takes that it belongs to another type', async () => {
    const problems = await problemsOf(`version: 1
storages:
  local: { type: filesystem, path: ./b }
notifications:
  channels:
    team: { type: slack, url: 'https://hooks.slack.com/services/x', headers: { X-A: b } }
`);
    expect(problems.map((problem) => problem.message)).toEqual([
      'unknown key "headers" (it belongs to another type: check this entry\'s "type")',
    ]);
  });

  it('points a bad name at the key and explains a bad storage type', async () => {
    const problems = await problemsOf(`version: 1
storages:
  Local: { type: filesystem, path: ./b }
  offsite: { type: ftp }
`);
    expect(problems).toEqual([
      {
        path: 'storages.Local',
        line: 3,
        column: 3,
        message:
          'is not a valid name: must be lower-case letters, digits, _ or - (at most 63, starting with a letter or digit)',
      },
      {
        path: 'storages.offsite.type',
        line: 4,
        column: 20,
        message: 'must be one of: filesystem, s3, sftp, rclone',
      },
    ]);
  });

  it('says what an infinite number is, not "expected a number, found a number"', async () => {
    const problems = await problemsOf(withLocal('maxConcurrent: .inf\n'));
    expect(problems.map((problem) => problem.message)).toEqual([
      'expected a number, found an infinite number (.inf)',
    ]);
  });

  // It said both "must be at most 19" and "must be at most 19 for zstd".
  it('says a compression level is too high once, per algorithm where it differs', async () => {
    const target = (compression: string, level: number) =>
      withLocal(
        `targets:\n  t: { engine: mariadb, user: root, databases: [x], destinations: [local], compression: ${compression}, compressionLevel: ${level} }\n`,
      );
    expect((await problemsOf(target('zstd', 22))).map((problem) => problem.message)).toEqual([
      'must be at most 19',
    ]);
    expect((await problemsOf(target('gzip', 12))).map((problem) => problem.message)).toEqual([
      'must be at most 9 for gzip',
    ]);
  });

  // Eight digits passed the schema, then became the default 12h without a word.
  it('refuses a session length it would not use', async () => {
    const problems = await problemsOf(withLocal('auth: { mode: none, sessionTtl: 99999999d }\n'));
    expect(problems).toEqual([
      {
        path: 'auth.sessionTtl',
        line: 3,
        column: 33,
        message: 'must be a duration in minutes, hours or days, such as 30m, 12h or 7d',
      },
    ]);
  });

  // Named, it showed an unquoted password that starts with `*` (`password: *Hunter2`).
  it('reports an alias to no anchor by its position, not its name', async () => {
    const problems = await problemsOf('version: 1\nstorages: *Hunter2Zq9\n');
    expect(problems).toEqual([
      {
        path: '',
        line: 2,
        column: 11,
        message: 'an alias (*…) refers to no &anchor: a value that starts with * must be quoted',
      },
    ]);
  });

  // It became `word`: YAML reads `&Pa55` as an anchor.
  it('refuses an anchor on a single value that no alias uses, without its name', async () => {
    const problems = await problemsOf(
      withLocal(
        'targets:\n  shop: { engine: postgres, user: u, password: &Zq9 word, port: &p 5432, databases: [x], destinations: [local] }\nx: *p\n',
      ),
    );
    expect(problems).toEqual([
      {
        path: '',
        line: 4,
        column: 53,
        message: 'an anchor (&…) that no alias uses: a value that starts with & must be quoted',
      },
    ]);
  });

  // `password:Hunter2` in a flow mapping is one key: it was shown, in the path and the message.
  it('says a known key glued to its value needs a space, without the value', async () => {
    const problems = await problemsOf(
      withLocal(
        'targets:\n  shop: { engine: postgres, user: u, password:Hunter2Zq9, databases: [x], destinations: [local] }\n',
      ),
    );
    expect(problems).toEqual([
      {
        path: 'targets.shop.password',
        line: 4,
        column: 38,
        message: 'needs a space after its ":" (password:… is read as one unknown key)',
      },
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    const problems = await problemsOf('version: 1\nstorages:\n  local: [a, b\n  other: 1\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ path: '', line: 4, column: 3 });
    expect(problems[0]?.message).toMatch(/^YAML syntax: /);
  });

  it('reports a duplicate key as a syntax error', async () => {
    const problems = await problemsOf('version: 1\nversion: 1\n');
    expect(problems).toEqual([
      {
        path: '',
        line: 2,
        column: 1,
        message: 'YAML syntax: the key "version" appears twice in one mapping',
      },
    ]);
  });

  it('explains an empty file and a top level that is not a mapping', async () => {
    expect(await problemsOf('# nothing but a comment\n')).toEqual([
      { path: '', message: 'the file is empty: it needs at least version, storages and targets' },
    ]);
    expect(await problemsOf('- version: 1\n')).toEqual([
      {
        path: '',
        line: 1,
        column: 1,
        message: 'the top level must be a mapping (version, storages, targets), not a list',
      },
    ]);
  });

  it('reports a config file that cannot be read', async () => {
    const error = await loadConfig(join(dir, 'missing.yaml'), { env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: '', message: 'cannot read the config file: no such file' },
    ]);
  });

  it('follows anchors and merge keys', async () => {
    const config = await loadConfig(
      await write(`version: 1
storages:
  local: { type: filesystem, path: ./b }
targets:
  a: &common { engine: postgres, user: postgres, databases: all, destinations: [local] }
  b: { <<: *common, port: 5433 }
`),
      { env: {} },
    );
    expect(config.targets['b']).toMatchObject({ engine: 'postgres', port: 5433, destinations: ['local'] });
  });
});
