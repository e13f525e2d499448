import { PortYardError } from '@port-yard/shared';
import { isTimeZone } from './check-plan-input.ts';
import { parseArtifactsText } from './parse-artifacts-text.ts';
import { instantOf } from './parse-instant.ts';
import { parsePolicyText } from './parse-policy-text.ts';
import { planRetention } from './plan-retention.ts';

export interface SimulateRetentionInput {
  /** The policy file's text (YAML or JSON) and its name as the user gave it (for messages). */
  readonly policy: { readonly text: string; readonly file: string };
  /** The artifacts file's text (a JSON array of {id, startedAt}) and its name. */
  readonly artifacts: { readonly text: string; readonly file: string };
  /** Injected; the CLI passes `--now` or the current time. Only marks artifacts in the future. */
  readonly now: Date | string;
  /** IANA zone for calendar buckets (`1d` and longer); default UTC. */
  readonly timeZone?: string;
  readonly pins?: readonly string[];
}

/** The public output of `port-yard retention simulate --json` (newest first in both lists). */
export interface RetentionSimulation {
  keep: { id: string; reasons: string[] }[];
  delete: { id: string }[];
}

/**
 * Plans retention over given timestamps without touching any storage. `delete` lists
 * everything the policy removes, however many runs that takes: maxDeletePerRun only paces real
 * runs, so what a run would defer is listed here too. Invalid input throws PortYardError
 * INVALID_INPUT whose message names the file (or option) and the field.
 */
export function simulateRetention(input: SimulateRetentionInput): RetentionSimulation {
  const policy = parsePolicyText(input.policy.text, input.policy.file);
  const artifacts = parseArtifactsText(input.artifacts.text, input.artifacts.file);
  const nowMs = instantOf(input.now);
  if (nowMs === undefined) {
    throw new PortYardError('INVALID_INPUT', '--now: must be an ISO 8601 time with Z or an offset');
  }
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) {
    throw new PortYardError('INVALID_INPUT', `--tz: "${timeZone}" is not an IANA time zone`);
  }
  const plan = planRetention({ artifacts, policy, timeZone, now: new Date(nowMs), pins: input.pins ?? [] });
  return {
    keep: plan.keep.map(({ id, reasons }) => ({ id, reasons: [...reasons] })),
    // Deferred candidates are the newer ones, so this keeps the list newest first.
    delete: [...plan.deferred, ...plan.delete].map(({ id }) => ({ id })),
  };
}
