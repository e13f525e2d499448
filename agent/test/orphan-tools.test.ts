import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isAlive } from './harness/process-alive.ts';
import { localPostgres } from './harness/temp-agent.ts';
import { waitFor } from './harness/wait-for.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * `port-yard backup` killed with SIGKILL (the OOM killer, `timeout -s KILL`) must not leave its
 * pg_dump behind: an orphaned dump keeps its transaction and its locks on the server until it
 * finishes, hours later on a big database, and blocks DDL meanwhile. Here the dump is held up by a
 * lock another session keeps, so without the fix it would wait forever.
 */
const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');
const bin = join(repoRoot, 'agent/bin/port-yard.js');
const node = join(repoRoot, 'node_modules/.bin/node');
const database = uniqueName('py_t_orphan');
let dir: string;
let holder: pg.Client | undefined;
let cli: ChildProcess | undefined;

/** Live PIDs `pgrep` finds with `args`. */
async function pgrep(...args: string[]): Promise<number[]> {
  const { stdout } = await run('pgrep', args).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number).filter(isAlive);
}

function programOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.split('/').pop()!;
}

/** Sessions of the backup on the database (pg_dump names itself port-yard too, by PGAPPNAME). */
async function backupSessions(waitingForTheLock = false): Promise<number> {
  const result = await postgresExec(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}'
      AND application_name = 'port-yard' ${waitingForTheLock ? "AND wait_event_type = 'Lock'" : ''}`,
  );
  return (result.rows[0] as { n: number }).n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-orphan-'));
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec('CREATE TABLE held (id int); INSERT INTO held VALUES (1)', database);
});

afterAll(async () => {
  cli?.kill('SIGKILL');
  for (const pid of await pgrep('-f', `pg_dump.*${database}`)) process.kill(pid, 'SIGKILL');
  await holder?.end().catch(() => undefined);
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('a backup whose CLI is killed', () => {
  it('takes its pg_dump and zstd with it, and leaves no artifact', async () => {
    holder = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
    await holder.connect();
    await holder.query('BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE');

    const store = join(dir, 'store');
    const config = join(dir, 'port-yard.yaml');
    await writeFile(
      config,
      stringify({
        version: 1,
        storages: { local: { type: 'filesystem', path: store } },
        targets: {
          t: { ...localPostgres, databases: [database] },
        },
      }),
    );
    cli = spawn(node, [bin, '--config', config, 'backup', 't'], { stdio: 'ignore' });
    // pg_dump is connected and waiting for the lock on `held`.
    await waitFor('pg_dump to wait for the lock', async () => (await backupSessions(true)) === 1, 30_000);
    // Its children: the dump, zstd, and maybe a `pg_dump --version` still running beside them.
    const tools = await pgrep('-P', String(cli.pid));
    expect(tools.map(programOf)).toEqual(expect.arrayContaining(['pg_dump', 'zstd']));

    cli.kill('SIGKILL');
    await waitFor('pg_dump and zstd to end', () => tools.every((pid) => !isAlive(pid)), 5_000);
    // The server notices the client is gone once the lock is granted and the session goes on
    // (PostgreSQL does not look while a session waits, unless client_connection_check_interval).
    await holder.query('COMMIT');
    await waitFor('the dump session to end', async () => (await backupSessions()) === 0, 5_000);
    await sleep(200); // a dump that survived would now finish and commit
    const visible = await readdir(join(store, 't', database)).catch(() => []);
    expect(visible.filter((name) => !name.startsWith('.'))).toEqual([]);
  });
});
