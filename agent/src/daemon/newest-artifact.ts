import type { Manifest } from '@port-yard/shared';
import type { Catalog, CatalogEntry, CatalogFilter } from '../catalog/catalog.ts';

/**
 * The newest artifact (of a target, or of one of its databases) that is not dated in the future.
 * One made while the clock ran ahead (corrected since) would otherwise count as the newest for as
 * long as the clock was off: no staleness, no catch-up, every run skipped as unchanged, while
 * nothing newer is made. Retention keeps such artifacts, and does not take them as its anchor.
 */
export function newestEntryNotInFuture(
  catalog: Pick<Catalog, 'list'>,
  filter: CatalogFilter,
  now: Date,
): CatalogEntry | undefined {
  return catalog.list(filter).find((entry) => Date.parse(entry.manifest.startedAt) <= now.getTime());
}

export function newestNotInFuture(
  catalog: Pick<Catalog, 'list'>,
  target: string,
  now: Date,
): Manifest | undefined {
  return newestEntryNotInFuture(catalog, { target }, now)?.manifest;
}
