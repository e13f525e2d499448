import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe } from '../../test/harness/cli-process.ts';
import { freePort } from '../../test/harness/free-port.ts';
import { mutate, query } from '../../test/api/api-harness.ts';

/** A reload through the API of a real `port-yard serve`: what it says, logs and applies. */
let dir: string;
let file: string;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-serve-reload-'));
  file = join(dir, 'port-yard.yaml');
  url = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = (lines: string[]): string =>
  [
    'version: 1',
    `server: { host: 127.0.0.1, port: ${new URL(url).port} }`,
    'storages: { local: { type: filesystem, path: ./backups } }',
    'targets: {}',
    ...lines,
    '',
  ].join('\n');

describe('serve: agent.reloadConfig', () => {
  it('answers and logs every problem of a bad file, and keeps the settings in force as they are', async () => {
    await writeFile(file, config(['auth: { mode: none, anonymousRole: operator }', 'maxConcurrent: 2']));
    const serve = spawnServe(file);
    await serve.untilLogged('agent started');

    // Three problems: the answer names each, with its line and column, and so does the log.
    await writeFile(
      file,
      config([
        'auth: { mode: none, anonymousRole: operator }',
        'maxConcurrent: 0',
        'bogus: 1',
        'retentionSchedule: x',
      ]),
    );
    const bad = await mutate(url, 'agent.reloadConfig');
    expect(bad.status).toBe(400);
    const message = bad.body.error.message as string;
    expect(message).toMatch(/:6:16 +maxConcurrent: /);
    expect(message).toMatch(/:7:1 +bogus: unknown key/);
    expect(message).toMatch(/:8:\d+ +retentionSchedule: /);
    for (const path of ['maxConcurrent', 'bogus', 'retentionSchedule'])
      expect(await serve.untilLogged('the new config is invalid; the old one keeps running')).toMatchObject({
        path,
      });

    // Sign-in and the queue's size are read at start: the API keeps saying what it enforces.
    await writeFile(file, config(['auth: { mode: none, anonymousRole: viewer }', 'maxConcurrent: 5']));
    expect((await mutate(url, 'agent.reloadConfig')).status).toBe(200);
    expect(await serve.untilLogged('changed settings take effect only after a restart')).toMatchObject({
      settings: ['auth', 'maxConcurrent'],
    });
    const info = (await query(url, 'agent.info')).body.result.data;
    expect(info.config.auth).toMatchObject({ mode: 'none', anonymousRole: 'operator' });
    expect(info.config.maxConcurrent).toBe(2);
    const session = (await query(url, 'agent.session')).body.result.data;
    expect(session.permissions.runBackup).toBe(true);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 60_000);
});
