import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reasonLabel, safetyBackupReason, targetSchema, type TargetConfig } from '@port-yard/shared';
import { filesBelow } from '../../test/harness/temp-agent.ts';
import { fakeVerification, putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { createCatalog } from '../catalog/catalog.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { sidecarKey } from '../artifacts/artifact-keys.ts';
import { writeVerificationSidecar } from '../verify/verification-sidecar.ts';
import { applyTargetRetention, planTargetRetention } from './target-retention.ts';

/** Retention through real storage: per storage and per database, capped, idempotent. */
let dir: string;
let local: Storage;
let offsite: Storage;

const hoursAgo = (base: Date, hours: number): Date => new Date(base.getTime() - hours * 3_600_000);
const now = new Date('2026-11-26T12:00:00Z');

function target(retention: object, more: object = {}): TargetConfig {
  return targetSchema.parse({
    engine: 'mariadb',
    user: 'u',
    databases: ['sales', 'crm'],
    destinations: ['local'],
    retention,
    ...more,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-retention-'));
  local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  offsite = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite') });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('target retention', () => {
  it('keeps each database its own series and deletes manifest and data of the rest', async () => {
    for (let hour = 0; hour < 6; hour++) {
      await putFakeArtifact(local, { database: 'sales', startedAt: hoursAgo(now, hour) });
      await putFakeArtifact(local, { database: 'crm', startedAt: hoursAgo(now, hour + 0.5) });
    }
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const input = {
      catalog,
      targetName: 'shop',
      target: target({ keepLast: 2 }),
      now,
      storages: new Map([['local', local]]),
    };

    const plans = planTargetRetention(input);
    expect(plans.map((group) => [group.database, group.plan.keep.length, group.plan.delete.length])).toEqual([
      ['sales', 2, 4],
      ['crm', 2, 4],
    ]);
    const applied = await applyTargetRetention(input);
    expect(applied.flatMap((group) => group.deleted)).toHaveLength(8);
    expect(await filesBelow(join(dir, 'local'))).toHaveLength(8);
    expect(catalog.list({ target: 'shop' })).toHaveLength(4);

    await catalog.refresh();
    expect(planTargetRetention(input).flatMap((group) => group.plan.delete)).toEqual([]);
  });

  it('keeps a safety backup for restore.keepSafetyBackups though a later backup shares its bucket', async () => {
    // Hourly buckets keep the newest of each hour: the backups taken after each restore
    // (at :40) supersede the safety backups (at :20) of the same hour.
    const safety = { [reasonLabel]: safetyBackupReason('2026-11-01T00-00-00Z_aaaaaaaaaa') };
    const recent = await putFakeArtifact(local, { startedAt: hoursAgo(now, 24 + 2 / 3), labels: safety });
    const old = await putFakeArtifact(local, { startedAt: hoursAgo(now, 8 * 24 + 2 / 3), labels: safety });
    await putFakeArtifact(local, { startedAt: hoursAgo(now, 24 + 1 / 3) });
    await putFakeArtifact(local, { startedAt: hoursAgo(now, 8 * 24 + 1 / 3) });
    await putFakeArtifact(local, { startedAt: now });
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const hourly = { tiers: [{ every: '1h', for: '1y' }] };
    const plan = (more: object) =>
      planTargetRetention({ catalog, targetName: 'shop', target: target(hourly, more), now })[0]!.plan;

    const byDefault = plan({});
    expect(byDefault.keep.find((d) => d.id === recent.artifactId)?.reasons).toEqual([
      'safety backup, kept 7d',
    ]);
    expect(byDefault.delete.map((d) => d.id)).toEqual([old.artifactId]);

    const longer = plan({ restore: { keepSafetyBackups: '2w' } });
    expect(longer.delete).toEqual([]);
    expect(longer.keep.find((d) => d.id === old.artifactId)?.reasons).toEqual(['safety backup, kept 2w']);

    const off = plan({ restore: { keepSafetyBackups: false } });
    expect(off.delete.map((d) => d.id).sort()).toEqual([recent.artifactId, old.artifactId].sort());
  });

  it("keeps each database's newest verified artifact until a newer one passes", async () => {
    const older = await putFakeArtifact(local, { database: 'sales', startedAt: hoursAgo(now, 3) });
    const middle = await putFakeArtifact(local, { database: 'sales', startedAt: hoursAgo(now, 2) });
    const newest = await putFakeArtifact(local, { database: 'sales', startedAt: hoursAgo(now, 1) });
    const crm = await putFakeArtifact(local, { database: 'crm', startedAt: hoursAgo(now, 5) });
    await putFakeArtifact(local, { database: 'crm', startedAt: hoursAgo(now, 4) });
    const storages = new Map([['local', local]]);
    const verified = async (id: string, ok: boolean): Promise<void> => {
      const catalog = createCatalog([local]);
      await catalog.refresh();
      await writeVerificationSidecar({ catalog, storages }, catalog.get(id)!, fakeVerification(id, ok));
    };
    await verified(older.artifactId, true);
    await verified(middle.artifactId, true);
    await verified(newest.artifactId, false); // the newest does not restore
    await verified(crm.artifactId, true);
    // A fresh catalog, as after a restart: the outcomes are read from the sidecars.
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const input = { catalog, targetName: 'shop', target: target({ keepLast: 1 }), now, storages };

    const applied = await applyTargetRetention(input);
    const kept = (database: string) =>
      applied.find((group) => group.database === database)!.plan.keep.map((d) => [d.id, d.reasons]);
    expect(kept('sales')).toEqual([
      [newest.artifactId, ['newest', 'keepLast 1']],
      [middle.artifactId, ['newest verified']],
    ]);
    expect(applied.find((group) => group.database === 'sales')!.deleted).toEqual([older.artifactId]);
    expect(kept('crm')).toEqual([
      [expect.any(String), ['newest', 'keepLast 1']],
      [crm.artifactId, ['newest verified']],
    ]);
  });

  it('passes over a verification result it cannot read, and holds the newest it can', async () => {
    const older = await putFakeArtifact(local, { startedAt: hoursAgo(now, 2) });
    const newest = await putFakeArtifact(local, { startedAt: hoursAgo(now, 1) });
    const storages = new Map([['local', local]]);
    const seed = createCatalog([local]);
    await seed.refresh();
    await writeVerificationSidecar(
      { catalog: seed, storages },
      seed.get(older.artifactId)!,
      fakeVerification(older.artifactId, true),
    );
    await local.put(
      sidecarKey('shop', 'sales', newest.artifactId, 'verification'),
      Readable.from(['{ cut off']),
    );
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const groups = await applyTargetRetention({
      catalog,
      targetName: 'shop',
      target: target({ keepLast: 1 }),
      now,
      storages,
    });
    expect(groups[0]!.plan.keep.map((d) => [d.id, d.reasons])).toEqual([
      [newest.artifactId, ['newest', 'keepLast 1']],
      [older.artifactId, ['newest verified']],
    ]);
  });

  it('plans each storage on its own copies', async () => {
    for (let hour = 0; hour < 4; hour++) await putFakeArtifact(local, { startedAt: hoursAgo(now, hour) });
    await putFakeArtifact(offsite, { startedAt: hoursAgo(now, 10) });
    const catalog = createCatalog([local, offsite]);
    await catalog.refresh();
    const plans = planTargetRetention({ catalog, targetName: 'shop', target: target({ keepLast: 1 }), now });
    expect(plans.map((group) => [group.storage, group.plan.keep.length, group.plan.delete.length])).toEqual([
      ['local', 1, 3],
      ['offsite', 1, 0],
    ]);
  });

  it('deletes at most maxDeletePerRun per run over all groups, oldest first, and the next run goes on', async () => {
    for (let hour = 0; hour < 8; hour++) {
      await putFakeArtifact(local, { database: 'sales', startedAt: hoursAgo(now, hour) });
      await putFakeArtifact(local, { database: 'crm', startedAt: hoursAgo(now, hour) });
    }
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const input = {
      catalog,
      targetName: 'shop',
      target: target({ keepLast: 1, maxDeletePerRun: 5 }),
      now,
      storages: new Map([['local', local]]),
    };
    const first = await applyTargetRetention(input);
    expect(first.flatMap((group) => group.deleted)).toHaveLength(5);
    expect(first.flatMap((group) => group.plan.deferred)).toHaveLength(9);
    const second = await applyTargetRetention(input);
    expect(second.flatMap((group) => group.deleted)).toHaveLength(5);
    const third = await applyTargetRetention(input);
    expect(third.flatMap((group) => group.deleted)).toHaveLength(4);
    expect(catalog.list({ target: 'shop' })).toHaveLength(2);
  });

  it('does nothing without a policy', async () => {
    await putFakeArtifact(local, { startedAt: now });
    const catalog = createCatalog([local]);
    await catalog.refresh();
    const noPolicy = targetSchema.parse({
      engine: 'mariadb',
      user: 'u',
      databases: ['sales'],
      destinations: ['local'],
    });
    expect(planTargetRetention({ catalog, targetName: 'shop', target: noPolicy, now })).toEqual([]);
  });
});
