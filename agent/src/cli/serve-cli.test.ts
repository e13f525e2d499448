import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, spawnServe, writeLocalConfig } from '../../test/harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';

/** `port-yard serve` as a user runs it: a real process, a YAML config file, exit code and output. */
const cli = (args: string[]) => runCli(args, { timeoutMs: 60_000 });

let dir: string;
let taken: Server;
const database = uniqueName('py_t_serve');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-serve-cli-'));
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1);`,
  );
  taken = createServer();
  await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
});

afterAll(async () => {
  await new Promise((closed) => taken.close(closed));
  await mariadbExec(`DROP DATABASE IF EXISTS ${database};`);
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard serve', () => {
  it('on a port in use: says so without a stack trace, exits 1, and begins no backup', async () => {
    const port = (taken.address() as { port: number }).port;
    const config = join(dir, 'port-yard.yaml');
    await writeLocalConfig(
      config,
      [
        '  shop:',
        '    engine: mariadb',
        '    host: 127.0.0.1',
        '    user: root',
        `    databases: [${database}]`,
        '    destinations: [local]',
        // No artifact yet: a started daemon would catch up with a backup at once.
        "    schedule: '0 3 * * *'",
        '    maxAge: 2d',
      ],
      [`server: { host: 127.0.0.1, port: ${port} }`],
    );
    const result = await cli(['--config', config, 'serve', '--log-format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stderr).toContain('in use');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // The port is taken before the daemon starts: no catch-up backup began, none was stored.
    expect(result.stdout).not.toContain('catching up');
    expect(result.stdout).not.toContain('agent started');
    const written = await readdir(join(dir, 'backups'), { recursive: true }).catch(() => []);
    expect(written.filter((name) => String(name).endsWith('.manifest.json'))).toEqual([]);
  });

  it('while its start hangs (a storage that never answers): live, not ready, a reload waits, a stop signal ends it', async () => {
    // An "S3 server" that takes connections and never answers: the catalog read hangs.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const config = join(dir, 'port-yard-hanging.yaml');
    await writeFile(
      config,
      [
        'version: 1',
        'server: { host: 127.0.0.1, port: 0 }',
        'storages:',
        '  remote:',
        '    type: s3',
        '    bucket: backups',
        `    endpoint: http://127.0.0.1:${(silent.address() as { port: number }).port}`,
        '    forcePathStyle: true',
        '    accessKeyId: test',
        '    secretAccessKey: test-secret',
        '',
      ].join('\n'),
    );
    const { child, exited, untilLogged } = spawnServe(config);
    try {
      const { url } = (await untilLogged('API listening')) as { url: string };
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const readiness = await fetch(`${url}/readyz`);
      expect([readiness.status, await readiness.json()]).toEqual([503, { status: 'starting' }]);
      // A reload asked for meanwhile waits for the start (SIGHUP's default would end the agent).
      child.kill('SIGHUP');
      await sleep(300);
      expect(child.exitCode).toBeNull();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });
});
