import type { TierOutcome } from './apply-tier.ts';
import type { RetentionDecision } from './retention-types.ts';

export interface DecideContext {
  /** All ids, newest first; the first `futureCount` are dated after now. */
  readonly ids: readonly string[];
  readonly futureCount: number;
  readonly keepLast: number;
  readonly pins: ReadonlySet<string>;
  /** Ids kept for a reason of their own, with that reason. */
  readonly holds: ReadonlyMap<string, string>;
  /** Tier outcomes, indexed by position among the artifacts that are not in the future. */
  readonly tiers: readonly TierOutcome[];
}

/** A deletion candidate; `reasons` is replaced when the candidate is deferred. */
export interface Candidate {
  readonly id: string;
  reasons: readonly string[];
}

/**
 * Every artifact's decision: kept when anything keeps it (the future, newest, keepLast, a pin,
 * a hold, a tier), otherwise a candidate for deletion with the reasons of every tier that superseded
 * it. Neighbouring candidates are superseded in the same buckets and share one frozen reasons
 * array: 100,000 deletions then need a few hundred arrays, not 100,000 (GC dominated planning).
 */
export function decideArtifacts(context: DecideContext): {
  keep: RetentionDecision[];
  candidates: Candidate[];
} {
  const { ids, futureCount, keepLast, pins, holds, tiers } = context;
  const nothing = tiers.length > 0 ? 'outside every tier' : `not among the newest ${keepLast} (keepLast)`;
  const outside: readonly string[] = Object.freeze([nothing]);
  const keep: RetentionDecision[] = [];
  const candidates: Candidate[] = [];
  let shared = outside;
  for (let index = 0; index < ids.length; index += 1) {
    const id = ids[index]!;
    const position = index - futureCount; // among the artifacts not in the future
    const pinned = pins.size > 0 && pins.has(id);
    const hold = holds.size > 0 ? holds.get(id) : undefined;
    if (position < 1 || position < keepLast || pinned || hold !== undefined || keptByTier(tiers, position)) {
      keep.push({ id, reasons: keepReasons(context, position, pinned, hold) });
      continue;
    }
    if (!sameSuperseded(shared, outside, tiers, position))
      shared = supersededReasons(outside, tiers, position);
    candidates.push({ id, reasons: shared });
  }
  return { keep, candidates };
}

function keptByTier(tiers: readonly TierOutcome[], position: number): boolean {
  for (const tier of tiers) if (tier.kept[position] === 1) return true;
  return false;
}

function keepReasons(
  context: DecideContext,
  position: number,
  pinned: boolean,
  hold: string | undefined,
): string[] {
  const reasons: string[] = [];
  if (position < 0) reasons.push('in the future');
  if (position === 0) reasons.push('newest');
  if (position >= 0 && position < context.keepLast) reasons.push(`keepLast ${context.keepLast}`);
  if (pinned) reasons.push('pinned');
  if (hold !== undefined) reasons.push(hold);
  for (const tier of context.tiers)
    if (position >= 0 && tier.kept[position] === 1) reasons.push(tier.reasons[position]!);
  return reasons;
}

/** Whether `shared` already lists exactly the tiers' reasons at `position`. */
function sameSuperseded(
  shared: readonly string[],
  outside: readonly string[],
  tiers: readonly TierOutcome[],
  position: number,
): boolean {
  let count = 0;
  for (const tier of tiers) {
    if (position >= tier.size) continue;
    if (shared[count] !== tier.reasons[position]) return false;
    count += 1;
  }
  return count === 0 ? shared === outside : count === shared.length;
}

function supersededReasons(
  outside: readonly string[],
  tiers: readonly TierOutcome[],
  position: number,
): readonly string[] {
  const reasons: string[] = [];
  for (const tier of tiers) if (position < tier.size) reasons.push(tier.reasons[position]!);
  return reasons.length === 0 ? outside : Object.freeze(reasons);
}
