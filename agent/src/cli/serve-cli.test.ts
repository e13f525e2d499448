import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/harness/cli-process.ts';
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
    await writeFile(
      config,
      [
        'version: 1',
        `server: { host: 127.0.0.1, port: ${port} }`,
        'storages:',
        '  local: { type: filesystem, path: ./backups }',
        'targets:',
        '  shop:',
        '    engine: mariadb',
        '    host: 127.0.0.1',
        '    user: root',
        `    databases: [${database}]`,
        '    destinations: [local]',
        // No artifact yet: a started daemon would catch up with a backup at once.
        "    schedule: '0 3 * * *'",
        '    maxAge: 2d',
        '',
      ].join('\n'),
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
});
