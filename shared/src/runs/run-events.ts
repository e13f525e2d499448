/** What a backup run reports while it works: for the CLI progress line, the API and the UI. */
export type RunPhase = 'connect' | 'dump' | 'commit' | 'succeeded' | 'failed';

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
}
