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
      { path: 'targets.db.port', line: 10, column: 11, message: 'expected a number, found a string' },
    ]);
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
});
