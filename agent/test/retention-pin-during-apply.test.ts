import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSchema } from '@port-yard/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPinned } from '../src/artifacts/artifact-actions.ts';
import { createCatalog } from '../src/catalog/catalog.ts';
import { applyTargetRetention } from '../src/retention/target-retention.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import type { Storage } from '../src/storage/storage.ts';
import { putFakeArtifact } from './harness/fake-artifacts.ts';

/**
 * The plan is made once, then its deletions take a while (one storage call after another, an
 * offsite S3 can take seconds each): an artifact pinned meanwhile, by a user who saw it listed
 * for deletion, must be kept.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-retention-pin-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('retention applying its plan', () => {
  it('keeps an artifact pinned after the plan was made', async () => {
    const real = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
    const now = new Date('2026-11-26T12:00:00Z');
    const manifests = [];
    for (let hour = 0; hour < 5; hour++) {
      manifests.push(await putFakeArtifact(real, { startedAt: new Date(now.getTime() - hour * 3_600_000) }));
    }
    const oldest = manifests.at(-1)!.artifactId;
    const catalog = createCatalog([real]);
    await catalog.refresh();
    const storages = new Map<string, Storage>();
    let pinning: Promise<void> | undefined;
    // The first deletion is slow, and a user pins the oldest artifact while it runs.
    const local: Storage = {
      ...real,
      async delete(key) {
        pinning ??= setPinned({ catalog, storages }, oldest, true, 'dba');
        await pinning;
        return real.delete(key);
      },
    };
    storages.set('local', local);
    const target = targetSchema.parse({
      engine: 'mariadb',
      user: 'u',
      databases: ['sales'],
      destinations: ['local'],
      retention: { keepLast: 1 },
    });

    const [group] = await applyTargetRetention({ catalog, storages, targetName: 'shop', target, now });
    expect(group!.plan.delete.map((decision) => decision.id)).toContain(oldest);
    expect(group!.deleted).not.toContain(oldest);
    expect(catalog.get(oldest)?.locations.map((location) => location.storage)).toEqual(['local']);
    expect(group!.deleted).toHaveLength(3);
  });

  // Pinned while the offsite could not be reached: the pin is only in local. Later, local is the
  // one that cannot be listed (a restart): the offsite copy must still count as pinned.
  it('copies a pin to the copies that lack it, which are then kept without the first', async () => {
    const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
    const offsite = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite') });
    const now = new Date('2026-11-26T12:00:00Z');
    const ids: string[] = [];
    for (let hour = 0; hour < 4; hour++) {
      const startedAt = new Date(now.getTime() - hour * 3_600_000);
      const { artifactId } = await putFakeArtifact(local, { startedAt });
      await putFakeArtifact(offsite, { startedAt, artifactId });
      ids.push(artifactId);
    }
    const oldest = ids.at(-1)!;
    const target = targetSchema.parse({
      engine: 'mariadb',
      user: 'u',
      databases: ['sales'],
      destinations: ['local', 'offsite'],
      retention: { keepLast: 1, maxDeletePerRun: 1 },
    });
    const storages = new Map<string, Storage>([
      ['local', local],
      ['offsite', offsite],
    ]);
    const localOnly = createCatalog([local]);
    await localOnly.refresh();
    await setPinned({ catalog: localOnly, storages }, oldest, true, 'dba');

    // A pass that sees both: the pin is copied to the offsite copy.
    const both = createCatalog([local, offsite]);
    await both.refresh();
    expect(
      both
        .get(oldest)
        ?.locations.map((location) => location.storage)
        .sort(),
    ).toEqual(['local', 'offsite']);
    await applyTargetRetention({ catalog: both, storages, targetName: 'shop', target, now });

    // Local down at the next start: the offsite copy is pinned on its own.
    const offsiteOnly = createCatalog([offsite]);
    await offsiteOnly.refresh();
    const groups = await applyTargetRetention({
      catalog: offsiteOnly,
      storages: new Map([['offsite', offsite]]),
      targetName: 'shop',
      target: { ...target, retention: { ...target.retention!, maxDeletePerRun: 10 } },
      now,
    });
    expect(groups.flatMap((group) => group.deleted)).not.toContain(oldest);
    expect(offsiteOnly.get(oldest)?.locations.map((location) => location.storage)).toEqual(['offsite']);
  });

  // Copying a pin is best effort: a storage that cannot take it now does not stop the pass, and
  // is not counted as pinned (the next pass tries again).
  it('goes on when a copy cannot take the pin, and does not count it pinned', async () => {
    const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
    const real = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite') });
    const offsite: Storage = {
      ...real,
      put: (key, body, options) =>
        key.endsWith('.pin.json') ? Promise.reject(new Error('EROFS')) : real.put(key, body, options),
    };
    const startedAt = new Date('2026-11-26T12:00:00Z');
    const { artifactId } = await putFakeArtifact(local, { startedAt });
    await putFakeArtifact(offsite, { startedAt, artifactId });
    const storages = new Map<string, Storage>([
      ['local', local],
      ['offsite', offsite],
    ]);
    const localOnly = createCatalog([local]);
    await localOnly.refresh();
    await setPinned({ catalog: localOnly, storages }, artifactId, true, 'dba');
    const both = createCatalog([local, offsite]);
    await both.refresh();
    const target = targetSchema.parse({
      engine: 'mariadb',
      user: 'u',
      databases: ['sales'],
      destinations: ['local', 'offsite'],
      retention: { keepLast: 1 },
    });
    await applyTargetRetention({ catalog: both, storages, targetName: 'shop', target, now: startedAt });
    const pins = both
      .get(artifactId)
      ?.locations.map((location) => [location.storage, location.sidecars?.pin !== undefined]);
    expect(pins?.sort()).toEqual([
      ['local', true],
      ['offsite', false],
    ]);
  });
});
