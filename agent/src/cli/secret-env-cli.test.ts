import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe, writeLocalConfig } from '../../test/harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';

/**
 * A password the config takes from `${VAR}` is in port-yard's own environment; the tools it
 * starts must not inherit it (their /proc/<pid>/environ): they get the password from a file.
 * Seen here through a `dumpCommand` wrapper that saves the environment it was given. Port-Yard's
 * own environment keeps it, for whatever reads the config again.
 */
let dir: string;
const database = uniqueName('py_t_envsecret');
const user = uniqueName('py_t_envuser');
const secret = `pw-${uniqueName('env')}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-envsecret-'));
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY);
     CREATE USER '${user}'@'%' IDENTIFIED BY '${secret}'; GRANT ALL ON ${database}.* TO '${user}'@'%';`,
  );
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${user}'@'%'`);
  await rm(dir, { recursive: true, force: true });
});

/** Target `shop` on the local MariaDB, its password from ${PY_TEST_ENV_PASSWORD}, and `lines`. */
const shop = (lines: readonly string[]): string[] => [
  '  shop:',
  '    engine: mariadb',
  '    host: 127.0.0.1',
  '    password: ${PY_TEST_ENV_PASSWORD}',
  `    databases: [${database}]`,
  '    destinations: [local]',
  ...lines,
];

describe('a secret from ${VAR}', () => {
  it('is not in the environment of the tools port-yard starts; a variable of another field is', async () => {
    const wrapper = join(dir, 'dump-wrapper');
    const seen = join(dir, 'environment.txt');
    await writeFile(
      wrapper,
      `#!/bin/sh\n[ "$1" = --version ] && exec mariadb-dump --version\nenv > '${seen}'\nexec mariadb-dump "$@"\n`,
      { mode: 0o700 },
    );
    const config = join(dir, 'port-yard.yaml');
    await writeLocalConfig(config, shop(['    user: ${PY_TEST_ENV_USER}', `    dumpCommand: ${wrapper}`]));
    const result = await runCli(['--config', config, 'backup', 'shop', '--json'], {
      env: { PY_TEST_ENV_USER: user, PY_TEST_ENV_PASSWORD: secret },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded' });
    const environment = await readFile(seen, 'utf8');
    expect(environment).not.toContain(secret);
    expect(environment).not.toContain('PY_TEST_ENV_PASSWORD');
    expect(environment).toContain(`PY_TEST_ENV_USER=${user}`);
  });

  // Port-Yard's own environment keeps it: a second load of the config reads it again.
  it('is still there for config check --storages, which loads the config twice', async () => {
    const config = join(dir, 'port-yard-check.yaml');
    await writeLocalConfig(config, shop([`    user: ${user}`]));
    const result = await runCli(['--config', config, 'config', 'check', '--storages', '--json'], {
      env: { PY_TEST_ENV_PASSWORD: secret },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ targets: { shop: { password: '<redacted>' } } });
  });

  // And a reload of serve (SIGHUP) reads it again.
  it('is read again by a reload of serve', async () => {
    const config = join(dir, 'port-yard-serve.yaml');
    await writeLocalConfig(config, shop([`    user: ${user}`]), ['server: { host: 127.0.0.1, port: 0 }']);
    const { child, exited, untilLogged } = spawnServe(config, { PY_TEST_ENV_PASSWORD: secret });
    await untilLogged('agent started');
    child.kill('SIGHUP');
    expect(await untilLogged('config reloaded')).toMatchObject({ targets: ['shop'] });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
