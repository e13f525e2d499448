import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/harness/cli-process.ts';
import { putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';

/**
 * A name typed on the command line that does not exist (a target, a database, an artifact, a
 * sandbox, a channel) is a usage error: exit 2, the name and what exists on stderr, and nothing
 * started: no dump, no storage written, no notification sent. A failure of the work stays exit 1.
 */
let dir: string;
let config: string;
let hook: Server;
let hookRequests = 0;
/** An artifact of target `retired`, which is in storage but no longer in the config. */
let retiredId: string;
/** An artifact of target `shop`. */
let shopId: string;
const unknownId = '2026-01-01T00-00-00Z_aaaaaaaaaa';

const cli = (...args: string[]) => runCli(['--config', config, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-names-cli-'));
  config = join(dir, 'port-yard.yaml');
  hook = createServer((_request, response) => {
    hookRequests++;
    response.end();
  });
  await new Promise<void>((listening) => hook.listen(0, '127.0.0.1', listening));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  await mkdir(join(dir, 'backups'));
  const storage = createFilesystemStorage({ name: 'local', root: join(dir, 'backups') });
  retiredId = (
    await putFakeArtifact(storage, { target: 'retired', startedAt: new Date('2026-11-26T03:00:00Z') })
  ).artifactId;
  // Kept by any retention run (keepLast: 5): it must still be there after one for a typo.
  shopId = (
    await putFakeArtifact(storage, {
      target: 'shop',
      database: 'py_cli_sales',
      startedAt: new Date('2026-11-26T04:00:00Z'),
    })
  ).artifactId;
  await writeFile(
    config,
    [
      'version: 1',
      'storages:',
      '  local: { type: filesystem, path: ./backups }',
      // Never written by these tests: a typo must stop before any storage is opened.
      '  spare: { type: filesystem, path: ./spare }',
      'testServers:',
      '  scratch: { engine: mariadb, host: 127.0.0.1, user: root }',
      'notifications:',
      `  channels: { ops: { type: webhook, url: "${hookUrl}" } }`,
      'targets:',
      '  shop:',
      '    engine: mariadb',
      '    host: 127.0.0.1',
      '    user: root',
      '    databases: [py_cli_sales]',
      '    destinations: [spare]',
      '    retention: { keepLast: 5 }',
      '    verify: { server: scratch }',
      '    sandbox: { server: scratch }',
      '  everything:',
      '    engine: postgres',
      '    host: 127.0.0.1',
      '    user: postgres',
      '    databases: all',
      '    exclude: [py_cli_skipped]',
      '    destinations: [spare]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await new Promise((closed) => hook?.close(closed));
  await rm(dir, { recursive: true, force: true });
});

/** Exit 2, `error: <message>` alone on stderr, nothing on stdout, and no storage written. */
async function expectUsageError(result: { code: number; stdout: string; stderr: string }, message: string) {
  expect(result).toMatchObject({ code: 2, stdout: '' });
  expect(result.stderr).toBe(`error: ${message}\n`);
  expect(await readdir(dir)).not.toContain('spare');
}

describe('a name on the command line that does not exist is a usage error (exit 2)', () => {
  it('backup <unknown target>, naming the close one and the targets', async () => {
    await expectUsageError(
      await cli('backup', 'shopp'),
      'no target named shopp in the config: did you mean shop? (targets: shop, everything)',
    );
  });

  it('backup <target> --database <not one of its listed databases>', async () => {
    await expectUsageError(
      await cli('backup', 'shop', '--database', 'py_cli_sale'),
      "database py_cli_sale is not one of target shop's databases: did you mean py_cli_sales? (targets.shop.databases: py_cli_sales)",
    );
  });

  it('backup <target> --database <not on the server> with databases: all, or excluded', async () => {
    const missing = await cli('backup', 'everything', '--database', 'py_cli_not_there');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(
      /^error: database py_cli_not_there is not one of target everything's databases \(on its server: .+\)\n$/,
    );
    await expectUsageError(
      await cli('backup', 'everything', '--database', 'py_cli_skipped'),
      'database py_cli_skipped is excluded from target everything (targets.everything.exclude)',
    );
  });

  it('list <target> --database <in neither the config nor storage>; not for databases: all', async () => {
    await expectUsageError(
      await cli('list', 'shop', '--database', 'py_cli_nope'),
      'no database named py_cli_nope in target shop, in the config or in storage (databases: py_cli_sales)',
    );
    // Stored under a target since removed: still listed.
    expect(await cli('list', '--database', 'sales')).toMatchObject({ code: 0 });
    // Any name may be on a databases: all target's server, with no backup yet.
    expect(await cli('list', 'everything', '--database', 'py_cli_nope')).toMatchObject({
      code: 0,
      stdout: 'no artifacts\n',
    });
  });

  it('restore, verify and sandbox create <unknown artifact>', async () => {
    // One character off an artifact's id: that one is meant.
    const typo = `${shopId.slice(0, -1)}${shopId.endsWith('a') ? 'b' : 'a'}`;
    for (const command of [['restore'], ['verify'], ['sandbox', 'create']]) {
      await expectUsageError(
        await cli(...command, unknownId),
        `no artifact ${unknownId} in any storage (2 artifact(s): see port-yard list)`,
      );
      await expectUsageError(
        await cli(...command, typo),
        `no artifact ${typo} in any storage: did you mean ${shopId}? (2 artifact(s): see port-yard list)`,
      );
    }
  });

  it('restore, verify and sandbox create <an artifact of a target no longer in the config>', async () => {
    for (const command of [['restore', '--yes'], ['verify'], ['sandbox', 'create']])
      await expectUsageError(
        await cli(...command, retiredId),
        `artifact ${retiredId} belongs to target retired, which is not in the config: add the target back to restore, verify or deploy it`,
      );
  });

  it('sandbox extend and destroy <unknown sandbox>', async () => {
    for (const command of [['extend', '--ttl', '1h'], ['destroy']]) {
      const result = await cli('sandbox', ...command, 'py_sbx_00000000aa');
      expect(result).toMatchObject({ code: 2, stdout: '' });
      // The sandboxes listed are whatever the test server holds now.
      expect(result.stderr).toMatch(
        /^error: no sandbox py_sbx_00000000aa on any sandbox test server \(sandboxes: .+\)\n$/,
      );
    }
  });

  it('retention plan and apply <unknown target>, deleting nothing', async () => {
    for (const command of ['plan', 'apply'])
      await expectUsageError(
        await cli('retention', command, 'shpo'),
        'no target named shpo in the config (targets: shop, everything)',
      );
    expect(await readdir(join(dir, 'backups', 'shop', 'py_cli_sales'))).toHaveLength(2);
  });

  it('notify test <unknown channel>, sending nothing', async () => {
    await expectUsageError(
      await cli('notify', 'test', 'opps'),
      'no notification channel named opps: did you mean ops? (notifications.channels: ops)',
    );
    expect(hookRequests).toBe(0);
  });
});

describe('a failure of the work stays exit 1', () => {
  it('an artifact not found while a storage could not be listed may be there: exit 1, saying so', async () => {
    const unlistable = join(dir, 'unlistable.yaml');
    await writeFile(
      unlistable,
      'version: 1\nstorages:\n  local: { type: filesystem, path: ./backups }\n  nas: { type: rclone, remote: "nas:b", rcloneCommand: /nonexistent/rclone }\ntargets:\n  shop: { engine: mariadb, user: root, databases: [py_cli_sales], destinations: [local] }\n',
    );
    const result = await runCli(['--config', unlistable, 'restore', unknownId]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: NOT_FOUND: no artifact ${unknownId} in the storages that could be listed; it may be in nas`,
    );
  });
});
