import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesBelow } from './harness/temp-agent.ts';
import { mariadbExec, uniqueName } from './harness/sql.ts';
import { waitFor } from './harness/wait-for.ts';
import { freePort } from './servers/test-servers.ts';

/**
 * `port-yard serve` as the container runs it: a real process. `kill -9` in the middle of a backup
 * leaves no visible artifact, the restart catches up, leftovers are swept, SIGTERM exits 0.
 */
const repoRoot = resolve(import.meta.dirname, '../..');
const database = uniqueName('py_t_serve');
let dir: string;
let configFile: string;
const processes: ChildProcess[] = [];

interface Serve {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

function serve(): Serve {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/node'),
    [join(repoRoot, 'agent/bin/port-yard.js'), '--config', configFile, 'serve', '--log-format', 'json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  processes.push(child);
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, lines, exited };
}

const logged = (server: Serve, message: string): boolean => server.lines.some((line) => line.msg === message);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-serve-'));
  configFile = join(dir, 'port-yard.yaml');
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.big (id INT PRIMARY KEY, body TEXT);
     INSERT INTO ${database}.big SELECT seq, REPEAT(MD5(seq), 8) FROM test.seq_1_to_400000;`,
  );
  await writeFile(
    configFile,
    [
      'version: 1',
      // Not the default 8420: an agent running on this machine must not make the API fail to start.
      `server: { host: 127.0.0.1, port: ${await freePort()} }`,
      "retentionSchedule: '* * * * * *'",
      'orphanGracePeriod: 1s',
      'storages:',
      '  local: { type: filesystem, path: ./backups }',
      // A file no backup needs that is not there: a warning, not a refusal to start.
      'testServers:',
      '  scratch: { engine: mariadb, user: root, tls: { mode: verify-ca, ca: ./no-ca.pem } }',
      'targets:',
      '  big:',
      '    engine: mariadb',
      '    host: 127.0.0.1',
      '    user: root',
      `    databases: [${database}]`,
      '    compression: none',
      '    destinations: [local]',
      "    schedule: '0 0 1 1 *'",
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard serve', () => {
  it('survives kill -9 mid-backup: nothing visible, the restart catches up and sweeps leftovers', async () => {
    const storage = join(dir, 'backups');
    const first = serve();
    await waitFor('the catch-up run to start', () => logged(first, 'run running'));
    expect(first.lines.find((line) => line.msg === 'a file the config names cannot be read')).toMatchObject({
      level: 'warn',
      path: 'testServers.scratch.tls.ca',
      message: `${join(dir, 'no-ca.pem')}: no such file`,
    });
    await waitFor('data being written', async () =>
      (await filesBelow(storage)).some((file) => file.endsWith('.port-yard-tmp')),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const leftovers = await filesBelow(storage);
    expect(leftovers.filter((file) => file.endsWith('.manifest.json'))).toEqual([]);
    expect(leftovers.every((file) => file.endsWith('.port-yard-tmp'))).toBe(true);

    // The killed agent could not remove its credentials file (the dump user's password).
    const killedSecrets = async (): Promise<string[]> =>
      (await readdir(tmpdir())).filter((name) => name.startsWith(`port-yard-secrets-${first.child.pid}-`));
    expect(await killedSecrets()).not.toEqual([]);

    const second = serve();
    await waitFor('the restarted agent to back up', () => logged(second, 'run succeeded'), 60_000);
    // The restart removed it.
    expect(await killedSecrets()).toEqual([]);
    await waitFor('the leftovers to be swept', async () => {
      const files = await filesBelow(storage);
      return files.length === 2 && files.every((file) => !file.endsWith('.port-yard-tmp'));
    });
    // The run's log line names the artifact it stored: the one manifest left in storage.
    const succeeded = second.lines.find((line) => line.msg === 'run succeeded') as {
      artifacts?: { id: string }[];
    };
    const manifests = (await filesBelow(storage)).filter((file) => file.endsWith('.manifest.json'));
    expect(succeeded.artifacts).toHaveLength(1);
    expect(manifests.map((file) => basename(file))).toEqual([`${succeeded.artifacts![0]!.id}.manifest.json`]);

    // SIGHUP applies a changed config, and says which changes wait for a restart (sign-in here).
    await writeFile(
      configFile,
      `${await readFile(configFile, 'utf8')}auth: { mode: none, anonymousRole: operator }\n`,
    );
    second.child.kill('SIGHUP');
    await waitFor('the reload', () => logged(second, 'config reloaded'));
    await waitFor('the restart warning', () =>
      logged(second, 'changed settings take effect only after a restart'),
    );
    expect(
      second.lines.find((line) => line.msg === 'changed settings take effect only after a restart'),
    ).toMatchObject({ level: 'warn', settings: ['auth'] });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(logged(second, 'agent stopped')).toBe(true);
  }, 120_000);
});
