import { describe, expect, it } from 'vitest';
import type { Agent } from '../main.ts';
import type { LogFields, Logger } from '../platform/logger.ts';
import type { AppliedRetentionGroup } from '../retention/target-retention.ts';
import { createRunRegistry } from '../runs/run-registry.ts';
import { executeRun } from './execute-run.ts';

/**
 * Retention after a backup, with the agent faked to inject its outcome (the daemon test runs it
 * for real): what it deleted or why it could not run reaches the log, and the run still succeeds.
 */
function capture(): { log: Logger; lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const push = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, fields });
  return { log: { info: push('info'), warn: push('warn'), error: push('error') }, lines };
}

function fakeAgent(applyRetention: () => Promise<AppliedRetentionGroup[]>): Agent {
  const now = new Date().toISOString();
  return {
    config: { targets: { shop: { retention: { keepLast: 1 } } } },
    backup: async () => ({
      runId: 'r',
      target: 'shop',
      status: 'succeeded',
      startedAt: now,
      finishedAt: now,
      artifacts: [],
      skipped: [],
      failures: [],
    }),
    applyRetention,
  } as unknown as Agent;
}

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
      deleted: ['2026-01-01T00-00-00Z_aaaaaaaaaa'],
      failed: [{ id: '2026-01-01T00-15-00Z_bbbbbbbbbb', error: 'EACCES' }],
      plan: { deferred: [] },
    } as unknown as AppliedRetentionGroup;
    const { record, lines } = await run(fakeAgent(async () => [group]));
    expect(record).toMatchObject({ status: 'succeeded', retention: { deleted: 1, deferred: 0, failed: 1 } });
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'retention applied',
        fields: { target: 'shop', trigger: 'after-backup', deleted: group.deleted, failed: group.failed },
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
    const group = { deleted: [], failed: [], plan: { deferred: [] } } as unknown as AppliedRetentionGroup;
    expect((await run(fakeAgent(async () => [group]))).lines).toEqual([]);
  });
});
