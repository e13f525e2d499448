import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';
import type { LoadConfigOptions } from './load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config with one postgres target whose settings are `targetLines` (indented by 4). */
async function writeConfig(targetLines: string, file = join(dir, 'port-yard.yaml')): Promise<string> {
  const text = `version: 1
storages:
  local: { type: filesystem, path: ./backups }
targets:
  db:
    engine: postgres
    databases: all
    destinations: [local]
${targetLines}`;
  await writeFile(file, text);
  return file;
}

/** A config whose one storage is an S3 one at `endpoint`. */
async function writeConfigText(endpoint: string): Promise<string> {
  const file = join(dir, 's3-inline.yaml');
  await writeFile(
    file,
    `version: 1\nstorages:\n  s3:\n    type: s3\n    bucket: backups\n    endpoint: '${endpoint}'\n`,
  );
  return file;
}

async function loadError(file: string, options: LoadConfigOptions): Promise<ConfigError> {
  const error = await loadConfig(file, options).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig: ${VAR} interpolation', () => {
  it('substitutes variables, defaults and escapes before validation', async () => {
    const file = await writeConfig(`    user: \${DB_USER}
    password: \${DB_PASSWORD}
    host: \${DB_HOST:-127.0.0.1}
    labels: { note: "costs $\${AMOUNT}", owner: "\${OWNER:-ops}-team" }
`);
    const config = await loadConfig(file, { env: { DB_USER: 'backup', DB_PASSWORD: 's3cr3t', OWNER: '' } });
    expect(config.targets['db']).toMatchObject({
      user: 'backup',
      password: 's3cr3t',
      host: '127.0.0.1',
      labels: { note: 'costs ${AMOUNT}', owner: 'ops-team' },
    });
  });

  it('converts a substitution where the schema takes a number or boolean, and only there', async () => {
    const file = await writeConfig(`    user: postgres
    port: \${DB_PORT}
    password: \${DB_PASSWORD}
    skipIfUnchanged: \${SKIP:-false}
`);
    const config = await loadConfig(file, { env: { DB_PORT: '5433', DB_PASSWORD: '123456' } });
    expect(config.targets['db']).toMatchObject({ port: 5433, password: '123456', skipIfUnchanged: false });
  });

  it('leaves a substitution that is not a number as text, for the schema to report', async () => {
    const file = await writeConfig('    user: postgres\n    port: ${DB_PORT}\n');
    const error = await loadError(file, { env: { DB_PORT: '54x' } });
    expect(error.problems).toEqual([
      {
        path: 'targets.db.port',
        line: 10,
        column: 11,
        message: 'expected a number, found a string (from ${DB_PORT}: "54x")',
      },
    ]);
  });

  it('converts where the field takes a boolean or a text (keepSafetyBackups: false or a duration)', async () => {
    const file = await writeConfig(`    user: postgres
    restore: { keepSafetyBackups: "\${KEEP}", safetyBackup: "\${SAFE}", staging: "\${STAGE}" }
`);
    const load = async (env: Record<string, string>) =>
      (await loadConfig(file, { env })).targets['db']?.restore;
    expect(await load({ KEEP: 'false', SAFE: 'False', STAGE: 'TRUE' })).toMatchObject({
      keepSafetyBackups: false,
      safetyBackup: false,
      staging: true,
    });
    expect(await load({ KEEP: '3d', SAFE: 'true', STAGE: 'false' })).toMatchObject({
      keepSafetyBackups: '3d',
      safetyBackup: true,
      staging: false,
    });
  });

  it('says which variable gave a value that does not fit, and what it gave', async () => {
    const file = await writeConfig(`    user: postgres
    port: \${DB_PORT}
    restore:
      keepSafetyBackups: \${KEEP}
      safetyBackup: \${SAFE}
`);
    const error = await loadError(file, { env: { DB_PORT: '70000', KEEP: 'fals', SAFE: 'yes' } });
    expect(error.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      'targets.db.port: must be at most 65535 (from ${DB_PORT}: "70000")',
      'targets.db.restore.keepSafetyBackups: must be a duration such as 30s, 15m, 2h, 14d, 1w, 1mo or 1y (from ${KEEP}: "fals")',
      'targets.db.restore.safetyBackup: expected a boolean, found a string (from ${SAFE}: "yes")',
    ]);
  });

  // `config check` and the API's agent info show an endpoint as it is: a password in it was shown.
  it('refuses credentials in an S3 endpoint, and does not show a URL with a user name', async () => {
    const file = join(dir, 's3.yaml');
    await writeFile(
      file,
      'version: 1\nstorages:\n  s3:\n    type: s3\n    bucket: backups\n    endpoint: ${S3_ENDPOINT}\n',
    );
    const error = await loadError(file, { env: { S3_ENDPOINT: 'http://AKIAX:p@ss:w/rd@127.0.0.1:9000/' } });
    const messages = error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toEqual([
      expect.stringMatching(
        /^storages\.s3\.endpoint: .*\(from \$\{S3_ENDPOINT\}: not shown: it has @, \?, # or =/,
      ),
    ]);
    const inline = await loadError(await writeConfigText('http://AKIAX:secret@127.0.0.1:9000/'), { env: {} });
    expect(inline.problems[0]?.message).toBe(
      'must not hold a user name or password: give them as accessKeyId and secretAccessKey',
    );
    expect(JSON.stringify([error.problems, inline.problems])).not.toMatch(/p@ss|secret@/);
    // Nor a query, where a token may sit (and which the SDK does not send anyway).
    const query = await loadError(await writeConfigText('https://minio.lan:9000/?token=tok'), { env: {} });
    expect(query.problems.map((problem) => problem.message)).toEqual([
      'must not hold a query or a fragment (?… or #…): give the scheme, host, port and path only',
    ]);
  });

  // A `/` in the password slipped past a check for `user:password@host`, a query was shown whole.
  it('does not show what a variable gave a field when it may hold a credential', async () => {
    const file = join(dir, 'leaky.yaml');
    await writeFile(
      file,
      'version: 1\nstorages:\n  s3:\n    type: s3\n    bucket: backups\n    endpoint: ${S3_ENDPOINT}\n  r: { type: rclone, remote: "${REMOTE}" }\n',
    );
    for (const [endpoint, remote] of [
      ['https://s3.example.com/?token=Zq9Secret', ':s3,secret_access_key=Zq9Secret:bucket'],
      ['https://admin:pa/Zq9Secret@s3.example.com/', 'myb2,key=Zq9Secret:bucket'],
      ['https//admin:Zq9Secret@s3.example.com/', '/#Zq9Secret'],
    ]) {
      const error = await loadError(file, { env: { S3_ENDPOINT: endpoint!, REMOTE: remote! } });
      expect(error.problems.map((problem) => problem.path)).toEqual([
        'storages.s3.endpoint',
        'storages.r.remote',
      ]);
      expect(JSON.stringify(error.problems)).not.toContain('Zq9Secret');
    }
  });

  it('never shows what a variable gave a secret field, even when it is wrong', async () => {
    const file = join(dir, 'hook.yaml');
    await writeFile(
      file,
      'version: 1\nstorages: { local: { type: filesystem, path: ./b } }\nnotifications:\n  channels:\n    ops:\n      type: webhook\n      url: ${HOOK_URL}\n      secret: ${HOOK_SECRET}\n',
    );
    const error = await loadError(file, { env: { HOOK_URL: 'Hunter2-Zq9', HOOK_SECRET: '' } });
    expect(error.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      'notifications.channels.ops.url: must be an http:// or https:// URL (from ${HOOK_URL}: not shown: a secret)',
      'notifications.channels.ops.secret: must not be empty (from ${HOOK_SECRET}: not shown: a secret)',
    ]);
    expect(JSON.stringify(error.problems)).not.toContain('Hunter2');
  });

  it('explains an unquoted ${VAR} inside { } or [ ], where YAML reads its { as a mapping', async () => {
    const file = join(dir, 'flow.yaml');
    await writeFile(
      file,
      'version: 1\nstorages: { local: { type: filesystem, path: ./b } }\ntargets:\n  db: { engine: postgres, user: postgres, port: ${DB_PORT}, password: ${PW:-Hunter2-Zq9}, databases: [x], destinations: [local] }\n',
    );
    const error = await loadError(file, { env: { DB_PORT: '5432' } });
    // One problem per reference, at its $: not the tokens yaml trips over after it; never a default.
    expect(error.problems).toEqual([
      {
        path: '',
        line: 4,
        column: 49,
        message:
          'YAML syntax: ${DB_PORT} inside { } or [ ] must be quoted, as "${DB_PORT}": unquoted, its { starts a mapping',
      },
      {
        path: '',
        line: 4,
        column: 71,
        message:
          'YAML syntax: ${PW:-…} inside { } or [ ] must be quoted, as "${PW:-…}": unquoted, its { starts a mapping',
      },
    ]);
    const list = join(dir, 'flow-list.yaml');
    await writeFile(
      list,
      'version: 1\nstorages: { local: { type: filesystem, path: ./b } }\ntargets:\n  db:\n    engine: postgres\n    user: postgres\n    databases: [${DB}]\n    destinations: [local]\n    labels: { team: ${TEAM:-Hunter2-Zq9} }\n',
    );
    expect((await loadError(list, { env: {} })).problems.map((problem) => problem.message)).toEqual([
      'YAML syntax: ${DB} inside { } or [ ] must be quoted, as "${DB}": unquoted, its { starts a mapping',
      'YAML syntax: ${TEAM:-…} inside { } or [ ] must be quoted, as "${TEAM:-…}": unquoted, its { starts a mapping',
    ]);
    // Quoted, as the message says: it loads, and the port is a number.
    await writeFile(
      file,
      'version: 1\nstorages: { local: { type: filesystem, path: ./b } }\ntargets:\n  db: { engine: postgres, user: postgres, port: "${DB_PORT}", databases: [x], destinations: [local] }\n',
    );
    expect((await loadConfig(file, { env: { DB_PORT: '5433' } })).targets['db']?.port).toBe(5433);
  });

  it('reports an unset variable with the path and position where it is used', async () => {
    const file = await writeConfig(`    user: postgres
    password: \${DB_PASSWORD}
`);
    const error = await loadError(file, { env: {} });
    // Only this problem: the empty password it leaves behind is not reported a second time.
    expect(error.problems).toEqual([
      {
        path: 'targets.db.password',
        line: 10,
        column: 15,
        message: 'environment variable DB_PASSWORD is not set (give ${DB_PASSWORD:-default} for a default)',
      },
    ]);
  });

  it('reads process.env when no env is given', async () => {
    const file = await writeConfig('    user: ${PORT_YARD_TEST_USER}\n');
    process.env['PORT_YARD_TEST_USER'] = 'from-process-env';
    try {
      expect((await loadConfig(file)).targets['db']?.user).toBe('from-process-env');
    } finally {
      delete process.env['PORT_YARD_TEST_USER'];
    }
  });
});

describe('loadConfig: passwordFile', () => {
  it('reads the file relative to the config, trims trailing newlines, and keeps the absolute path', async () => {
    await mkdir(join(dir, 'secrets'));
    await writeFile(join(dir, 'secrets', 'db'), 'pa ss\n\n');
    const file = await writeConfig('    user: postgres\n    passwordFile: secrets/db\n');
    const config = await loadConfig(file, { env: {} });
    expect(config.targets['db']).toMatchObject({
      password: 'pa ss',
      passwordFile: join(dir, 'secrets', 'db'),
    });
  });

  it('reads an absolute path as it is', async () => {
    await writeFile(join(dir, 'pw'), 'abs\r\n');
    const file = await writeConfig(`    user: postgres\n    passwordFile: ${join(dir, 'pw')}\n`);
    expect((await loadConfig(file, { env: {} })).targets['db']?.password).toBe('abs');
  });

  it('leaves out the byte order mark a Windows editor writes first (UTF-8 with BOM)', async () => {
    await writeFile(join(dir, 'pw'), '\uFEFFfrom-notepad\r\n');
    const file = await writeConfig(`    user: postgres\n    passwordFile: ${join(dir, 'pw')}\n`);
    expect((await loadConfig(file, { env: {} })).targets['db']?.password).toBe('from-notepad');
  });

  it('reports a missing or empty file with the field and the path it tried', async () => {
    await writeFile(join(dir, 'empty'), '\n');
    const missing = await loadError(await writeConfig('    user: postgres\n    passwordFile: nope\n'), {
      env: {},
    });
    expect(missing.problems).toEqual([
      {
        path: 'targets.db.passwordFile',
        line: 10,
        column: 19,
        message: `cannot read the password file ${join(dir, 'nope')}: no such file`,
      },
    ]);
    const empty = await loadError(await writeConfig('    user: postgres\n    passwordFile: empty\n'), {
      env: {},
    });
    expect(empty.problems[0]?.message).toBe(`the password file ${join(dir, 'empty')} is empty`);
  });

  // PostgreSQL backups failed on it as INTERNAL ("passwords must not contain line breaks").
  it('reports a password with a line break, from a file or from the environment, never showing it', async () => {
    await writeFile(join(dir, 'two-lines'), 'first\nsecond\n');
    const fromFile = await loadError(await writeConfig('    user: postgres\n    passwordFile: two-lines\n'), {
      env: {},
    });
    expect(fromFile.problems.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'targets.db.passwordFile',
        message: `the password file ${join(dir, 'two-lines')} holds more than one line: a password has none`,
      },
    ]);
    const fromEnv = await loadError(await writeConfig('    user: postgres\n    password: ${DB_PW}\n'), {
      env: { DB_PW: 'first\nsecond' },
    });
    expect(fromEnv.problems[0]).toMatchObject({
      path: 'targets.db.password',
      message: expect.stringContaining('must not contain a line break'),
    });
    expect(JSON.stringify([fromFile.problems, fromEnv.problems])).not.toContain('second');
  });

  it('reports a passwordFile given together with a password', async () => {
    await writeFile(join(dir, 'pw'), 'x');
    const file = await writeConfig('    user: postgres\n    password: inline\n    passwordFile: pw\n');
    const error = await loadError(file, { env: {} });
    expect(error.problems).toEqual([
      {
        path: 'targets.db.passwordFile',
        line: 11,
        column: 19,
        message: 'give password or passwordFile, not both',
      },
    ]);
  });

  it('reports an SFTP passphraseFile given together with a passphrase', async () => {
    await writeFile(join(dir, 'pp'), 'from-file');
    const file = join(dir, 'sftp.yaml');
    await writeFile(
      file,
      `version: 1
storages:
  nas:
    type: sftp
    host: nas
    user: backup
    privateKeyFile: key
    passphrase: inline
    passphraseFile: pp
    hostKey: SHA256:${'A'.repeat(43)}
    path: backups
`,
    );
    const error = await loadError(file, { env: {} });
    expect(error.problems).toEqual([
      {
        path: 'storages.nas.passphraseFile',
        line: 9,
        column: 21,
        message: 'give passphrase or passphraseFile, not both',
      },
    ]);
  });
});
