import { describe, expect, it } from 'vitest';
import type { Manifest, TargetConfig } from '@port-yard/shared';
import type { Catalog } from '../catalog/catalog.ts';
import { createRunRegistry } from '../runs/run-registry.ts';
import { targetStatus } from './target-status.ts';

const now = new Date('2026-11-27T12:00:00Z');

/** A catalog of `shop` whose artifacts started at these times, newest first as the catalog lists. */
function catalogOf(...startedAt: string[]): Catalog {
  const entries = startedAt
    .sort()
    .reverse()
    .map((at, index) => ({
      manifest: { artifactId: `a${index}`, startedAt: at } as Manifest,
      locations: [],
    }));
  return { list: () => entries } as unknown as Catalog;
}

const status = (catalog: Catalog) =>
  targetStatus({
    name: 'shop',
    target: { engine: 'postgres', maxAge: '2h' } as TargetConfig,
    catalog,
    registry: createRunRegistry(),
    startedAt: now,
    now,
  });

describe('targetStatus', () => {
  it('is stale when the newest artifact is older than maxAge', () => {
    expect(status(catalogOf('2026-11-27T11:00:00Z'))).toMatchObject({ stale: false });
    expect(status(catalogOf('2026-11-27T09:00:00Z'))).toMatchObject({ stale: true });
  });

  // Made while the clock ran a year ahead, corrected since: it must not stand for "backed up
  // now" for a year, hiding that nothing newer is made.
  it('does not take an artifact dated in the future as the newest', () => {
    expect(status(catalogOf('2026-11-20T12:00:00Z', '2027-11-27T12:00:00Z'))).toMatchObject({
      stale: true,
      lastSuccessAt: '2026-11-20T12:00:00Z',
    });
  });
});
