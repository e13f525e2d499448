import { PortYardError, retentionSchema } from '@port-yard/shared';
import type { RetentionPolicy } from '@port-yard/shared';
import { formatConfigPath } from '../config/config-path.ts';
import { findRepeatedId } from './find-repeated-id.ts';
import { instantOf } from './parse-instant.ts';
import type { RetentionArtifact, RetentionPolicyInput } from './retention-types.ts';

/** Artifacts reduced to what planning needs, newest first, as parallel arrays (no object each). */
export interface SortedArtifacts {
  readonly ids: readonly string[];
  /** startedAt in epoch ms */
  readonly ms: Float64Array;
}

/**
 * The policy validated whole by the shared schema, even when the caller already did: the planner
 * is the last line before deletion, and an empty policy must never mean "delete everything".
 */
export function checkPolicy(policy: RetentionPolicyInput): RetentionPolicy {
  const result = retentionSchema.safeParse(policy);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = formatConfigPath(issue.path);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new PortYardError('INVALID_INPUT', `retention policy: ${problems.join('; ')}`);
}

/**
 * Artifacts newest first; ties (equal startedAt) by id ascending, so "the newest of a bucket" is
 * deterministic. Rejects what would make the plan ambiguous: a missing or repeated id, a bad
 * time, and artifacts of more than one target. Input already in time order (either way, as a
 * catalog lists it) is not sorted again.
 */
export function sortArtifacts(artifacts: readonly RetentionArtifact[]): SortedArtifacts {
  const count = artifacts.length;
  const target = artifacts[0]?.target;
  const ids = new Array<string>(count);
  const ms = new Float64Array(count);
  let newestFirst = true;
  let oldestFirst = true;
  for (let index = 0; index < count; index += 1) {
    const artifact = artifacts[index]!;
    const { id } = artifact;
    if (typeof id !== 'string' || id === '') fail(`artifact [${index}]: id must be a non-empty string`);
    if (artifact.target !== target) {
      fail(
        `artifacts of targets "${target}" and "${artifact.target}" in one plan: retention never crosses targets`,
      );
    }
    const time = instantOf(artifact.startedAt);
    if (time === undefined)
      fail(`artifact "${id}": startedAt must be a Date or an ISO 8601 time with a zone`);
    ids[index] = id;
    ms[index] = time;
    if (index > 0) {
      newestFirst &&= ms[index - 1]! > time;
      oldestFirst &&= ms[index - 1]! < time;
    }
  }
  const repeated = findRepeatedId(ids);
  if (repeated !== undefined) fail(`artifact "${repeated}" is listed twice`);
  if (newestFirst) return { ids, ms };
  if (oldestFirst) return { ids: ids.reverse(), ms: ms.reverse() };
  const order = Array.from({ length: count }, (_, index) => index);
  order.sort((a, b) => ms[b]! - ms[a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  return { ids: order.map((index) => ids[index]!), ms: Float64Array.from(order, (index) => ms[index]!) };
}

/** Whether Intl knows the zone (the config schema checks the same way). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function fail(message: string): never {
  throw new PortYardError('INVALID_INPUT', message);
}
