import type { RunRecord, SandboxSummary, TargetStatus, VerificationResult } from '@port-yard/shared';
import { durationMs } from '@port-yard/shared';
import type { ActiveAlert } from './alert-tracker.ts';
import { createNotification, type Notification } from './notification.ts';

// The notification of each event, built from what the agent already records (run records,
// target status, verification results, sandbox summaries). Pure apart from the id.

/** How a reminder says how long it has been going on: " (still failing: 5 times since ...)". */
function repeat(alert: ActiveAlert & { readonly reminder: boolean }): string {
  return alert.reminder ? ` (still failing: ${alert.count} times since ${alert.since.toISOString()})` : '';
}

/** Destinations that did not get an artifact of the run, with their errors. */
function failedDestinations(run: RunRecord): { database: string; storage: string; error: string }[] {
  return (run.result?.artifacts ?? []).flatMap((artifact) =>
    artifact.destinations
      .filter((destination) => !destination.committed)
      .map((destination) => ({
        database: artifact.database,
        storage: destination.storage,
        error: destination.error ?? 'not committed',
      })),
  );
}

export function backupFailed(
  run: RunRecord,
  alert: ActiveAlert & { readonly reminder: boolean },
  now: Date,
): Notification {
  const failures = run.result?.failures ?? [];
  return createNotification(
    {
      event: 'backup.failed',
      target: run.target,
      severity: 'error',
      title: `Backup of ${run.target} failed${alert.reminder ? ' again' : ''}`,
      message: (run.message ?? 'the backup failed') + repeat(alert),
      reminder: alert.reminder,
      details: {
        runId: run.id,
        trigger: run.trigger,
        failedDatabases: failures.map((failure) => failure.database).join(', ') || undefined,
        errorCode: failures[0]?.code,
        phase: failures[0]?.phase,
        failingSince: alert.since.toISOString(),
        failedRuns: alert.count,
      },
    },
    now,
  );
}

export function destinationFailed(
  run: RunRecord,
  alert: ActiveAlert & { readonly reminder: boolean },
  now: Date,
): Notification {
  const failed = failedDestinations(run);
  const lines = failed.map((failure) => `${failure.database} → ${failure.storage}: ${failure.error}`);
  return createNotification(
    {
      event: 'destination.failed',
      target: run.target,
      severity: 'warning',
      title: `Backup of ${run.target} is partial: a destination failed`,
      message: (lines.join('\n') || (run.message ?? 'a destination failed')) + repeat(alert),
      reminder: alert.reminder,
      details: {
        runId: run.id,
        trigger: run.trigger,
        failedDestinations: [...new Set(failed.map((failure) => failure.storage))].join(', '),
        failingSince: alert.since.toISOString(),
        failedRuns: alert.count,
      },
    },
    now,
  );
}

export function backupRecovered(run: RunRecord, ended: ActiveAlert, now: Date): Notification {
  const what = ended.kind === 'destination.failed' ? 'partial' : 'failed';
  return createNotification(
    {
      event: 'backup.recovered',
      target: run.target,
      severity: 'ok',
      title: `Backup of ${run.target} recovered`,
      message: `${run.status === 'skipped' ? 'The target was reached again (unchanged, skipped)' : 'The backup succeeded again'} after ${ended.count} ${what} run${ended.count === 1 ? '' : 's'} since ${ended.since.toISOString()}.`,
      details: {
        runId: run.id,
        trigger: run.trigger,
        artifacts: run.result?.artifacts.length,
        failingSince: ended.since.toISOString(),
        failedRuns: ended.count,
      },
    },
    now,
  );
}

/**
 * When the target went stale: its newest backup's time plus `maxAge`. (The check runs once a
 * minute, so when it noticed is up to a minute later.) Unknown without a backup.
 */
function staleSince(status: TargetStatus): string | undefined {
  const maxAge = durationMs(status.maxAge);
  if (!status.lastSuccessAt || maxAge === undefined) return undefined;
  return new Date(Date.parse(status.lastSuccessAt) + maxAge).toISOString();
}

export function targetStale(
  status: TargetStatus,
  alert: ActiveAlert & { readonly reminder: boolean },
  now: Date,
): Notification {
  const last = status.lastSuccessAt ? `since ${status.lastSuccessAt}` : 'yet';
  return createNotification(
    {
      event: 'target.stale',
      target: status.name,
      severity: 'error',
      title: `${status.name} is stale: no backup within ${status.maxAge}`,
      message:
        `No successful backup of ${status.name} ${last} (maxAge ${status.maxAge}).` +
        (status.lastFailureMessage ? ` Last failure: ${status.lastFailureMessage}` : ''),
      reminder: alert.reminder,
      details: {
        maxAge: status.maxAge,
        lastSuccessAt: status.lastSuccessAt,
        lastFailureAt: status.lastFailureAt,
        staleSince: staleSince(status) ?? alert.since.toISOString(),
      },
    },
    now,
  );
}

/** A verification that failed (`result`) or could not run (`error`). */
export function verificationFailed(
  subject: { readonly target: string; readonly artifactId: string; readonly database?: string },
  outcome: { readonly result?: VerificationResult; readonly error?: Error },
  alert: ActiveAlert & { readonly reminder: boolean },
  now: Date,
): Notification {
  const { result, error } = outcome;
  const why = result
    ? result.problems.join('\n') || 'the verification failed'
    : `could not run: ${error?.message}`;
  return createNotification(
    {
      event: 'verification.failed',
      target: subject.target,
      severity: 'error',
      title: `Restore verification of ${subject.target} failed`,
      message: why + repeat(alert),
      reminder: alert.reminder,
      details: {
        artifactId: subject.artifactId,
        database: subject.database,
        server: result?.server,
        errorCode: result?.error?.code ?? (error as { code?: string } | undefined)?.code,
        failingSince: alert.since.toISOString(),
        failedVerifications: alert.count,
      },
    },
    now,
  );
}

export function restorePerformed(run: RunRecord, now: Date): Notification {
  const restore = run.restore;
  const into = restore ? ` into ${restore.database}` : '';
  const outcome = run.status === 'succeeded' ? 'done' : run.status;
  return createNotification(
    {
      event: 'restore.performed',
      target: run.target,
      severity: run.status === 'succeeded' ? 'info' : 'error',
      title: `Restore of ${run.target}${into}: ${outcome}`,
      message: run.message ?? `the restore ended: ${run.status}`,
      details: {
        runId: run.id,
        status: run.status,
        artifactId: restore?.artifactId,
        database: restore?.database,
        mode: restore?.mode,
        safetyArtifactId: restore?.safetyArtifactId,
        requestedBy: restore?.requestedBy,
      },
    },
    now,
  );
}

/** Sandbox events: never the password or URI, only the summary. */
export function sandboxEvent(
  event: 'sandbox.created' | 'sandbox.expired',
  sandbox: SandboxSummary,
  now: Date,
): Notification {
  const created = event === 'sandbox.created';
  return createNotification(
    {
      event,
      target: sandbox.target,
      severity: 'info',
      title: created
        ? `Sandbox ${sandbox.id} of ${sandbox.target} created`
        : `Sandbox ${sandbox.id} of ${sandbox.target} expired and was dropped`,
      message: created
        ? `${sandbox.createdBy} deployed ${sandbox.artifactId} on ${sandbox.server}; it expires at ${sandbox.expiresAt}.`
        : `The sandbox on ${sandbox.server} (created by ${sandbox.createdBy}) reached its expiry time ${sandbox.expiresAt}.`,
      details: {
        sandbox: sandbox.id,
        server: sandbox.server,
        artifactId: sandbox.artifactId,
        database: sandbox.database,
        user: sandbox.user,
        host: sandbox.host,
        port: sandbox.port,
        createdBy: sandbox.createdBy,
        expiresAt: sandbox.expiresAt,
      },
    },
    now,
  );
}

export function testNotification(channel: string, now: Date): Notification {
  return createNotification(
    {
      event: 'test',
      target: null,
      severity: 'info',
      title: 'Port-Yard test notification',
      message: `If you can read this, the notification channel ${channel} works.`,
      details: { channel },
    },
    now,
  );
}
