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
  /** The newest verification passed (artifacts.verification has its details). */
  readonly verified: boolean;
  /** The newest verification failed: the artifact did not restore, or did not match its manifest. */
  readonly verificationFailed: boolean;
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

/**
 * A developer sandbox as the API and CLI list it: never its password. `id`, `database` and `user`
 * are the same name (`py_sbx_<10 hex>`); `host`/`port` are where developers connect
 * (`publicHost`/`publicPort` of the test server, else its own address).
 */
export interface SandboxSummary {
  readonly id: string;
  /** The test server (a `testServers` name) it lives on. */
  readonly server: string;
  readonly target: string;
  readonly artifactId: string;
  readonly database: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly createdBy: string;
  /**
   * `creating` while it is restored, `ready` once its credentials were issued, `dropping` while
   * it goes; `dropped` only in the answer to destroying it, once it is gone.
   */
  readonly status: 'creating' | 'ready' | 'dropping' | 'dropped';
}

/** The answer to creating a sandbox: the only place its password ever appears. */
export interface SandboxCredentials extends SandboxSummary {
  readonly password: string;
  /** `mysql://` or `postgresql://` URI with the user and password percent-encoded. */
  readonly uri: string;
}

/** Sandboxes on every test server a target's `sandbox.server` names; unreachable servers as problems. */
export interface SandboxList {
  readonly items: readonly SandboxSummary[];
  readonly problems: readonly { readonly server: string; readonly message: string }[];
}

/** What one expiry pass dropped: expired sandboxes, and leftovers without a registry row. */
export interface ExpiredSandboxes {
  readonly dropped: readonly SandboxSummary[];
  /** `py_sbx_` databases and users that had no registry row, as `<server>/<name>`. */
  readonly orphans: readonly string[];
  readonly problems: readonly { readonly server: string; readonly message: string }[];
}

/**
 * A sign-in session presented as `Authorization: Bearer pys_…` (the desktop app's OIDC sign-in),
 * never a configured API token: the agent ends it at logout, the desktop app when it forgets the
 * agent.
 */
export const sessionTokenPrefix = 'pys_';
