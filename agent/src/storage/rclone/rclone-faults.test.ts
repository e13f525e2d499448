import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Storage } from '../storage.ts';
import {
  bodyOf,
  getBytes,
  heldBody,
  patternBytes,
  readAll,
  untilConsumed,
  visibleKeys,
} from '../storage-contract-bodies.ts';
import { createRcloneStorage } from './rclone-storage.ts';
import { createTestRemote, fakeRclone, type TestRemote } from './rclone-test-remote.ts';

/**
 * Failures a healthy local remote never produces, made by a stand-in rclone (`fakeRclone`) that
 * misbehaves in one subcommand and runs the real rclone for the others.
 */
describe('rclone storage under rclone failures', () => {
  let remote: TestRemote;
  const withFake = async (subcommand: string, script: string): Promise<Storage> =>
    createRcloneStorage(
      'cloud',
      remote.config({ rcloneCommand: await fakeRclone(remote.dir, subcommand, script) }),
    );
  beforeEach(async () => {
    remote = await createTestRemote();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await remote.cleanup();
  });

  it('fails a get stream when cat dies mid-transfer, never ending it short', async () => {
    const storage = await withFake(
      'cat',
      `printf partial; echo 'Failed to cat: connection reset' >&2; exit 5`,
    );
    await storage.put('t/k', bodyOf([patternBytes(1000)]));
    const reading = readAll(await storage.get('t/k'));
    await expect(reading).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: `storage "cloud": cannot read "${remote.remote}/t/k": rclone exit 5: Failed to cat: connection reset`,
      stderrTail: 'Failed to cat: connection reset',
    });
  });

  it('fails a get stream when cat exits 0 with fewer bytes than the object has', async () => {
    const storage = await withFake('cat', 'printf partial; exit 0');
    await storage.put('t/k', bodyOf([patternBytes(1000)]));
    await expect(readAll(await storage.get('t/k', { range: { start: 10, end: 99 } }))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('read 7 of 90 bytes'),
    });
  });

  it('fails STORAGE_FAILED with rclone’s words when rcat fails mid-stream, leaving nothing', async () => {
    const storage = await withFake(
      'rcat',
      `head -c 1000 >/dev/null; echo 'Failed to rcat: quota exceeded' >&2; exit 7`,
    );
    const body = bodyOf([patternBytes(300_000), patternBytes(300_000)]);
    const error = await storage.put('t/db/k', body).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(
        /^storage "cloud": cannot upload ".*\/t\/db\/\.k\.[0-9a-f]{12}\.port-yard-tmp": rclone exit 7: Failed to rcat: quota exceeded$/,
      ),
    });
    expect(body.destroyed).toBe(true);
    expect(await remote.filesOnDisk()).toEqual([]);
  });

  it('fails STORAGE_FAILED when the commit fails, removing the temp object and keeping the old one', async () => {
    const old = patternBytes(500, 1);
    await createRcloneStorage('cloud', remote.config()).put('t/k', bodyOf([old]));
    const storage = await withFake('moveto', `echo 'Failed to moveto: forbidden' >&2; exit 1`);
    await expect(storage.put('t/k', bodyOf([patternBytes(300_000)]))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: `storage "cloud": cannot commit "${remote.remote}/t/k": rclone exit 1: Failed to moveto: forbidden`,
    });
    expect(await remote.filesOnDisk()).toEqual(['t/k']);
    expect((await getBytes(storage, 't/k')).equals(old)).toBe(true);
  });

  it('fails a listing that rclone cut short with "directory not found" while the folder exists', async () => {
    await createRcloneStorage('cloud', remote.config()).put('a/b', bodyOf([patternBytes(10)]));
    const cutShort = `case " $* " in *" -R "*) echo '['; echo 'Failed to lsjson: directory not found' >&2; exit 3;; esac`;
    const storage = await withFake('lsjson', cutShort);
    await expect(visibleKeys(storage)).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: `storage "cloud": cannot list "${remote.remote}": rclone exit 3: Failed to lsjson: directory not found`,
    });
    expect(await visibleKeys(storage, 'nothing/')).toEqual([]);
  });

  it('never lets rcat read a clean end of input when the body fails', async () => {
    // A stand-in rcat that records how many bytes it read, but only if its input ended cleanly.
    const marker = join(remote.dir, 'rcat-saw-eof');
    const script = join(remote.dir, 'rcat.cjs');
    await writeFile(
      script,
      `let n = 0; process.stdin.on('data', (c) => (n += c.length));
       process.stdin.on('end', () => require('fs').writeFileSync(${JSON.stringify(marker)}, String(n)));`,
    );
    const storage = await withFake('rcat', `exec "${process.execPath}" "${script}"`);
    const body = heldBody();
    const putting = storage.put('t/k', body);
    body.write(patternBytes(300_000));
    await untilConsumed(body);
    const boom = new Error('compressor died');
    body.destroy(boom);
    await expect(putting).rejects.toBe(boom);
    await delay(300);
    await expect(access(marker)).rejects.toMatchObject({ code: 'ENOENT' });
    // The control: a body that ends does reach the stand-in as a clean end (its commit then fails).
    await expect(storage.put('t/k', bodyOf([patternBytes(1234)]))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
    await expect
      .poll(() =>
        access(marker).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
  });

  it('replaces an object even where rclone would call the old one "the same"', async () => {
    // A huge modify window makes every modification time equal, as on a provider without them;
    // rclone then skips a same-size move unless told --ignore-times, keeping the old bytes.
    vi.stubEnv('RCLONE_MODIFY_WINDOW', '10000h');
    const storage = createRcloneStorage('cloud', remote.config());
    await storage.put('k', bodyOf([patternBytes(4000, 1)]));
    const second = patternBytes(4000, 2);
    await storage.put('k', bodyOf([second]));
    expect((await getBytes(storage, 'k')).equals(second)).toBe(true);
    expect(await visibleKeys(storage)).toEqual(['k']);
  });
});
