import { parseDuration } from '@port-yard/shared';
import type { RetentionTier } from '@port-yard/shared';
import { createBucketer } from './bucket-key.ts';
import type { SortedArtifacts } from './check-plan-input.ts';
import { windowStart } from './window-start.ts';
import type { ZoneClock } from './zone-clock.ts';

export interface TierOutcome {
  /** The window holds the first `size` artifacts (a prefix: they are sorted newest first). */
  readonly size: number;
  /** Per index below `size`: 1 when the artifact is its bucket's newest, so the tier keeps it. */
  readonly kept: Uint8Array;
  /** Per index below `size`: why it is kept, or by which artifact it is superseded. */
  readonly reasons: readonly string[];
}

interface Bucket {
  readonly keep: string;
  readonly superseded: string;
}

/**
 * One tier "keep 1 per `every` for `for`": every artifact in the window `(anchor − for, anchor]`
 * is either the NEWEST of its bucket (kept) or superseded by that one. Reason strings are built
 * once per bucket and shared, which keeps 100,000 artifacts cheap.
 */
export function applyTier(
  past: SortedArtifacts,
  tier: RetentionTier,
  context: { readonly index: number; readonly clock: ZoneClock },
): TierOutcome {
  const every = parseDuration(tier.every);
  const span = parseDuration(tier.for);
  const { ids, ms } = past;
  if (!every || !span || ms.length === 0) return { size: 0, kept: new Uint8Array(0), reasons: [] };

  const start = windowStart(ms[0]!, span, context.clock);
  let size = 0;
  while (size < ms.length && ms[size]! > start) size += 1;

  const bucketer = createBucketer(every, context.clock);
  const name = `(tier ${context.index + 1}: ${tier.every} for ${tier.for})`;
  const kept = new Uint8Array(size);
  const reasons = new Array<string>(size);
  // Keys fall as time goes back, but a local clock can step back across midnight, so a bucket
  // may recur after another: the map remembers them all, the last key is the fast path.
  const buckets = new Map<number, Bucket>();
  let lastKey = Number.NaN;
  let last: Bucket = { keep: '', superseded: '' };
  for (let i = 0; i < size; i += 1) {
    const key = bucketer.keyOf(ms[i]!);
    if (key !== lastKey) {
      const known = buckets.get(key);
      lastKey = key;
      if (known) {
        last = known;
      } else {
        const label = `${tier.every} bucket ${bucketer.label(key)}`;
        last = { keep: `${label} ${name}`, superseded: `superseded in ${label} by ${ids[i]} ${name}` };
        buckets.set(key, last);
        kept[i] = 1;
        reasons[i] = last.keep;
        continue;
      }
    }
    reasons[i] = last.superseded;
  }
  return { size, kept, reasons };
}
