import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeLocalConfig } from '../../test/harness/cli-process.ts';
import { putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';

/** `port-yard list` as a user runs it: a real process, a YAML config file, exit codes and output. */
const cli = (args: string[], options?: Parameters<typeof runCli>[1]) => runCli(args, options);

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-list-cli-'));
  config = join(dir, 'port-yard.yaml');
  await mkdir(join(dir, 'backups'));
  // A target since removed from the config: storage is the catalog, its artifacts still count.
  const storage = createFilesystemStorage({ name: 'local', root: join(dir, 'backups') });
  await putFakeArtifact(storage, { target: 'retired', startedAt: new Date('2026-11-26T03:00:00Z') });
  await writeLocalConfig(config, [
    '  shop: { engine: mariadb, user: root, databases: [shop], destinations: [local] }',
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard list', () => {
  it('refuses a target that is neither in the config nor in storage (a typo), exit 2', async () => {
    const result = await cli(['--config', config, 'list', 'shpo', '--json']);
    expect(result.code).toBe(2);
    // With --json, the failure as JSON on stdout too.
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('no target named shpo') },
    });
    expect(result.stderr).toContain('no target named shpo');
    expect(result.stderr).toContain('shop');
  });

  it('lists a target no longer in the config that has artifacts (exit 0)', async () => {
    const result = await cli(['--config', config, 'list', 'retired', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ target: 'retired' })]);
  });

  it('refuses a --database that is neither in the config nor in storage (a typo), exit 2', async () => {
    const typo = await cli(['--config', config, 'list', 'retired', '--database', 'sale', '--json']);
    expect(typo.code).toBe(2);
    expect(JSON.parse(typo.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(typo.stderr).toBe(
      'error: no database named sale in target retired, in the config or in storage: did you mean sales? (databases: sales)\n',
    );
    // A database the config lists, not backed up yet: nothing to list, no error.
    const configured = await cli(['--config', config, 'list', 'shop', '--database', 'shop', '--json']);
    expect(configured).toMatchObject({ code: 0 });
    expect(JSON.parse(configured.stdout)).toEqual([]);
  });

  it('lists a configured target without artifacts as empty (exit 0)', async () => {
    const result = await cli(['--config', config, 'list', 'shop', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('lists what it can when a storage cannot be listed, and exits 1: the list is incomplete', async () => {
    await writeFile(join(dir, 'not-a-folder'), 'x');
    const twoStorages = join(dir, 'two-storages.yaml');
    await writeFile(
      twoStorages,
      [
        'version: 1',
        'storages:',
        '  local: { type: filesystem, path: ./backups }',
        '  broken: { type: filesystem, path: ./not-a-folder }',
        'targets:',
        '  shop: { engine: mariadb, user: root, databases: [shop], destinations: [local, broken] }',
        '',
      ].join('\n'),
    );
    const result = await cli(['--config', twoStorages, 'list', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ target: 'retired' })]);
    expect(result.stderr).toContain('warning: broken: storage "broken" could not be listed');
    expect(result.stderr).toContain(
      'error: the list is incomplete: storage "broken" could not be listed (see the warning above)',
    );
  });

  // A one-off command killed with SIGKILL (a cron backup, the OOM killer) left the database
  // password on disk; without a daemon, the next command removes it.
  it('removes the credential folders of stopped port-yard processes', async () => {
    const temp = join(dir, 'tmp');
    const abandoned = join(temp, 'port-yard-secrets-999999999-abcdef');
    await mkdir(abandoned, { recursive: true });
    await writeFile(join(abandoned, 'client.cnf'), 'password=secret\n', { mode: 0o600 });
    const result = await cli(['--config', config, 'list'], { env: { TMPDIR: temp } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('note: removed the credential files of 1 stopped port-yard process(es)');
    expect(await readdir(temp)).not.toContain('port-yard-secrets-999999999-abcdef');
  });
});
