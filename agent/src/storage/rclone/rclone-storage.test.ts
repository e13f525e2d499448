import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../storage.ts';
import { describeStorageContract } from '../storage-contract.ts';
import {
  bodyOf,
  collect,
  failingBody,
  heldBody,
  patternBytes,
  untilConsumed,
  visibleKeys,
} from '../storage-contract-bodies.ts';
import { createRcloneStorage } from './rclone-storage.ts';
import { createTestRemote, type TestRemote } from './rclone-test-remote.ts';

describeStorageContract('rclone (local remote)', async () => {
  const remote = await createTestRemote();
  return { storage: createRcloneStorage('cloud', remote.config()), cleanup: remote.cleanup };
});

describe('rclone storage', () => {
  let remote: TestRemote;
  let storage: Storage;
  beforeEach(async () => {
    remote = await createTestRemote();
    storage = createRcloneStorage('cloud', remote.config());
  });
  afterEach(async () => {
    await remote.cleanup();
  });

  it('lays objects out under the remote by their keys', async () => {
    const data = patternBytes(5000);
    await storage.put('t/db/2025-01-01T00-00-00Z_r1.sql.zst', bodyOf([data]));
    expect(storage.location).toBe(remote.remote);
    expect(await remote.filesOnDisk()).toEqual(['t/db/2025-01-01T00-00-00Z_r1.sql.zst']);
    expect((await readFile(join(remote.root, 't/db/2025-01-01T00-00-00Z_r1.sql.zst'))).equals(data)).toBe(
      true,
    );
  });

  it('works with an on-the-fly remote and an empty config file', async () => {
    const configFile = join(remote.dir, 'empty.conf');
    await writeFile(configFile, '');
    const onTheFly = createRcloneStorage(
      'fly',
      remote.config({ remote: `:local:${remote.root}/`, configFile }),
    );
    await onTheFly.put('a/b', bodyOf([patternBytes(10)]));
    expect(await visibleKeys(onTheFly)).toEqual(['a/b']);
    expect(await remote.filesOnDisk()).toEqual(['a/b']);
  });

  it('reports a missing rclone as TOOL_MISSING naming the storage, and destroys the body', async () => {
    const missing = createRcloneStorage('cloud', remote.config({ rcloneCommand: '/nonexistent/rclone' }));
    const refused = {
      code: 'TOOL_MISSING',
      message: 'storage "cloud": rclone (/nonexistent/rclone) is not installed or not on the PATH',
    };
    const body = bodyOf([patternBytes(300_000)]);
    await expect(missing.put('k', body)).rejects.toMatchObject(refused);
    expect(body.destroyed).toBe(true);
    await expect(missing.stat('k')).rejects.toMatchObject(refused);
    await expect(missing.get('k')).rejects.toMatchObject(refused);
    await expect(missing.delete('k')).rejects.toMatchObject(refused);
    await expect(collect(missing.list(''))).rejects.toMatchObject(refused);
  });

  it('reports a remote missing from the rclone config as CONFIG_INVALID naming it', async () => {
    const unknown = createRcloneStorage('cloud', remote.config({ remote: 'nosuch:backups' }));
    const refused = {
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        `storage "cloud": rclone has no remote named "nosuch" in ${remote.configFile}`,
      ),
    };
    const body = bodyOf([patternBytes(300_000)]);
    await expect(unknown.put('t/k', body)).rejects.toMatchObject(refused);
    expect(body.destroyed).toBe(true);
    await expect(unknown.stat('t/k')).rejects.toMatchObject(refused);
    await expect(unknown.get('t/k')).rejects.toMatchObject(refused);
    await expect(unknown.delete('t/k')).rejects.toMatchObject(refused);
    await expect(collect(unknown.list(''))).rejects.toMatchObject(refused);
    await expect(unknown.sweepTemporary(0)).rejects.toMatchObject(refused);
  });

  it('leaves no object and no temporary data when the body fails or the put is aborted', async () => {
    const boom = new Error('dump died');
    await expect(storage.put('t/db/x', failingBody(patternBytes(300_000), boom))).rejects.toBe(boom);
    const controller = new AbortController();
    const body = heldBody();
    const putting = storage.put('t/db/y', body, { signal: controller.signal });
    body.write(patternBytes(300_000));
    await untilConsumed(body);
    // rclone streams bodies past 100 KiB straight into the temp object: it is there, hidden.
    await expect
      .poll(() => remote.filesOnDisk())
      .toEqual([expect.stringMatching(/^t\/db\/\.y\.[0-9a-f]{12}\.port-yard-tmp$/)]);
    expect(await visibleKeys(storage)).toEqual([]);
    controller.abort();
    await expect(putting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await remote.filesOnDisk()).toEqual([]);
  });

  it('hides temporary objects left by a crash, and sweeps only those older than the age', async () => {
    await storage.put('t/db/real', bodyOf([patternBytes(10)]));
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    const stale = ['t/db/.real.0a1b2c3d4e5f.port-yard-tmp', '.x.000000000000.port-yard-tmp'];
    for (const key of stale) {
      await mkdir(join(remote.root, key, '..'), { recursive: true });
      await writeFile(join(remote.root, key), 'half a dump');
      await utimes(join(remote.root, key), hourAgo, hourAgo);
    }
    await writeFile(join(remote.root, 't', '.fresh.ffffffffffff.port-yard-tmp'), 'a put in progress');
    expect(await visibleKeys(storage)).toEqual(['t/db/real']);

    expect((await storage.sweepTemporary(30 * 60_000)).sort()).toEqual([...stale].sort());
    expect(await remote.filesOnDisk()).toEqual(['t/.fresh.ffffffffffff.port-yard-tmp', 't/db/real']);
    const later = createRcloneStorage('cloud', remote.config(), { now: () => Date.now() + 2 * 60 * 60_000 });
    expect(await later.sweepTemporary(60 * 60_000)).toEqual(['t/.fresh.ffffffffffff.port-yard-tmp']);
    await expect(storage.sweepTemporary(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses keys that would look like its temporary objects', async () => {
    const body = bodyOf([patternBytes(1)]);
    await expect(storage.put('t/.x.1.port-yard-tmp', body)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(body.destroyed).toBe(true);
    await expect(storage.stat('t.port-yard-tmp/x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
