import type { RunProgress, RunRecord, TargetConfig } from '@port-yard/shared';
import { PortYardError, durationMs, isPortYardError } from '@port-yard/shared';
import { timerDelay } from '../platform/timer-delay.ts';
import type { Agent } from '../main.ts';
import { newestEntryNotInFuture } from './newest-artifact.ts';
import { runMessage } from './run-message.ts';
import { silentLogger, type Logger } from '../platform/logger.ts';
import type { RunRegistry } from '../runs/run-registry.ts';
import {
  logAppliedRetention,
  logRetentionFailure,
  logVerification,
  logVerificationError,
} from './pass-logs.ts';

export interface ExecuteRunDeps {
  readonly agent: () => Agent;
  readonly registry: RunRegistry;
  readonly clock?: () => Date;
  /** Where retention and verification after a backup say what they did, or why they could not run. */
  readonly log?: Logger;
}

/** The timeout of a run as an AbortSignal whose reason is a TIMEOUT PortYardError. */
function timeoutSignal(target: TargetConfig): AbortSignal | undefined {
  const ms = durationMs(target.timeout);
  if (ms === undefined) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new PortYardError(
          'TIMEOUT',
          `the run took longer than its timeout (${target.timeout}) and was stopped`,
        ),
      ),
    // (Uncapped, a timeout of 1mo would stop every run at its start.)
    timerDelay(ms),
  );
  timer.unref();
  controller.signal.addEventListener('abort', () => clearTimeout(timer));
  return controller.signal;
}

/**
 * The "do" of a scheduled or manual run: back up the target (with its timeout and the queue's
 * cancel signal), record progress and the outcome in the registry. Never throws: every outcome,
 * including a crash of our own code, ends as a finished run record.
 */
export async function executeRun(deps: ExecuteRunDeps, run: RunRecord, signal: AbortSignal): Promise<void> {
  const clock = deps.clock ?? (() => new Date());
  const agent = deps.agent();
  const target = agent.config.targets[run.target];
  if (!target) {
    deps.registry.update(run.id, {
      status: 'failed',
      message: `target ${run.target} is no longer in the config`,
      finishedAt: clock().toISOString(),
    });
    return;
  }
  deps.registry.update(run.id, { status: 'running', startedAt: clock().toISOString() });
  const timeout = timeoutSignal(target);
  const combined = timeout ? AbortSignal.any([signal, timeout]) : signal;
  try {
    const result = await agent.backup({
      targetName: run.target,
      runId: run.id,
      signal: combined,
      onProgress: (progress) => deps.registry.update(run.id, { progress: withEta(agent, progress) }),
      skipIfUnchanged: skipPolicy(agent, run, target, clock),
    });
    const reason: unknown = combined.reason;
    // A stop (cancel, timeout) that came after every database was stored changed nothing: the
    // run is what it stored, not a contradiction of "succeeded" with "the run was stopped".
    const stored = result.status === 'succeeded' || result.status === 'skipped';
    const stopped = combined.aborted && !stored && isPortYardError(reason) ? reason : undefined;
    const status = stopped?.code === 'CANCELLED' ? 'cancelled' : result.status;
    const message = runMessage(result, stopped);
    const retention =
      status === 'succeeded' || status === 'partial'
        ? await applyRetention(agent, run.target, deps.log ?? silentLogger)
        : undefined;
    const verification =
      target.verify?.after === 'each' && result.artifacts.length > 0
        ? await verifyNew(
            agent,
            run.target,
            result.artifacts.map((artifact) => artifact.id),
            deps.log ?? silentLogger,
            combined,
          )
        : undefined;
    deps.registry.update(run.id, {
      status,
      message,
      result,
      retention,
      verification,
      finishedAt: clock().toISOString(),
      progress: undefined,
    });
  } catch (error) {
    deps.registry.update(run.id, {
      status: 'failed',
      message: (error as Error).message,
      finishedAt: clock().toISOString(),
      progress: undefined,
    });
  }
}

/** Retention after a backup; its failures are counted and logged, never a reason to fail the backup. */
async function applyRetention(
  agent: Agent,
  targetName: string,
  log: Logger,
): Promise<RunRecord['retention']> {
  if (!agent.config.targets[targetName]?.retention) return undefined;
  try {
    const groups = await agent.applyRetention(targetName);
    logAppliedRetention(log, targetName, groups, 'after-backup');
    let deleted = 0;
    let deferred = 0;
    let failed = 0;
    for (const group of groups) {
      deleted += group.deleted.length;
      deferred += group.plan.deferred.length;
      failed += group.failed.length;
    }
    return { deleted, deferred, failed };
  } catch (error) {
    logRetentionFailure(log, targetName, error, 'after-backup');
    return { deleted: 0, deferred: 0, failed: 1 };
  }
}

/**
 * Scheduled runs of a target with skipIfUnchanged compare fingerprints with its newest backup; a
 * manual run always backs up.
 */
function skipPolicy(agent: Agent, run: RunRecord, target: TargetConfig, now: () => Date) {
  if (run.trigger === 'manual' || !target.skipIfUnchanged) return undefined;
  return {
    // A newest backup that failed its verification is no base to skip on: back up again.
    newest: (database: string) => {
      const entry = newestEntryNotInFuture(agent.catalog, { target: run.target, database }, now());
      if (!entry || entry.locations.some((location) => location.verificationOk === false)) return undefined;
      return { manifest: entry.manifest, storages: entry.locations.map((location) => location.storage) };
    },
    maxSkipAgeMs: durationMs(target.maxSkipAge),
  };
}

/** Progress with the expected size and ETA taken from the previous artifact of the same database. */
function withEta(agent: Agent, progress: RunProgress): RunProgress {
  const previous = agent.catalog.list({ target: progress.target, database: progress.database })[0]?.manifest;
  if (!previous || previous.rawBytes === 0) return progress;
  const left = Math.max(0, previous.rawBytes - progress.rawBytes);
  const etaSeconds = progress.bytesPerSecond > 0 ? Math.round(left / progress.bytesPerSecond) : undefined;
  return { ...progress, expectedRawBytes: previous.rawBytes, etaSeconds };
}

/**
 * Verifies each new artifact on the target's test server; a failed verification never fails the
 * run. Each outcome is counted in the run and logged.
 */
async function verifyNew(
  agent: Agent,
  targetName: string,
  artifactIds: readonly string[],
  log: Logger,
  signal: AbortSignal,
): Promise<RunRecord['verification']> {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const id of artifactIds) {
    try {
      // The run's signal: a cancel, a shutdown or the run's timeout stops the restore into the
      // test server too (a test server that hangs must not hold the target for good).
      const result = await agent.verify(id, { signal });
      logVerification(log, targetName, result, 'after-backup');
      if (result.ok) passed += 1;
      else failed += 1;
    } catch (error) {
      logVerificationError(log, targetName, id, error, 'after-backup');
      errors += 1;
    }
  }
  return { passed, failed, errors };
}
