import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, nodeBin, runCli, writeLocalConfig, type CliResult } from '../../test/harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';

/** The CLI as a user runs it: a real process, a YAML config file, exit codes and output. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

let dir: string;
let configFile: string;
const database = uniqueName('py_t_cli');
const secret = 'cli-secret-Zq9';
const user = uniqueName('py_t_cli_user');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-cli-'));
  configFile = join(dir, 'port-yard.yaml');
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY, name TEXT); INSERT INTO ${database}.t VALUES (1, 'one'), (2, 'two');
     CREATE USER '${user}'@'%' IDENTIFIED BY '${secret}'; GRANT ALL ON *.* TO '${user}'@'%';`,
  );
  await writeLocalConfig(configFile, [
    '  shop:',
    '    engine: mariadb',
    '    host: 127.0.0.1',
    `    user: ${user}`,
    '    password: ${PY_TEST_UNUSED_SECRET:-}'.replace(':-}', `:-${secret}}`),
    `    databases: [${database}]`,
    '    destinations: [local]',
    // Listed, but not on the server: its backup fails (the work, not the command line).
    '  gone:',
    '    engine: mariadb',
    '    host: 127.0.0.1',
    `    user: ${user}`,
    `    password: ${secret}`,
    `    databases: [${database}_gone]`,
    '    destinations: [local]',
  ]);
});

afterAll(async () => {
  await mariadbExec(
    `DROP DATABASE IF EXISTS ${database}; DROP DATABASE IF EXISTS ${database}_copy; DROP USER IF EXISTS '${user}'@'%';`,
  );
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard CLI', () => {
  it('config check prints the normalized config with secrets redacted', async () => {
    const result = await cli(['--config', configFile, 'config', 'check', '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.targets.shop).toMatchObject({
      password: '<redacted>',
      compression: 'zstd',
    });
    expect(printed.storages.local.path).toBe(join(dir, 'backups'));
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('rejects a bad config with every problem, its line:column, and exit code 2', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: 1\nstorages:\n  local: { type: filesystem, path: ./b }\ntargets:\n  shop:\n    engine: oracle\n    user: root\n    databases: [x]\n    destinations: [nowhere]\n    compresion: zstd\n',
    );
    const result = await cli(['--config', bad, 'backup', 'shop']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:6:13`);
    expect(result.stderr).toContain('targets.shop.engine');
    expect(result.stderr).toContain('targets.shop.destinations[0]');
    expect(result.stderr).toMatch(/:10:5 +targets\.shop\.compresion/);
  });

  it('config check fails (exit 2) on a file the config names that is not there, naming the key', async () => {
    const missing = join(dir, 'missing-files.yaml');
    await writeFile(
      missing,
      'version: 1\nstorages:\n  local: { type: filesystem, path: ./b }\ntestServers:\n  scratch: { engine: mariadb, user: root }\ntargets:\n  shop: { engine: mariadb, user: root, databases: [x], destinations: [local], sandbox: { server: scratch, maskingSql: ./mask.sql } }\n',
    );
    const result = await cli(['--config', missing, 'config', 'check']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${missing}  targets.shop.sandbox.maskingSql: ${join(dir, 'mask.sql')}: no such file`,
    );
  });

  it('config check warns (exit 0) of a scheduled target that nothing would report hanging', async () => {
    const unwatched = join(dir, 'unwatched.yaml');
    await writeFile(
      unwatched,
      "version: 1\nstorages:\n  local: { type: filesystem, path: ./b }\ntargets:\n  shop: { engine: mariadb, user: root, databases: [x], destinations: [local], schedule: '0 3 * * *' }\n",
    );
    const result = await cli(['--config', unwatched, 'config', 'check']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: targets\.shop: scheduled, but with neither timeout nor maxAge: .*\nconfig is valid\n$/,
    );
  });

  it('asks for a config when neither --config nor PORT_YARD_CONFIG is given (exit 2)', async () => {
    const result = await cli(['list'], { PORT_YARD_CONFIG: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--config');
  });

  it('backs up, lists and restores, with JSON output and exit code 0 (config from PORT_YARD_CONFIG)', async () => {
    const env = { PORT_YARD_CONFIG: configFile };
    const backup = await cli(['backup', 'shop', '--json'], env);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const run = JSON.parse(backup.stdout);
    expect(run).toMatchObject({ target: 'shop', status: 'succeeded', failures: [] });
    const id = run.artifacts[0].id as string;

    const list = await cli(['list', 'shop', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        id,
        target: 'shop',
        database,
        compression: 'zstd',
        storages: ['local'],
        sha256: run.artifacts[0].sha256,
      }),
    ]);

    const restore = await cli(['restore', id, '--to-database', `${database}_copy`, '--json'], env);
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ ok: true, database: `${database}_copy` });
    expect(await mariadbExec(`SELECT name FROM ${database}_copy.t ORDER BY id`)).toEqual([
      { name: 'one' },
      { name: 'two' },
    ]);

    // Over an existing database: without --yes and without a terminal, refused (exit 2), unchanged.
    await mariadbExec(`DELETE FROM ${database}.t WHERE id = 2`);
    const unconfirmed = await cli(['restore', id], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(`REPLACES database ${database}`);
    expect(unconfirmed.stderr).toContain(
      'pass --yes, or run on a terminal to type its name (nothing was changed)',
    );
    expect(await mariadbExec(`SELECT name FROM ${database}.t ORDER BY id`)).toEqual([{ name: 'one' }]);

    const replaced = await cli(['restore', id, '--yes', '--json'], env);
    expect(replaced.code).toBe(0);
    const result = JSON.parse(replaced.stdout);
    expect(result).toMatchObject({ ok: true, mode: 'replace', database });
    expect(result.safetyArtifactId).toMatch(/^\d{4}-/);
    expect(await mariadbExec(`SELECT name FROM ${database}.t ORDER BY id`)).toEqual([
      { name: 'one' },
      { name: 'two' },
    ]);

    // The safety backup is listed as such, in JSON (its labels) and for people (its reason).
    const afterJson = JSON.parse((await cli(['list', 'shop', '--json'], env)).stdout) as {
      id: string;
      labels: Record<string, string>;
    }[];
    expect(afterJson.find((row) => row.id === result.safetyArtifactId)?.labels).toEqual({
      'port-yard.reason': `before restoring ${id}`,
    });
    expect(afterJson.find((row) => row.id === id)?.labels).toEqual({});
    const human = (await cli(['list', 'shop'], env)).stdout.split('\n');
    expect(human.find((line) => line.startsWith(result.safetyArtifactId))).toMatch(
      new RegExp(`  \\(before restoring ${id}\\)$`),
    );
    expect(human.find((line) => line.startsWith(id))).not.toContain('before restoring');
  });

  it('exits 1 with the failure on stderr when a backup fails', async () => {
    const result = await cli(['--config', configFile, 'backup', 'gone']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`FAILED  gone/${database}_gone  NOT_FOUND`);
  });

  it('exits 2 for a --database the target does not cover, before any dump', async () => {
    const result = await cli(['--config', configFile, 'backup', 'shop', '--database', 'py_t_not_covered']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: database py_t_not_covered is not one of target shop's databases (targets.shop.databases: ${database})\n`,
    );
  });

  it('on a terminal, asks for the database name: a wrong one changes nothing, the right one restores', async () => {
    /** The CLI on a pseudo-terminal (util-linux `script`), with `typed` as what the user types. */
    const onTerminal = (args: string[], typed: string): Promise<CliResult> =>
      new Promise((done) => {
        const child = execFile(
          'script',
          ['-qec', [nodeBin, cliBin, '--config', configFile, ...args].join(' '), '/dev/null'],
          (error, stdout, stderr) =>
            done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin!.end(typed);
      });
    // The oldest artifact: the first backup, with both rows (newer ones are safety backups).
    const listed = JSON.parse((await cli(['--config', configFile, 'list', 'shop', '--json'])).stdout) as {
      id: string;
    }[];
    const oldest = listed.at(-1);
    await mariadbExec(`DELETE FROM ${database}.t WHERE id = 2`);
    const wrong = await onTerminal(['restore', oldest!.id, '--no-safety-backup'], 'not-it\n');
    expect(wrong.stdout).toContain(`type the database name (${database}) to replace it:`);
    expect(wrong.stdout).toContain('nothing was changed');
    expect(wrong.code).toBe(2);
    expect(await mariadbExec(`SELECT name FROM ${database}.t ORDER BY id`)).toEqual([{ name: 'one' }]);

    const right = await onTerminal(['restore', oldest!.id, '--no-safety-backup'], `${database}\n`);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(`into database ${database}`);
    expect(await mariadbExec(`SELECT count(*) AS n FROM ${database}.t`)).toEqual([{ n: 2 }]);
  });

  it('refuses a restore of an unknown artifact (exit 2), naming it', async () => {
    const result = await cli(['--config', configFile, 'restore', '2026-11-26T03-28-22Z_iy5atpwg4r']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no artifact 2026-11-26T03-28-22Z_iy5atpwg4r');
  });

  // --json promises JSON on stdout: a command without a result prints its failure as JSON (the
  // same words on stderr; the exit code says which kind), for scripts that parse stdout.
  it('with --json, prints a failure without a result as {"ok": false, "error": ...}', async () => {
    const unknown = await cli([
      '--config',
      configFile,
      'restore',
      '2026-11-26T03-28-22Z_iy5atpwg4r',
      '--json',
    ]);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringContaining('no artifact 2026-11-26T03-28-22Z_iy5atpwg4r in any storage'),
      },
    });
    const [first] = JSON.parse((await cli(['--config', configFile, 'list', 'shop', '--json'])).stdout) as {
      id: string;
    }[];
    // Refused for an open connection to the database (CONFLICT, exit 1).
    const open = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database });
    try {
      const refused = await cli(['--config', configFile, 'restore', first!.id, '--yes', '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toEqual({
        ok: false,
        error: expect.objectContaining({
          code: 'CONFLICT',
          message: expect.stringContaining('open connection'),
        }),
      });
      expect(refused.stderr).toContain('CONFLICT');
    } finally {
      await open.end();
    }
    const option = await cli(['--config', configFile, 'list', '--json', '--no-such-option']);
    expect(option.code).toBe(2);
    expect(JSON.parse(option.stdout)).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: "unknown option '--no-such-option'" },
    });
  });

  it('refuses an invalid --to-database (exit 2)', async () => {
    const backup = await cli(['--config', configFile, 'list', 'shop', '--json']);
    const [first] = JSON.parse(backup.stdout) as { id: string }[];
    const result = await cli(['--config', configFile, 'restore', first!.id, '--to-database', 'bad/name']);
    expect(result.code).toBe(2);
    // It says what a valid name is.
    expect(result.stderr).toContain(
      '"bad/name" is not a valid database name to restore into (--to-database; toDatabase in the API): it must be 1-64 characters without control characters, /, \\ or ‛, not starting with -, . or a space, nor ending in .port-yard-tmp',
    );
  });
});
