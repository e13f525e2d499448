import { describe, expect, it } from 'vitest';
import { PortYardError, type VerificationResult } from '@port-yard/shared';
import type { Agent } from '../main.ts';
import type { LogFields, Logger } from '../platform/logger.ts';
import type { AppliedRetentionGroup } from '../retention/target-retention.ts';
import { createRunRegistry } from '../runs/run-registry.ts';
import { executeRun } from './execute-run.ts';

/**
 * Retention and verification after a backup, with the agent faked to inject their outcomes (the
 * daemon and verify tests run them for real): what they did, or why they could not run, reaches
 * the log, and the backup run still succeeds.
 */
function capture(): { log: Logger; lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const push = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, fields });
  return { log: { info: push('info'), warn: push('warn'), error: push('error') }, lines };
}

const newId = '2026-01-01T01-00-00Z_cccccccccc';

/** An agent whose backup makes `newId`; retention and verification (after each backup) as given. */
function fakeAgent(
  applyRetention: () => Promise<AppliedRetentionGroup[]>,
  verify?: (id: string) => Promise<Pick<VerificationResult, 'ok' | 'artifactId' | 'problems'>>,
): Agent {
  const now = new Date().toISOString();
  const verifyConfig = verify ? { verify: { server: 'scratch', after: 'each' } } : {};
  return {
    config: { targets: { shop: { retention: { keepLast: 1 }, ...verifyConfig } } },
    backup: async () => ({
      runId: 'r',
      target: 'shop',
      status: 'succeeded',
      startedAt: now,
      finishedAt: now,
      artifacts: [{ id: newId, database: 'shop', destinations: [{ storage: 'local', committed: true }] }],
      skipped: [],
      failures: [],
    }),
    applyRetention,
    verify,
  } as unknown as Agent;
}

const nothingToDelete = async () => [
  { deleted: [], failed: [], plan: { deferred: [] } } as unknown as AppliedRetentionGroup,
];

async function run(agent: Agent) {
  const registry = createRunRegistry();
  const { log, lines } = capture();
  const record = registry.create('shop', 'schedule');
  await executeRun({ agent: () => agent, registry, log }, record, new AbortController().signal);
  return { record: registry.get(record.id)!, lines };
}

describe('retention after a backup', () => {
  it('logs the artifacts it deleted and those it could not', async () => {
    const group = {
      storage: 'local',
      deleted: ['2026-01-01T00-00-00Z_aaaaaaaaaa'],
      failed: [{ id: '2026-01-01T00-15-00Z_bbbbbbbbbb', error: 'EACCES' }],
      plan: { deferred: [] },
    } as unknown as AppliedRetentionGroup;
    // The same artifact deleted from a second storage too: one id, both storages named.
    const offsite = { ...group, storage: 'offsite', failed: [] } as unknown as AppliedRetentionGroup;
    const { record, lines } = await run(fakeAgent(async () => [group, offsite]));
    expect(record).toMatchObject({ status: 'succeeded', retention: { failed: 1 } });
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'retention applied',
        fields: {
          target: 'shop',
          trigger: 'after-backup',
          deleted: group.deleted,
          byStorage: { local: group.deleted, offsite: group.deleted },
          failed: [{ ...group.failed[0], storage: 'local' }],
        },
      },
    ]);
  });

  it('logs why it could not run, and the backup still succeeds', async () => {
    const { record, lines } = await run(
      fakeAgent(async () => {
        throw new Error('storage local: ECONNREFUSED');
      }),
    );
    expect(record).toMatchObject({ status: 'succeeded', retention: { deleted: 0, deferred: 0, failed: 1 } });
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'retention failed',
        fields: { target: 'shop', trigger: 'after-backup', message: 'storage local: ECONNREFUSED' },
      },
    ]);
  });

  it('says nothing when it had nothing to delete', async () => {
    expect((await run(fakeAgent(nothingToDelete))).lines).toEqual([]);
  });
});

describe('verification after each backup', () => {
  it('logs a pass and a failure with its problems', async () => {
    const passed = await run(
      fakeAgent(nothingToDelete, async (id) => ({ ok: true, artifactId: id, problems: [] })),
    );
    expect(passed.record.verification).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(passed.lines).toEqual([
      {
        level: 'info',
        message: 'verification passed',
        fields: { target: 'shop', artifactId: newId, trigger: 'after-backup', problems: [] },
      },
    ]);

    const problems = ['table t: 2 rows, the manifest says 3 (exact)'];
    const failed = await run(
      fakeAgent(nothingToDelete, async (id) => ({ ok: false, artifactId: id, problems })),
    );
    expect(failed.record).toMatchObject({
      status: 'succeeded',
      verification: { passed: 0, failed: 1, errors: 0 },
    });
    expect(failed.lines).toEqual([
      {
        level: 'error',
        message: 'verification failed',
        fields: { target: 'shop', artifactId: newId, trigger: 'after-backup', problems },
      },
    ]);
  });

  // A test server that hangs: the run's timeout (counted from its start) stops the
  // verification too, so the run ends and its target takes the next one.
  // Longer than Node's longest timer (24.8 days): not fired at once.
  it('does not stop a run at its start for a timeout of a month', async () => {
    const agent = fakeAgent(nothingToDelete);
    let aborted: boolean | undefined;
    const monthly = {
      ...agent,
      config: { targets: { shop: { ...agent.config.targets['shop'], timeout: '1mo' } } },
      backup: async (request: { signal: AbortSignal }) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        aborted = request.signal.aborted;
        return agent.backup(request as never);
      },
    } as unknown as Agent;
    const { record } = await run(monthly);
    expect(aborted).toBe(false);
    expect(record.status).toBe('succeeded');
  });

  it("stops a verification that hangs at the run's timeout", { timeout: 10_000 }, async () => {
    const agent = fakeAgent(nothingToDelete, () => new Promise(() => undefined));
    const hanging = {
      ...agent,
      config: { targets: { shop: { ...agent.config.targets['shop'], timeout: '1s' } } },
      verify: (_id: string, options: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) =>
          options.signal.addEventListener('abort', () => reject(options.signal.reason as Error)),
        ),
    } as unknown as Agent;
    const { record } = await run(hanging);
    expect(record).toMatchObject({ status: 'succeeded', verification: { passed: 0, failed: 0, errors: 1 } });
  });

  it('logs why a verification could not run', async () => {
    const { record, lines } = await run(
      fakeAgent(nothingToDelete, async () => {
        throw new Error('test server scratch: ECONNREFUSED');
      }),
    );
    expect(record).toMatchObject({ status: 'succeeded', verification: { passed: 0, failed: 0, errors: 1 } });
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'verification could not run',
        fields: {
          target: 'shop',
          artifactId: newId,
          trigger: 'after-backup',
          message: 'test server scratch: ECONNREFUSED',
        },
      },
    ]);
  });
});

describe('a partial backup', () => {
  it('says which destination failed first, and how many more did', async () => {
    const now = new Date().toISOString();
    const failedIn = (storage: string, error: string) => ({ storage, committed: false, error });
    const agent = {
      config: { targets: { shop: {} } },
      backup: async () => ({
        runId: 'r',
        target: 'shop',
        status: 'partial',
        startedAt: now,
        finishedAt: now,
        artifacts: [
          {
            id: newId,
            database: 'shop',
            destinations: [{ storage: 'local', committed: true }, failedIn('s3', 'EACCES')],
          },
          {
            id: newId,
            database: 'crm',
            destinations: [{ storage: 'local', committed: true }, failedIn('s3', 'EACCES')],
          },
        ],
        skipped: [],
        failures: [],
      }),
    } as unknown as Agent;
    const { record } = await run(agent);
    expect(record).toMatchObject({
      status: 'partial',
      message: 'shop not stored in s3: EACCES (and 1 more)',
    });
  });
});

describe('skip if unchanged', () => {
  // Made while the clock ran ahead: skipping on it (its age is negative, never past maxSkipAge)
  // would skip every run for as long as the clock was off.
  it('never takes an artifact dated in the future as the newest', async () => {
    const past = { artifactId: newId, fingerprint: 'f', startedAt: '2026-01-01T01:00:00Z' };
    const future = { artifactId: 'future', fingerprint: 'f', startedAt: '2099-01-01T00:00:00Z' };
    let newest: ((database: string) => unknown) | undefined;
    const agent = {
      config: { targets: { shop: { skipIfUnchanged: true } } },
      catalog: {
        list: () => [future, past].map((manifest) => ({ manifest, locations: [{ storage: 'local' }] })),
      },
      backup: async (request: { skipIfUnchanged?: { newest(database: string): unknown } }) => {
        newest = request.skipIfUnchanged!.newest;
        return { runId: 'r', target: 'shop', status: 'skipped', artifacts: [], skipped: [], failures: [] };
      },
    } as unknown as Agent;
    await run(agent);
    expect(newest!('shop')).toEqual({ manifest: past, storages: ['local'] });
  });

  it('never skips on a newest backup whose verification failed', async () => {
    const manifest = { artifactId: newId, fingerprint: 'f', startedAt: '2026-01-01T01:00:00Z' };
    const seen: ((database: string) => unknown)[] = [];
    for (const verificationOk of [true, undefined, false]) {
      const agent = {
        config: { targets: { shop: { skipIfUnchanged: true } } },
        catalog: { list: () => [{ manifest, locations: [{ storage: 'local', verificationOk }] }] },
        backup: async (request: { skipIfUnchanged?: { newest(database: string): unknown } }) => {
          seen.push(request.skipIfUnchanged!.newest);
          return { runId: 'r', target: 'shop', status: 'skipped', artifacts: [], skipped: [], failures: [] };
        },
      } as unknown as Agent;
      await run(agent);
    }
    // With where it is whole: the catalog's locations, not what the manifest says.
    const found = { manifest, storages: ['local'] };
    expect(seen.map((newest) => newest('shop'))).toEqual([found, found, undefined]);
  });
});

describe('a stop that came too late', () => {
  it('leaves a run that stored everything succeeded, without the stop as its message', async () => {
    const controller = new AbortController();
    const agent = {
      config: { targets: { shop: {} } },
      backup: async () => {
        // The last commit ends just as the cancel comes.
        controller.abort(new PortYardError('CANCELLED', 'cancelled by a user'));
        const now = new Date().toISOString();
        return {
          runId: 'r',
          target: 'shop',
          status: 'succeeded',
          startedAt: now,
          finishedAt: now,
          artifacts: [{ id: newId, database: 'shop', destinations: [{ storage: 'local', committed: true }] }],
          skipped: [],
          failures: [],
        };
      },
    } as unknown as Agent;
    const registry = createRunRegistry();
    const record = registry.create('shop', 'manual');
    await executeRun({ agent: () => agent, registry }, record, controller.signal);
    expect(registry.get(record.id)).toMatchObject({ status: 'succeeded' });
    expect(registry.get(record.id)!.message).toBeUndefined();
  });
});
