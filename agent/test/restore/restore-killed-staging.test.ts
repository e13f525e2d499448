import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliBin, nodeBin, runCli, writeLocalConfig } from '../harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { waitFor } from '../harness/wait-for.ts';

/**
 * A restore killed with SIGKILL (the OOM killer, `kill -9`) cannot remove the dump it staged:
 * the whole database, decrypted, would stay in the staging folder for good. The next command
 * (or the agent's start) removes the folders of processes that are gone.
 */
const source = uniqueName('py_t_rks_src');
const into = uniqueName('py_t_rks_new');
let dir: string;
let staging: string;
let config: string;
const env = (): NodeJS.ProcessEnv => ({ TMPDIR: join(dir, 'tmp') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rks-'));
  staging = join(dir, 'staging');
  await mkdir(staging);
  await mkdir(join(dir, 'tmp'));
  await mariadbExec(`CREATE DATABASE \`${source}\``);
  await mariadbExec(
    `CREATE TABLE t (id INT PRIMARY KEY, v TEXT);
     INSERT INTO t SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_300000;`,
    source,
  );
  config = join(dir, 'port-yard.yaml');
  await writeLocalConfig(config, [
    '  maria:',
    `    { engine: mariadb, host: 127.0.0.1, user: root, databases: [${source}], destinations: [local],`,
    `      restore: { stagingDir: ${JSON.stringify(staging)} } }`,
  ]);
  const backup = await runCli(['--config', config, 'backup', 'maria', '--json'], { env: env() });
  expect(backup.code, backup.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS \`${source}\`; DROP DATABASE IF EXISTS \`${into}\`;`);
  await rm(dir, { recursive: true, force: true });
});

it('the next command removes the dump a killed restore staged', async () => {
  const [artifact] = JSON.parse(
    (await runCli(['--config', config, 'list', '--json'], { env: env() })).stdout,
  ) as {
    id: string;
  }[];
  const restore = spawn(
    nodeBin,
    [cliBin, '--config', config, 'restore', artifact!.id, '--to-database', into],
    {
      env: { ...process.env, ...env() },
      stdio: 'ignore',
    },
  );
  const exited = new Promise((done) => restore.once('exit', done));
  const stagedFolders = async () =>
    (await readdir(staging)).filter((name) => name.startsWith('port-yard-restore-'));
  const stagedDump = async () =>
    (await Promise.all((await stagedFolders()).map((name) => readdir(join(staging, name))))).flat();
  await waitFor('the dump to be staged', async () => (await stagedDump()).includes('dump'), 60_000);
  restore.kill('SIGKILL');
  await exited;
  expect(await stagedFolders()).toHaveLength(1);

  const list = await runCli(['--config', config, 'list'], { env: env() });
  expect(list.code, list.stderr).toBe(0);
  expect(list.stderr).toContain('note: removed 1 dump(s) staged by stopped restores');
  expect(await stagedFolders()).toEqual([]);
}, 120_000);
