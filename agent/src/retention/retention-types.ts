import type { RetentionPolicy } from '@port-yard/shared';

/** One succeeded artifact of ONE target. Failed runs leave no artifact and never reach the planner. */
export interface RetentionArtifact {
  readonly id: string;
  /** A Date, or an ISO 8601 time with `Z` or an offset (a time without one would depend on the host). */
  readonly startedAt: Date | string;
  /** When given, every artifact must name the same target: retention never crosses targets. */
  readonly target?: string;
}

/** A policy as written (maxDeletePerRun may be left out) or as the schema returns it. */
export type RetentionPolicyInput = Omit<RetentionPolicy, 'maxDeletePerRun'> & {
  readonly maxDeletePerRun?: number;
};

export interface PlanRetentionInput {
  readonly artifacts: readonly RetentionArtifact[];
  readonly policy: RetentionPolicyInput;
  /** The target's IANA time zone, for calendar buckets and windows (`1d` and longer). */
  readonly timeZone: string;
  /** Injected clock: only used to recognise artifacts dated in the future. */
  readonly now: Date;
  /** Ids that are always kept (ids not among the artifacts are ignored). */
  readonly pins?: Iterable<string>;
  /**
   * Ids kept for a reason of their own, with that reason (a recent safety backup: `safety backup,
   * kept 7d`). Like pins, but the reason says why; ids not among the artifacts are ignored.
   */
  readonly holds?: ReadonlyMap<string, string>;
}

export interface RetentionDecision {
  readonly id: string;
  /**
   * Every reason, in a stable order: future/newest, keepLast, pinned, a hold, then tiers in order.
   * Deletions share frozen arrays with their neighbours: copy before changing one.
   */
  readonly reasons: readonly string[];
}

/**
 * Every artifact lands in exactly one list, each sorted newest first (ties: id in string order).
 * `delete` is what this run may delete (at most maxDeletePerRun, the OLDEST candidates);
 * `deferred` are further candidates left for a later run.
 */
export interface RetentionPlan {
  readonly keep: RetentionDecision[];
  readonly delete: RetentionDecision[];
  readonly deferred: RetentionDecision[];
  /** The newest artifact not in the future, as an ISO time; windows are measured back from it. */
  readonly anchor?: string;
}
