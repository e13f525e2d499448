import { PortYardError } from '@port-yard/shared';
import { applyTier } from './apply-tier.ts';
import { checkPolicy, isTimeZone, sortArtifacts } from './check-plan-input.ts';
import { decideArtifacts } from './decide-artifacts.ts';
import { instantOf } from './parse-instant.ts';
import type { PlanRetentionInput, RetentionPlan } from './retention-types.ts';
import { createZoneClock } from './zone-clock.ts';

/**
 * Decides, for ONE target's succeeded artifacts, which to keep and which to delete, with every
 * reason (DESIGN §5; the semantics in plain words are in ./README.md). Pure: no IO, and `now`
 * is injected. Throws PortYardError INVALID_INPUT for an empty or invalid policy, an unknown
 * time zone, a bad time, a repeated id, or artifacts of more than one target.
 *
 * Safety: artifacts dated after `now` are kept and ignored otherwise (a clock far ahead must not
 * become the anchor and age everything out); the newest artifact is always kept; deletions are
 * capped at maxDeletePerRun, oldest first, the rest `deferred`. Planning again after the deletes
 * are applied deletes nothing more (except what was deferred).
 */
export function planRetention(input: PlanRetentionInput): RetentionPlan {
  const policy = checkPolicy(input.policy);
  if (!isTimeZone(input.timeZone)) {
    throw new PortYardError('INVALID_INPUT', `"${input.timeZone}" is not an IANA time zone`);
  }
  const nowMs = instantOf(input.now);
  if (nowMs === undefined) throw new PortYardError('INVALID_INPUT', 'now must be a valid Date');
  const sorted = sortArtifacts(input.artifacts);
  const pins = new Set(input.pins ?? []);

  let futureCount = 0;
  while (futureCount < sorted.ms.length && sorted.ms[futureCount]! > nowMs) futureCount += 1;
  const past = { ids: sorted.ids.slice(futureCount), ms: sorted.ms.subarray(futureCount) };
  const clock = createZoneClock(input.timeZone);
  const tiers = (policy.tiers ?? []).map((tier, index) => applyTier(past, tier, { index, clock }));
  const keepLast = policy.keepLast ?? 0;

  const holds = input.holds ?? new Map<string, string>();
  const { keep, candidates } = decideArtifacts({
    ids: sorted.ids,
    futureCount,
    keepLast,
    pins,
    holds,
    tiers,
  });

  // Candidates are newest first: the OLDEST are deleted now, the newer ones wait for a later run.
  const cap = policy.maxDeletePerRun;
  const deferred = candidates.slice(0, Math.max(0, candidates.length - cap));
  const deferral = `deferred: over maxDeletePerRun ${cap}`;
  let base: readonly string[] = [];
  let withDeferral: readonly string[] = [];
  for (const candidate of deferred) {
    // Reason arrays are shared by neighbours, so their deferred versions can be shared too.
    if (candidate.reasons !== base) {
      base = candidate.reasons;
      withDeferral = Object.freeze([...base, deferral]);
    }
    candidate.reasons = withDeferral;
  }
  const plan: RetentionPlan = { keep, delete: candidates.slice(deferred.length), deferred };
  const anchor = past.ms[0];
  return anchor === undefined ? plan : { ...plan, anchor: new Date(anchor).toISOString() };
}
