import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunProgress } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  createTempAgent,
  filesBelow,
  localMariadb,
  localPostgres,
  type TempAgent,
} from './harness/temp-agent.ts';
import { mariadbExec, postgresExec, uniqueName } from './harness/sql.ts';

/**
 * Every way a backup can fail, against the real servers: each fails with a clear, classified
 * message and leaves nothing in storage (no artifact, no temp file).
 */
const run = promisify(execFile);
const agents: TempAgent[] = [];
const mariadbDb = uniqueName('py_t_fail');
const postgresDb = uniqueName('py_t_fail');
const user = uniqueName('py_t_user');
const password = `pw-${uniqueName('s3cret')}`;

async function agentFor(target: Record<string, unknown>, storagePath?: string): Promise<TempAgent> {
  const temp = await createTempAgent({ t: target as never }, storagePath);
  agents.push(temp);
  return temp;
}

/**
 * Shell scripts (`#!/bin/sh` and the body given, by file name) in a folder of their own, removed
 * when the test ends: the dump wrappers of these tests. Their paths, by name.
 */
async function scripts(bodies: Record<string, string>): Promise<Record<string, string>> {
  const folder = join(tmpdir(), uniqueName('py-wrapper'));
  await mkdir(folder);
  onTestFinished(() => rm(folder, { recursive: true, force: true }));
  const paths: Record<string, string> = {};
  for (const [name, body] of Object.entries(bodies)) {
    paths[name] = join(folder, name);
    await writeFile(paths[name], `#!/bin/sh\n${body}`, { mode: 0o700 });
  }
  return paths;
}

async function failure(temp: TempAgent, options: { onProgress?: (progress: RunProgress) => void } = {}) {
  const result = await temp.agent.backup({ targetName: 't', onProgress: options.onProgress });
  expect(result.status).toBe('failed');
  expect(result.artifacts).toEqual([]);
  expect(await filesBelow(temp.storageRoot)).toEqual([]);
  return result.failures[0]!;
}

beforeAll(async () => {
  // About 100 MB of dump, so a kill can land mid-way.
  await mariadbExec(
    `CREATE DATABASE ${mariadbDb}; CREATE TABLE ${mariadbDb}.big (id INT PRIMARY KEY, body TEXT);
     INSERT INTO ${mariadbDb}.big SELECT seq, REPEAT(MD5(seq), 8) FROM test.seq_1_to_300000;
     CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON ${mariadbDb}.* TO '${user}'@'%';`,
  );
  await postgresExec(`CREATE DATABASE ${postgresDb}`);
  await postgresExec(
    'CREATE TABLE rows AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 20000) g',
    postgresDb,
  );
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${mariadbDb}; DROP USER IF EXISTS '${user}'@'%';`);
  await postgresExec(`DROP DATABASE IF EXISTS ${postgresDb} WITH (FORCE)`);
  await Promise.all(agents.map((temp) => temp.cleanup()));
});

describe('a backup that cannot succeed', () => {
  it('names a wrong password as AUTH_FAILED, without the password in the message', async () => {
    const temp = await agentFor({
      ...localMariadb,
      user,
      password: 'wrong-password',
      databases: [mariadbDb],
    });
    const failed = await failure(temp);
    expect(failed).toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining(`access denied for ${user}@127.0.0.1:3306`),
    });
    expect(JSON.stringify(failed)).not.toContain('wrong-password');
  });

  it.each([
    ['mariadb', localMariadb],
    ['postgres', localPostgres],
  ])('names an unreachable %s server as CONNECTION_FAILED', async (_engine, base) => {
    const failed = await failure(await agentFor({ ...base, port: 1, databases: ['x'] }));
    expect(failed).toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });

  it.each([
    ['mariadb', localMariadb],
    ['postgres', localPostgres],
  ])('names an unknown %s database as NOT_FOUND', async (_engine, base) => {
    const failed = await failure(await agentFor({ ...base, databases: ['py_t_no_such_db'] }));
    expect(failed).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('py_t_no_such_db does not exist'),
    });
  });

  // `none` streams through the agent; `zstd` into one filesystem takes the direct path (zstd
  // writes the temp file itself): both must fail the same way.
  it.for(['none', 'zstd'])(
    'fails when the dump tool is killed mid-way (compression %s)',
    async (compression) => {
      const temp = await agentFor({ ...localMariadb, databases: [mariadbDb], compression });
      // From the start of the dump phase, kill mariadb-dump as soon as it runs (its dump takes
      // about a second; the direct path reports progress only twice a second).
      let hunting: NodeJS.Timeout | undefined;
      let killed = false;
      const failed = await failure(temp, {
        onProgress: (progress) => {
          if (hunting || progress.phase !== 'dump') return;
          hunting = setInterval(() => {
            try {
              execFileSync('pkill', ['-KILL', '-f', `mariadb-dump.*${mariadbDb}`]);
              killed = true;
              clearInterval(hunting);
            } catch {
              // not started yet
            }
          }, 10);
        },
      }).finally(() => clearInterval(hunting));
      expect(killed).toBe(true);
      expect(failed).toMatchObject({ code: 'DUMP_FAILED', phase: 'dump' });
      expect(failed.message).toMatch(/killed by SIGKILL|completion trailer/);
    },
  );

  // A wrapper is not the engine's own tool, so its exit status is not trusted: its bytes are
  // read by the agent (not by zstd directly) and the missing trailer fails the run. Also a
  // wrapper script named like the tool (it was trusted by its name, and its cut dump stored).
  it.for([
    ['a wrapper', 'py-dump-wrapper'],
    ['a wrapper named mariadb-dump', 'mariadb-dump'],
  ])('checks the completion trailer of %s that exits 0 with a cut dump', async ([, name]) => {
    const { [name!]: wrapper } = await scripts({
      [name!]:
        '[ "$1" = --version ] && exec /usr/bin/mariadb-dump --version\n/usr/bin/mariadb-dump "$@" | sed \'$d\'\n',
    });
    const temp = await agentFor({ ...localMariadb, databases: [mariadbDb], dumpCommand: wrapper });
    expect(await failure(temp)).toMatchObject({
      code: 'DUMP_FAILED',
      message: expect.stringContaining('no completion trailer'),
    });
  });

  // The same for pg_dump's custom format, which has no trailer: its table of contents says which
  // data blocks must follow (custom-archive-check.ts). A cut archive fails; a whole one is stored.
  it.for([
    ['a wrapper', 'py-pg-wrapper'],
    ['a wrapper named pg_dump', 'pg_dump'],
  ])('checks the custom-format archive of %s that exits 0 with a cut dump', async ([, name]) => {
    const start = '[ "$1" = --version ] && exec pg_dump --version\n';
    const { [name!]: cut, 'py-pg-whole': whole } = await scripts({
      [name!]: `${start}pg_dump "$@" | head -c -3000\n`,
      'py-pg-whole': `${start}pg_dump "$@" | cat\n`,
    });
    const failed = await agentFor({ ...localPostgres, databases: [postgresDb], dumpCommand: cut });
    expect(await failure(failed)).toMatchObject({
      code: 'DUMP_FAILED',
      message: expect.stringMatching(
        /^the custom-format archive ends inside the data block of TOC entry \d+, with 0 of the 1 data blocks its table of contents lists: pg_dump stopped early$/,
      ),
    });
    const stored = await agentFor({ ...localPostgres, databases: [postgresDb], dumpCommand: whole });
    const result = await stored.agent.backup({ targetName: 't' });
    expect(result).toMatchObject({ status: 'succeeded', failures: [] });
    expect(result.artifacts).toHaveLength(1);
  });

  it('stops a dump that already started when a check fails: VERSION_MISMATCH, nothing stored', async () => {
    // The dump starts while the server is probed; this pg_dump says it is 9.6 (older than the
    // server) but dumps slowly: the version check must stop it and be the failure reported.
    const { 'py-old-pg-dump': wrapper } = await scripts({
      'py-old-pg-dump':
        '[ "$1" = --version ] && { sleep 0.3; echo "pg_dump (PostgreSQL) 9.6.24"; exit 0; }\n' +
        'pg_dump "$@"; sleep 30\n',
    });
    const temp = await agentFor({ ...localPostgres, databases: [postgresDb], dumpCommand: wrapper });
    const started = Date.now();
    expect(await failure(temp)).toMatchObject({
      code: 'VERSION_MISMATCH',
      message: expect.stringMatching(/pg_dump 9\.6(\.24)? cannot dump PostgreSQL \d+/),
    });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('names a dump tool that cannot say its version as DUMP_FAILED, with its stderr', async () => {
    const { 'py-no-version': wrapper } = await scripts({
      'py-no-version':
        '[ "$1" = --version ] && { echo "no such container: db" >&2; exit 2; }\nexec pg_dump "$@"\n',
    });
    const temp = await agentFor({ ...localPostgres, databases: [postgresDb], dumpCommand: wrapper });
    expect(await failure(temp)).toMatchObject({
      code: 'DUMP_FAILED',
      phase: 'dump',
      message: `the dump tool cannot say its version: ${wrapper} --version failed (exit 2)`,
      stderrTail: expect.stringContaining('no such container: db'),
    });
  });

  it('names a missing dump tool as TOOL_MISSING', async () => {
    const temp = await agentFor({
      ...localPostgres,
      databases: [postgresDb],
      dumpCommand: '/nonexistent/pg_dump',
    });
    expect(await failure(temp)).toMatchObject({
      code: 'TOOL_MISSING',
      message: expect.stringContaining('/nonexistent/pg_dump'),
    });
  });

  it('names a storage path that cannot be written as STORAGE_FAILED', async () => {
    const dir = join(tmpdir(), uniqueName('py-test-file'));
    await writeFile(dir, 'a file where the storage folder should be');
    try {
      const temp = await agentFor({ ...localPostgres, databases: [postgresDb] }, join(dir, 'backups'));
      expect(await failure(temp)).toMatchObject({
        code: 'STORAGE_FAILED',
        message: expect.stringContaining('ENOTDIR'),
      });
    } finally {
      await rm(dir, { force: true });
    }
  });

  it.for(['none', 'zstd'])(
    'fails on a write error mid-stream (a full disk, compression %s) and leaves no temp file',
    async (compression, context) => {
      const mountPoint = join(tmpdir(), uniqueName('py-test-tiny'));
      await mkdir(mountPoint);
      try {
        await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
      } catch (error) {
        await rm(mountPoint, { recursive: true, force: true });
        context.skip(`cannot mount a tiny tmpfs here: ${(error as Error).message}`);
      }
      try {
        const temp = await agentFor({ ...localMariadb, databases: [mariadbDb], compression }, mountPoint);
        expect(await failure(temp)).toMatchObject({
          code: 'STORAGE_FAILED',
          message: expect.stringContaining('ENOSPC'),
        });
      } finally {
        await run('umount', [mountPoint]);
        await rm(mountPoint, { recursive: true, force: true });
      }
    },
  );
});
