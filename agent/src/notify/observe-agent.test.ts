import type { SandboxCredentials, TargetStatus, VerificationResult } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../main.ts';
import { createAlertTracker } from './alert-tracker.ts';
import type { Notification } from './notification.ts';
import { observeAgent } from './observe-agent.ts';
import { createStaleNotifications } from './stale-notifications.ts';

/** verification.failed, sandbox.created/expired (from the agent's own methods) and target.stale. */
const hour = 3_600_000;
const sandbox: SandboxCredentials = {
  id: 'py_sbx_0123456789',
  server: 'scratch',
  target: 'shop',
  artifactId: '2026-11-26T03-28-22Z_iy5atpwg4r',
  database: 'py_sbx_0123456789',
  user: 'py_sbx_0123456789',
  host: 'db.test',
  port: 3307,
  createdAt: '2026-11-26T04:00:00.000Z',
  expiresAt: '2026-11-26T12:00:00.000Z',
  createdBy: 'alice',
  status: 'ready',
  password: 'sandbox-password-1',
  uri: 'mysql://py_sbx_0123456789:sandbox-password-1@db.test:3307/py_sbx_0123456789',
};

function fakeAgent(verify: (artifactId: string) => Promise<VerificationResult>): Agent {
  const databases: Record<string, string> = { known: 'shop', 'known-crm': 'crm' };
  return {
    catalog: {
      get: (id: string) =>
        databases[id] ? { manifest: { target: 'shop', database: databases[id], artifactId: id } } : undefined,
    },
    verify,
    createSandbox: async () => sandbox,
    expireSandboxes: async () => ({ dropped: [sandbox], orphans: [], problems: [] }),
  } as unknown as Agent;
}

function observed(verify: (artifactId: string) => Promise<VerificationResult>) {
  let clock = new Date('2026-11-26T00:00:00Z');
  const sent: Notification[] = [];
  const alerts = createAlertTracker({ reminderIntervalMs: () => 24 * hour });
  const deps = { alerts, emit: (notification: Notification) => sent.push(notification), now: () => clock };
  return {
    sent,
    deps,
    agent: observeAgent(fakeAgent(verify), deps),
    advance: (hours: number) => void (clock = new Date(clock.getTime() + hours * hour)),
  };
}

const result = (ok: boolean): VerificationResult => ({
  formatVersion: 1,
  artifactId: 'known',
  verifiedAt: '2026-11-26T00:00:00.000Z',
  server: 'scratch',
  ok,
  durationMs: 10,
  tables: [],
  problems: ok ? [] : ['table orders: 10 rows, the manifest says 12'],
});

describe('observeAgent', () => {
  it('notifies a failed verification once per problem, and a pass ends it', async () => {
    let ok = false;
    const o = observed(async () => result(ok));
    expect((await o.agent.verify('known')).ok).toBe(false);
    await o.agent.verify('known');
    expect(o.sent.map((n) => n.event)).toEqual(['verification.failed']);
    expect(o.sent[0]).toMatchObject({
      target: 'shop',
      message: 'table orders: 10 rows, the manifest says 12',
      details: { artifactId: 'known', database: 'shop', server: 'scratch' },
    });
    ok = true;
    await o.agent.verify('known');
    ok = false;
    await o.agent.verify('known');
    expect(o.sent).toHaveLength(2);
  });

  it("keeps the problems of a target's databases apart: a pass of one neither ends nor hides another's", async () => {
    // A target of two databases verified after each (hourly) run: shop keeps failing, crm passes.
    const failing = new Set(['known']);
    const o = observed(async (id) => result(!failing.has(id)));
    for (let run = 0; run < 5; run += 1) {
      await o.agent.verify('known');
      await o.agent.verify('known-crm');
      o.advance(1);
    }
    expect(o.sent.map((n) => n.details.database)).toEqual(['shop']);
    // crm starts failing too while shop's problem goes on: a new problem, said at once.
    failing.add('known-crm');
    await o.agent.verify('known');
    await o.agent.verify('known-crm');
    expect(o.sent.map((n) => [n.details.database, n.reminder])).toEqual([
      ['shop', false],
      ['crm', false],
    ]);
  });

  it('a verification that cannot run is notified; a bad request or a cancel is the caller’s business', async () => {
    let error: Error = new PortYardError('CONNECTION_FAILED', 'test server unreachable');
    const o = observed(async () => {
      throw error;
    });
    await expect(o.agent.verify('known')).rejects.toThrow('test server unreachable');
    expect(o.sent[0]).toMatchObject({
      event: 'verification.failed',
      message: 'could not run: test server unreachable',
    });
    o.deps.alerts.clear('shop:verify:shop');
    error = new PortYardError('CANCELLED', 'cancelled');
    await expect(o.agent.verify('known')).rejects.toThrow('cancelled');
    await expect(o.agent.verify('unknown')).rejects.toThrow();
    expect(o.sent).toHaveLength(1);
  });

  it('sandbox.created and sandbox.expired carry the summary, never the password or URI', async () => {
    const o = observed(async () => result(true));
    const created = await o.agent.createSandbox({ artifactId: sandbox.artifactId });
    expect(created.password).toBe('sandbox-password-1'); // the caller still gets it
    await o.agent.expireSandboxes(new Date());
    expect(o.sent.map((n) => n.event)).toEqual(['sandbox.created', 'sandbox.expired']);
    expect(o.sent[0]).toMatchObject({
      target: 'shop',
      details: { sandbox: sandbox.id, server: 'scratch', createdBy: 'alice', expiresAt: sandbox.expiresAt },
    });
    expect(JSON.stringify(o.sent)).not.toContain('sandbox-password-1');
  });
});

describe('createStaleNotifications', () => {
  it('notifies when a target becomes stale, reminds per interval, and forgets once it is fresh', () => {
    let clock = new Date('2026-11-26T00:00:00Z');
    const sent: Notification[] = [];
    const check = createStaleNotifications({
      alerts: createAlertTracker({ reminderIntervalMs: () => 24 * hour }),
      emit: (notification) => sent.push(notification),
      now: () => clock,
    });
    const status = (stale: boolean): TargetStatus => ({
      name: 'shop',
      engine: 'mariadb',
      timezone: 'UTC',
      failuresSinceStartup: 3,
      maxAge: '1h',
      stale,
      lastSuccessAt: '2026-11-25T20:00:00.000Z',
      lastFailureMessage: 'Unknown database',
    });
    const minutes = (count: number) => void (clock = new Date(clock.getTime() + count * 60_000));
    check([status(false)]);
    check([status(true)]);
    for (let minute = 0; minute < 60; minute += 1) {
      minutes(1);
      check([status(true)]);
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      event: 'target.stale',
      title: 'shop is stale: no backup within 1h',
      message:
        'No successful backup of shop since 2026-11-25T20:00:00.000Z (maxAge 1h). Last failure: Unknown database',
      // When it went stale (the newest backup plus maxAge), not when the minutely check noticed.
      details: { staleSince: '2026-11-25T21:00:00.000Z' },
    });
    minutes(24 * 60);
    check([status(true)]);
    expect(sent.map((n) => n.reminder)).toEqual([false, true]);
    check([status(false)]);
    check([status(true)]);
    expect(sent).toHaveLength(3);
  });
});
