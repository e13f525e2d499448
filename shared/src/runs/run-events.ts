/**
 * What a run reports while it works: for the CLI progress line, the API and the UI. Backups go
 * connect → dump → commit; restores go stage (download, check, decompress to a local file) →
 * safety-backup → restore → swap (PostgreSQL: the restored copy takes the database's name).
 */
export type RunPhase =
  'connect' | 'dump' | 'commit' | 'stage' | 'safety-backup' | 'restore' | 'swap' | 'succeeded' | 'failed';

export interface RunProgress {
  readonly target: string;
  readonly database: string;
  readonly phase: RunPhase;
  /** Bytes read from the dump tool so far. */
  readonly rawBytes: number;
  /** Bytes written to storage so far (after compression). */
  readonly storedBytes: number;
  /** Raw bytes per second over the run so far. */
  readonly bytesPerSecond: number;
  readonly elapsedMs: number;
  /** Raw bytes the previous backup of this database had: the expected size, for a progress bar. */
  readonly expectedRawBytes?: number;
  /** Seconds left at the current rate, if there is a previous backup to compare with. */
  readonly etaSeconds?: number;
  /** Restores: the artifact's stored size, the total of `storedBytes` (bytes read so far). */
  readonly totalStoredBytes?: number;
}

/** Why one database of a run failed: a shared error code, the phase, and the tool's stderr tail. */
export interface RunFailure {
  readonly database: string;
  readonly code: string;
  readonly phase?: string;
  readonly message: string;
  readonly stderrTail?: string;
}

/** The outcome of one backup run of a target (one artifact per database). */
export interface BackupRunResult {
  readonly runId: string;
  readonly target: string;
  /**
   * partial: every database has an artifact, but at least one destination failed.
   * skipped: every database was unchanged since its newest artifact.
   */
  readonly status: 'succeeded' | 'partial' | 'skipped' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly artifacts: readonly {
    readonly id: string;
    readonly database: string;
    readonly rawBytes: number;
    readonly storedBytes: number;
    readonly sha256: string;
    /** What the dump left out for lack of a privilege (the artifact's `port-yard.incomplete` label). */
    readonly incomplete?: string;
    readonly destinations: readonly {
      readonly storage: string;
      readonly committed: boolean;
      readonly error?: string;
    }[];
  }[];
  /** Databases not backed up because nothing changed since the artifact `since`. */
  readonly skipped: readonly { readonly database: string; readonly since: string }[];
  readonly failures: readonly RunFailure[];
  /** What the run did not fail on but a user should know: an `exclude` that names no database. */
  readonly warnings?: readonly string[];
}

export type RunTrigger = 'schedule' | 'manual' | 'catch-up';

/**
 * A run's life: queued → running → one outcome. `refused`: not started because the target's
 * previous run was still going. `skipped`: nothing changed since the newest artifact.
 */
export type RunStatus =
  'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'cancelled' | 'refused';

/** What a restore run restores where, and how it ended. */
export interface RestoreRunInfo {
  readonly artifactId: string;
  /** The database restored into. */
  readonly database: string;
  /** replace: an existing database is replaced; new: a new database is created. */
  readonly mode: 'replace' | 'new';
  /** The backup of the replaced database taken first, if any. */
  readonly safetyArtifactId?: string;
  readonly warnings: readonly string[];
  /** Who asked for it. */
  readonly requestedBy?: string;
}

export type RunKind = 'backup' | 'restore';

export interface RunRecord {
  readonly id: string;
  /** backup when absent. */
  readonly kind?: RunKind;
  readonly target: string;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  readonly queuedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Live progress of the database being backed up now. */
  readonly progress?: RunProgress;
  /** Why a run was skipped, refused or cancelled, or its error in one line. */
  readonly message?: string;
  readonly result?: BackupRunResult;
  /** Restore runs: what is restored where. */
  readonly restore?: RestoreRunInfo;
  /** What retention did after the backup: artifacts deleted, deferred (over the cap) and failed. */
  readonly retention?: { readonly deleted: number; readonly deferred: number; readonly failed: number };
  /** With verify.after: each, the verification of the new artifacts: passed, failed, not possible. */
  readonly verification?: { readonly passed: number; readonly failed: number; readonly errors: number };
}

/** One change of one run, numbered so a reconnecting client can resume after the last it saw. */
export interface RunEvent {
  readonly seq: number;
  readonly run: RunRecord;
}
