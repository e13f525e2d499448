import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from './storage.ts';
import {
  bodyOf,
  collect,
  getBytes,
  patternBytes,
  readAll,
  slowBody,
  visibleKeys,
} from './storage-contract-bodies.ts';
import { describeStorageFailureContract } from './storage-contract-failures.ts';

export interface StorageUnderTest {
  readonly storage: Storage;
  /** Removes everything the storage holds (a temp folder, a bucket prefix). */
  cleanup(): Promise<void>;
}

/**
 * The one test suite every backend passes (filesystem, S3, SFTP, rclone): each guarantee written
 * in `storage.ts`, checked through the interface only. `makeStorage` gives a fresh, empty storage
 * for every test. A backend's own file adds what only it can check (its faults, its layout).
 */
export function describeStorageContract(label: string, makeStorage: () => Promise<StorageUnderTest>): void {
  describe(`storage contract: ${label}`, () => {
    let current: StorageUnderTest | undefined;
    const storage = (): Storage => {
      if (current === undefined) throw new Error('no storage: beforeEach did not run');
      return current.storage;
    };
    beforeEach(async () => {
      current = await makeStorage();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describeRoundTrips(storage);
    describeReads(storage);
    describeListAndDelete(storage);
    describeKeyValidation(storage);
    describeStorageFailureContract(storage);
  });
}

function describeRoundTrips(storage: () => Storage): void {
  it('returns the bytes it stored, and their count', async () => {
    const data = patternBytes(1000);
    expect(await storage().put('t/db/one.bin', bodyOf([data]))).toEqual({ bytes: 1000 });
    expect((await getBytes(storage(), 't/db/one.bin')).equals(data)).toBe(true);
  });

  it('streams a multi-MiB body produced slowly in chunks', async () => {
    const data = patternBytes(4 * 1024 * 1024 + 123, 7);
    const result = await storage().put('t/db/big.sql.zst', slowBody(data, 64 * 1024, 1));
    expect(result.bytes).toBe(data.length);
    const back = await getBytes(storage(), 't/db/big.sql.zst');
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
  });

  it('stores a 0-byte object as an object', async () => {
    expect(await storage().put('empty', bodyOf([]))).toEqual({ bytes: 0 });
    expect((await getBytes(storage(), 'empty')).length).toBe(0);
    expect((await storage().stat('empty'))?.size).toBe(0);
    expect(await visibleKeys(storage())).toEqual(['empty']);
  });

  it('replaces an existing object', async () => {
    await storage().put('k', bodyOf([patternBytes(5000, 1)]));
    const second = patternBytes(300, 2);
    await storage().put('k', bodyOf([second]));
    expect((await getBytes(storage(), 'k')).equals(second)).toBe(true);
    expect(await collect(storage().list(''))).toMatchObject([{ key: 'k', size: 300 }]);
  });

  it('runs concurrent puts to different keys without mixing them', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? `t/db/obj-${i}` : `t/other/obj-${i}`));
    const datas = keys.map((_, i) => patternBytes(100_000 + i * 4099, i));
    await Promise.all(
      keys.map((key, i) => storage().put(key, slowBody(datas[i] ?? Buffer.alloc(0), 16_384, 1))),
    );
    for (const [i, key] of keys.entries()) {
      expect((await getBytes(storage(), key)).equals(datas[i] ?? Buffer.alloc(0))).toBe(true);
    }
    expect(await visibleKeys(storage())).toEqual([...keys].sort());
  });
}

function describeReads(storage: () => Storage): void {
  const data = patternBytes(1000, 3);
  const range = async (start: number, end?: number): Promise<Buffer> =>
    readAll(await storage().get('r', { range: end === undefined ? { start } : { start, end } }));

  it('reads inclusive byte ranges: first byte, middle, to the end', async () => {
    await storage().put('r', bodyOf([data]));
    expect((await range(0, 0)).equals(data.subarray(0, 1))).toBe(true);
    expect((await range(100, 199)).equals(data.subarray(100, 200))).toBe(true);
    expect((await range(900)).equals(data.subarray(900))).toBe(true);
  });

  it('clamps a range past the end, reads nothing from a start past it, refuses a bad range', async () => {
    await storage().put('r', bodyOf([data]));
    expect((await range(990, 5000)).equals(data.subarray(990))).toBe(true);
    expect((await range(1000)).length).toBe(0);
    for (const bad of [{ start: 5, end: 4 }, { start: -1 }, { start: 1.5 }]) {
      await expect(storage().get('r', { range: bad })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });

  it('rejects get of a missing object, or of a folder, with NOT_FOUND', async () => {
    await expect(storage().get('no/such/key')).rejects.toMatchObject({
      name: 'PortYardError',
      code: 'NOT_FOUND',
    });
    await storage().put('a/b', bodyOf([data]));
    await expect(storage().get('a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stats an object, and says undefined for a missing one or a folder', async () => {
    await storage().put('a/b', bodyOf([data]));
    const info = await storage().stat('a/b');
    expect(info).toMatchObject({ key: 'a/b', size: 1000 });
    expect(info?.modifiedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(info?.modifiedAt.getTime())).toBe(false);
    expect(await storage().stat('a/c')).toBeUndefined();
    expect(await storage().stat('a')).toBeUndefined();
  });

  it('destroys a get stream when its signal aborts', async () => {
    await storage().put('big', bodyOf([patternBytes(2 * 1024 * 1024)]));
    const controller = new AbortController();
    const stream = await storage().get('big', { signal: controller.signal });
    const reading = readAll(stream);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });
}

function describeListAndDelete(storage: () => Storage): void {
  const put = async (key: string, size = 10): Promise<void> => {
    await storage().put(key, bodyOf([patternBytes(size)]));
  };

  it('lists by plain string prefix, nested keys included', async () => {
    for (const key of ['a/b/c', 'a/b/d/e', 'a/bc', 'a/x/y', 'z']) await put(key);
    expect(await visibleKeys(storage())).toEqual(['a/b/c', 'a/b/d/e', 'a/bc', 'a/x/y', 'z']);
    expect(await visibleKeys(storage(), 'a/b/')).toEqual(['a/b/c', 'a/b/d/e']);
    expect(await visibleKeys(storage(), 'a/b')).toEqual(['a/b/c', 'a/b/d/e', 'a/bc']);
    expect(await visibleKeys(storage(), 'a/b/c')).toEqual(['a/b/c']);
    expect(await visibleKeys(storage(), 'nothing/')).toEqual([]);
  });

  it('lists sizes and dates', async () => {
    await put('s/one', 3);
    await put('s/two', 0);
    const infos = (await collect(storage().list('s/'))).sort((a, b) => a.key.localeCompare(b.key));
    expect(infos).toMatchObject([
      { key: 's/one', size: 3 },
      { key: 's/two', size: 0 },
    ]);
    for (const info of infos) expect(info.modifiedAt).toBeInstanceOf(Date);
  });

  it('deletes idempotently, leaving siblings and deeper keys alone', async () => {
    await put('d/x/1');
    await put('d/x/2');
    await storage().delete('d/x/1');
    expect(await storage().stat('d/x/1')).toBeUndefined();
    await expect(storage().get('d/x/1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await storage().delete('d/x/1');
    await storage().delete('never/was');
    await storage().delete('d/x');
    expect(await visibleKeys(storage())).toEqual(['d/x/2']);
    await storage().delete('d/x/2');
    expect(await visibleKeys(storage())).toEqual([]);
    await put('d/x/2');
    expect(await visibleKeys(storage())).toEqual(['d/x/2']);
  });
}

function describeKeyValidation(storage: () => Storage): void {
  const invalid = ['../x', '/abs', 'a//b', '', 'a/', 'a/./b', 'x/../y', 'a\\b', 'tab\there'];

  it.each(invalid)('rejects the invalid key %j everywhere with INVALID_INPUT', async (key) => {
    const refused = { code: 'INVALID_INPUT' };
    const body = bodyOf([patternBytes(10)]);
    await expect(storage().put(key, body)).rejects.toMatchObject(refused);
    expect(body.destroyed).toBe(true);
    await expect(storage().get(key)).rejects.toMatchObject(refused);
    await expect(storage().stat(key)).rejects.toMatchObject(refused);
    await expect(storage().delete(key)).rejects.toMatchObject(refused);
    expect(await visibleKeys(storage())).toEqual([]);
  });

  it('rejects an invalid list prefix with INVALID_INPUT', async () => {
    for (const prefix of ['../', '/abs', 'a//', '/']) {
      await expect(collect(storage().list(prefix))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });
}
