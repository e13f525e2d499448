import type { PortYardConfig, RunRecord, TargetStatus } from '@port-yard/shared';
import { durationMs, nominalDurationSeconds, parseDuration } from '@port-yard/shared';
import { createAgent, type Agent } from '../main.ts';
import type { Logger } from '../platform/logger.ts';
import { sweepStoppedProcessFolders } from '../platform/sweep-process-folders.ts';
import { createRunQueue, type RunQueue } from '../runs/run-queue.ts';
import { createRunRegistry, type RunRegistry } from '../runs/run-registry.ts';
import { missedRun } from '../scheduler/next-run.ts';
import { createScheduler, type Scheduler, type SchedulerClock } from '../scheduler/scheduler.ts';
import { createAgentLeases } from './agent-leases.ts';
import { createBackgroundPasses } from './background-passes.ts';
import { executeRun } from './execute-run.ts';
import { newestNotInFuture } from './newest-artifact.ts';
import {
  logAppliedRetention,
  logRetentionFailure,
  logVerification,
  logVerificationError,
} from './pass-logs.ts';
import { runLogFields } from './run-log-fields.ts';
import { createRestoreRuns, type RestoreRuns } from './restore-runs.ts';
import { targetStatus } from './target-status.ts';
import { startSandboxExpiryTimer, type SandboxExpiryTimer } from '../sandbox/sandbox-expiry-timer.ts';
import { createNotifications } from '../notify/notifications.ts';
import type { Notifier } from '../notify/notifier.ts';

export interface Daemon {
  readonly registry: RunRegistry;
  agent(): Agent;
  start(): Promise<void>;
  /** Stops scheduling, lets running runs finish within `graceMs`, then aborts them. */
  stop(graceMs: number): Promise<void>;
  /** Swaps in a new, already validated config; running runs finish with the old one. */
  reload(config: PortYardConfig): Promise<void>;
  runNow(target: string): RunRecord;
  /** Restores in the background as a run of kind `restore`: see restore-runs.ts. */
  readonly restores: RestoreRuns;
  /** Cancels a backup or restore run; false when it is not active. */
  cancel(runId: string): boolean;
  /** Every target's status, or only the named ones (a live update concerns one target). */
  status(only?: readonly string[]): TargetStatus[];
  /** Notifications (notify/): the recent deliveries and test sends. */
  readonly notifications: Notifier;
}

export interface DaemonOptions {
  readonly config: PortYardConfig;
  readonly log: Logger;
  readonly clock?: SchedulerClock;
}

/**
 * The long-lived agent: schedules targets, runs them through the queue (maxConcurrent, one per
 * target), catches up missed runs at start, logs every run outcome.
 */
export function createDaemon(options: DaemonOptions): Daemon {
  const { log } = options;
  const now = (): Date => options.clock?.now() ?? new Date();
  const startedAt = now();
  /** When a reload added each target that was not there at start-up. */
  const addedAt = new Map<string, Date>();
  const registry = createRunRegistry({ clock: now });
  // Events of runs, stale targets, verifications and sandboxes go to the configured channels.
  const notifications = createNotifications({ config: () => agent.config, log, clock: now });
  let agent = notifications.observe(createAgent(options.config));
  // Work keeps the agent it started with; a reload closes the old one only after that work ends.
  const leases = createAgentLeases((error) =>
    log.warn("closing the previous config's connections failed", { message: (error as Error).message }),
  );
  const queue: RunQueue = createRunQueue({
    maxConcurrent: options.config.maxConcurrent,
    registry,
    queueTimeout: (target) => {
      const text = agent.config.targets[target]?.timeout;
      const ms = durationMs(text);
      return text && ms !== undefined ? { ms, text } : undefined;
    },
    execute: (run, signal) =>
      leases.use(agent, (used) =>
        executeRun({ agent: () => recordingInCurrent(used), registry, clock: now, log }, run, signal),
      ),
  });
  const restores = createRestoreRuns({
    agent: () => agent,
    retain: leases.retain,
    registry,
    queue,
    clock: now,
  });
  /**
   * The agent a run started with, its new artifacts also recorded in the catalog of the config
   * loaded since (if any): else that catalog misses them until its next refresh.
   */
  const recordingInCurrent = (used: Agent): Agent => ({
    ...used,
    async backup(request) {
      const result = await used.backup(request);
      for (const artifact of agent === used ? [] : result.artifacts) {
        const entry = used.catalog.get(artifact.id);
        if (entry) agent.catalog.add(entry.manifest, entry.locations);
      }
      return result;
    },
  });
  const passes = createBackgroundPasses(log);
  const schedulingFailed = (name: string, error: unknown): void =>
    log.error('a scheduled start failed', { target: name, message: (error as Error).message });
  let scheduler: Scheduler | undefined;
  let retentionScheduler: Scheduler | undefined;
  let verifyScheduler: Scheduler | undefined;
  let sandboxExpiry: SandboxExpiryTimer | undefined;

  registry.subscribe(({ run }) => {
    if (run.progress && run.status === 'running') return;
    const fields = runLogFields(run);
    if (run.status === 'failed' || run.status === 'partial') log.error(`run ${run.status}`, fields);
    else if (run.status === 'refused') log.warn('run refused', fields);
    else log.info(`run ${run.status}`, fields);
  });
  registry.subscribe(({ run }) => notifications.runChanged(run));

  /**
   * The retention pass on its own schedule: every target not backing up right now, then a sweep
   * of leftovers older than the grace period (after a fresh look at storage).
   */
  const retentionPass = async (used: Agent): Promise<void> => {
    const busy = queue.active();
    for (const [name, target] of Object.entries(used.config.targets)) {
      if (!target.retention || busy.has(name)) continue;
      try {
        logAppliedRetention(log, name, await used.applyRetention(name, now()), 'schedule');
      } catch (error) {
        logRetentionFailure(log, name, error, 'schedule');
      }
    }
    // A sweep never runs beside a backup: a long upload's temporary data must not look abandoned.
    if (queue.active().size > 0) return;
    try {
      await refreshCatalog(used);
      const grace = parseDuration(used.config.orphanGracePeriod);
      const removed = await used.sweep(grace ? nominalDurationSeconds(grace) * 1000 : 86_400_000, now());
      if (removed.length > 0) log.info('swept leftovers of interrupted writes', { removed });
    } catch (error) {
      log.error('sweeping leftovers failed', { message: (error as Error).message });
    }
  };

  /** The newest artifact of each of the target's databases (newest first: the first seen of each). */
  const verifyNewest = async (used: Agent, name: string): Promise<void> => {
    const newest = new Map<string, string>();
    for (const { manifest } of used.catalog.list({ target: name }))
      if (!newest.has(manifest.database)) newest.set(manifest.database, manifest.artifactId);
    for (const artifactId of newest.values()) {
      if (passes.signal.aborted) return;
      try {
        const result = await used.verify(artifactId, { signal: passes.signal });
        logVerification(log, name, result, 'schedule');
      } catch (error) {
        logVerificationError(log, name, artifactId, error, 'schedule');
      }
    }
  };

  const schedule = (): void => {
    retentionScheduler?.stop();
    retentionScheduler = createScheduler({
      targets: [{ name: 'retention', schedule: agent.config.retentionSchedule, timeZone: 'UTC' }],
      onDue: () => passes.start('retention', () => leases.use(agent, retentionPass)),
      onError: schedulingFailed,
      clock: options.clock,
    });
    retentionScheduler.start();
    verifyScheduler?.stop();
    // verify.after as a cron expression: verify the target's newest artifact then.
    const verifying = Object.entries(agent.config.targets).flatMap(([name, target]) =>
      target.verify && target.verify.after !== 'each'
        ? [{ name, schedule: target.verify.after, timeZone: target.timezone }]
        : [],
    );
    verifyScheduler = createScheduler({
      targets: verifying,
      onDue: (name) =>
        passes.start(`verify ${name}`, () => leases.use(agent, (used) => verifyNewest(used, name))),
      onError: schedulingFailed,
      clock: options.clock,
    });
    verifyScheduler.start();
    scheduler?.stop();
    const targets = Object.entries(agent.config.targets).flatMap(([name, target]) =>
      target.schedule ? [{ name, schedule: target.schedule, timeZone: target.timezone }] : [],
    );
    scheduler = createScheduler({
      targets,
      onDue: (name) => queue.submit(name, 'schedule'),
      onError: schedulingFailed,
      clock: options.clock,
    });
    scheduler.start();
  };

  /**
   * The targets (all, or those a reload added) that missed a run: a scheduled time passed since
   * their newest backup began (or it is older than their catchUpAfter).
   */
  const catchUp = (only?: ReadonlySet<string>): void => {
    for (const [name, target] of Object.entries(agent.config.targets)) {
      if (!target.schedule || (only && !only.has(name))) continue;
      const after = target.catchUpAfter ? parseDuration(target.catchUpAfter) : undefined;
      const newest = newestNotInFuture(agent.catalog, name, now());
      const since = newest ? new Date(newest.startedAt) : undefined;
      const missed =
        !since ||
        (after
          ? now().getTime() - since.getTime() > nominalDurationSeconds(after) * 1000
          : missedRun(target.schedule, target.timezone, since, now()));
      if (missed) {
        log.info('catching up a missed run', { target: name, newest: newest?.startedAt ?? null });
        queue.submit(name, 'catch-up');
      }
    }
  };

  /**
   * Storage problems are warnings: a storage that cannot be listed must not keep the daemon from
   * starting, nor the targets that write elsewhere from being backed up.
   */
  const refreshCatalog = async (of: Agent = agent): Promise<void> => {
    const slow = {
      afterMs: 10_000,
      report: (storages: readonly string[]) =>
        log.warn('waiting for storages to answer (after retries they are left out)', { storages }),
    };
    for (const problem of await of.catalog.refresh(slow)) {
      if (problem.kind === 'listing-failed') log.warn('storage could not be listed', { ...problem });
      else log.warn('storage holds something that is not a whole artifact', { ...problem });
    }
  };

  const daemon: Daemon = {
    registry,
    notifications: notifications.notifier,
    agent: () => agent,
    async start() {
      const swept = await sweepStoppedProcessFolders(agent.config.targets);
      if (swept.credentials.length > 0)
        log.info('removed credential files of stopped processes', { folders: swept.credentials });
      if (swept.stagedDumps.length > 0)
        log.info('removed dumps staged by stopped restores', { folders: swept.stagedDumps });
      await refreshCatalog();
      schedule();
      catchUp();
      // Sandboxes past their TTL are dropped every minute (sandbox/expire-sandboxes.ts).
      sandboxExpiry ??= startSandboxExpiryTimer({ expire: (at) => agent.expireSandboxes(at), log, now });
      // target.stale: every minute over every target's status.
      notifications.start(() => daemon.status());
      log.info('agent started', {
        version: agent.version,
        targets: Object.keys(agent.config.targets),
        maxConcurrent: agent.config.maxConcurrent,
      });
    },
    async stop(graceMs) {
      scheduler?.stop();
      retentionScheduler?.stop();
      verifyScheduler?.stop();
      sandboxExpiry?.stop();
      log.info('stopping: waiting for running backups', { graceMs, running: [...queue.active()] });
      await Promise.all([queue.shutdown(graceMs), restores.shutdown(graceMs), passes.settle(graceMs)]);
      await notifications.close(Math.min(graceMs, 5000));
      await agent.close();
      log.info('agent stopped');
    },
    async reload(config) {
      const next = notifications.observe(createAgent(config));
      // Its catalog is read before it is swapped in: an empty one would make every target look
      // stale (and notify so) and skipIfUnchanged back up again while the storages are listed.
      try {
        await refreshCatalog(next);
      } catch (error) {
        await next.close().catch(() => undefined);
        throw error;
      }
      const previous = agent;
      agent = next;
      // A target the reload added is new to this agent: its staleness counts from now, not from
      // the agent's start, and it is caught up at once, as a target is at start-up.
      const added = new Set(Object.keys(config.targets).filter((name) => !(name in previous.config.targets)));
      for (const name of added) addedAt.set(name, now());
      schedule();
      catchUp(added);
      // Runs still going finish on the old config; its connections close when the last one ends.
      await leases.retire(previous);
      log.info('config reloaded', { targets: Object.keys(config.targets) });
    },
    runNow: (target) => queue.submit(target, 'manual'),
    restores,
    cancel: (runId) => restores.cancel(runId) || queue.cancel(runId),
    status(only) {
      const next = scheduler?.nextRuns() ?? new Map<string, Date>();
      const names = only ?? Object.keys(agent.config.targets);
      return names.flatMap((name) => {
        const target = agent.config.targets[name];
        if (!target) return [];
        return [
          targetStatus({
            name,
            target,
            catalog: agent.catalog,
            registry,
            nextRunAt: next.get(name),
            startedAt: addedAt.get(name) ?? startedAt,
            now: now(),
          }),
        ];
      });
    },
  };
  return daemon;
}
