import type { Manifest } from '../manifest/manifest-schema.ts';

/** One line of the audit log: who did what to what, and whether it worked. */
export interface AuditEntry {
  readonly seq: number;
  readonly time: string;
  readonly action: string;
  readonly actor: string;
  readonly via: string;
  readonly address?: string;
  readonly outcome: 'ok' | 'denied' | 'failed';
  readonly target?: string;
  readonly artifactId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An artifact as the API lists it: its manifest, where it is, and whether it is pinned. */
export interface ArtifactSummary {
  readonly manifest: Manifest;
  readonly storages: readonly string[];
  readonly pinned: boolean;
  /** A verification result exists (artifacts.verification has it). */
  readonly verified: boolean;
}

/** What the current caller may do: the console shows only the actions allowed. */
export interface Permissions {
  readonly view: boolean;
  readonly download: boolean;
  readonly runBackup: boolean;
  readonly cancelRun: boolean;
  readonly deleteArtifact: boolean;
  readonly pin: boolean;
  readonly applyRetention: boolean;
  readonly restore: boolean;
  readonly verify: boolean;
  readonly sandbox: boolean;
  readonly reloadConfig: boolean;
  readonly readAudit: boolean;
}
