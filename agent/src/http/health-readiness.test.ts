import { describe, expect, it } from 'vitest';
import type { Agent } from '../main.ts';
import type { Storage } from '../storage/storage.ts';
import { createReadiness } from './health-readiness.ts';

/** A storage whose `stat` answers as told, counting the questions. */
function fakeStorage(name: string, answer: () => Promise<undefined>): Storage & { calls: number } {
  const storage = {
    name,
    location: `fake://${name}`,
    calls: 0,
    stat: async () => {
      storage.calls++;
      return answer();
    },
  };
  return storage as unknown as Storage & { calls: number };
}

const agentWith = (...storages: Storage[]): Agent =>
  ({
    config: { storages: Object.fromEntries(storages.map((storage) => [storage.name, { type: 's3' }])) },
    storages: new Map(storages.map((storage) => [storage.name, storage])),
  }) as unknown as Agent;

describe('readiness', () => {
  it('reuses one answer for the cache period, and asks again after it', async () => {
    let now = 0;
    const storage = fakeStorage('s3', async () => undefined);
    const reloading = createReadiness({ daemon: { agent: () => agentWith(storage) }, clock: () => now });
    const agent = agentWith(storage);
    const fixed = createReadiness({ daemon: { agent: () => agent }, clock: () => now, cacheMs: 10_000 });
    expect((await fixed.check()).ready).toBe(true);
    now = 9_999;
    await Promise.all([fixed.check(), fixed.check()]);
    expect(storage.calls).toBe(1);
    now = 10_000;
    await fixed.check();
    expect(storage.calls).toBe(2);
    // A reload (another agent object) is never answered from the old one's cache.
    await reloading.check();
    await reloading.check();
    expect(storage.calls).toBe(4);
  });

  it('fails a storage that does not answer in time or errs, naming it', async () => {
    const slow = fakeStorage('slow', () => new Promise<undefined>(() => undefined));
    const failing = fakeStorage('failing', async () => {
      throw new Error('storage "failing": access denied');
    });
    const fine = fakeStorage('fine', async () => undefined);
    const agent = agentWith(slow, failing, fine);
    const result = await createReadiness({ daemon: { agent: () => agent }, timeoutMs: 50 }).check();
    expect(result.ready).toBe(false);
    expect(result.storages).toEqual([
      { storage: 'slow', ok: false, error: 'no answer within 50 ms' },
      { storage: 'failing', ok: false, error: 'storage "failing": access denied' },
      { storage: 'fine', ok: true },
    ]);
  });
});
