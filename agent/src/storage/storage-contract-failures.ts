import { expect, it } from 'vitest';
import type { Storage } from './storage.ts';
import {
  bodyOf,
  failingBody,
  getBytes,
  heldBody,
  patternBytes,
  untilConsumed,
  visibleKeys,
} from './storage-contract-bodies.ts';

/**
 * The part of the contract about puts that have not finished or never will: nothing of them is
 * visible, and an object they would replace stays whole. Registered by `describeStorageContract`.
 */
export function describeStorageFailureContract(storage: () => Storage): void {
  const old = patternBytes(2000, 9);
  const putOld = async (key: string): Promise<void> => {
    await storage().put(key, bodyOf([old]));
  };

  it('shows nothing of a put in progress, and the object once it finishes', async () => {
    await putOld('t/db/earlier');
    const body = heldBody();
    const putting = storage().put('t/db/new', body);
    body.write(patternBytes(256 * 1024, 1));
    await untilConsumed(body);
    expect(await visibleKeys(storage())).toEqual(['t/db/earlier']);
    expect(await storage().stat('t/db/new')).toBeUndefined();
    await expect(storage().get('t/db/new')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    body.end(patternBytes(1000, 2));
    expect(await putting).toEqual({ bytes: 256 * 1024 + 1000 });
    expect(await visibleKeys(storage())).toEqual(['t/db/earlier', 't/db/new']);
  });

  it('replaces atomically: readers see the whole old object until the new one is complete', async () => {
    await putOld('k');
    const body = heldBody();
    const putting = storage().put('k', body);
    const first = patternBytes(100_000, 3);
    body.write(first);
    await untilConsumed(body);
    expect((await getBytes(storage(), 'k')).equals(old)).toBe(true);
    expect((await storage().stat('k'))?.size).toBe(old.length);
    const rest = patternBytes(500, 4);
    body.end(rest);
    await putting;
    expect((await getBytes(storage(), 'k')).equals(Buffer.concat([first, rest]))).toBe(true);
    expect(await visibleKeys(storage())).toEqual(['k']);
  });

  it('rejects with the body error unchanged and shows nothing when the body fails mid-stream', async () => {
    const boom = new Error('dump died');
    await expect(storage().put('t/db/broken', failingBody(patternBytes(300_000), boom))).rejects.toBe(boom);
    expect(await storage().stat('t/db/broken')).toBeUndefined();
    expect(await visibleKeys(storage())).toEqual([]);
  });

  it('keeps the existing object whole when a put replacing it fails mid-stream', async () => {
    await putOld('t/db/k');
    const boom = new Error('compressor died');
    await expect(storage().put('t/db/k', failingBody(patternBytes(300_000), boom))).rejects.toBe(boom);
    expect((await getBytes(storage(), 't/db/k')).equals(old)).toBe(true);
    expect(await visibleKeys(storage())).toEqual(['t/db/k']);
  });

  it('rejects CANCELLED, destroys the body and shows nothing when the signal aborts mid-stream', async () => {
    await putOld('t/db/k');
    for (const key of ['t/db/k', 't/db/fresh']) {
      const controller = new AbortController();
      const body = heldBody();
      const putting = storage().put(key, body, { signal: controller.signal });
      body.write(patternBytes(256 * 1024, 5));
      await untilConsumed(body);
      controller.abort(new Error('user pressed stop'));
      await expect(putting).rejects.toMatchObject({ name: 'PortYardError', code: 'CANCELLED' });
      expect(body.destroyed).toBe(true);
    }
    expect((await getBytes(storage(), 't/db/k')).equals(old)).toBe(true);
    expect(await visibleKeys(storage())).toEqual(['t/db/k']);
  });

  it('rejects CANCELLED without writing when the signal is already aborted', async () => {
    const body = bodyOf([patternBytes(10)]);
    const signal = AbortSignal.abort();
    await expect(storage().put('never', body, { signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(body.destroyed).toBe(true);
    expect(await visibleKeys(storage())).toEqual([]);
  });
}
