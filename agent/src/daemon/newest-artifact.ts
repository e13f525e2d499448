import type { Manifest } from '@port-yard/shared';
import type { Catalog } from '../catalog/catalog.ts';

/**
 * A target's newest artifact that is not dated in the future. One made while the clock ran ahead
 * (corrected since) would otherwise count as the newest for as long as the clock was off: no
 * staleness, no catch-up, while nothing newer is made. Retention keeps such artifacts, and does
 * not take them as its anchor either.
 */
export function newestNotInFuture(
  catalog: Pick<Catalog, 'list'>,
  target: string,
  now: Date,
): Manifest | undefined {
  return catalog.list({ target }).find((entry) => Date.parse(entry.manifest.startedAt) <= now.getTime())
    ?.manifest;
}
