import type { EngineName } from '../config/config-schema.ts';
import type { RunRecord } from './run-events.ts';

/** What a console shows per target at a glance. */
export interface TargetStatus {
  readonly name: string;
  readonly engine: EngineName;
  readonly schedule?: string;
  readonly timezone: string;
  readonly nextRunAt?: string;
  /** The newest artifact in any storage (succeeded or partial). */
  readonly lastSuccessAt?: string;
  readonly lastArtifactId?: string;
  readonly lastFailureAt?: string;
  readonly lastFailureMessage?: string;
  readonly failuresSinceStartup: number;
  readonly maxAge?: string;
  /** The newest artifact is older than `maxAge` (or there is none and the agent has run that long). */
  readonly stale: boolean;
  readonly running?: RunRecord;
}
