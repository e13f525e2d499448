import { describe, expect, it } from 'vitest';
import type { TargetStatus } from '@port-yard/shared';
import { targetHealth } from './run-progress.ts';

const at = Date.parse('2026-11-27T12:00:00Z');
const status = (over: Partial<TargetStatus> = {}): TargetStatus => ({
  name: 'shop',
  engine: 'mariadb',
  timezone: 'UTC',
  failuresSinceStartup: 0,
  stale: false,
  lastSuccessAt: '2026-11-27T11:30:00Z',
  maxAge: '1h',
  ...over,
});

describe('targetHealth', () => {
  it('turns stale once the newest backup is older than maxAge, though the agent sent stale: false', () => {
    expect(targetHealth(status(), true, at)).toBe('ok');
    // No run changed since: the agent sent nothing new, but an hour and a half has passed.
    expect(targetHealth(status(), true, at + 60 * 60_000)).toBe('stale');
  });

  it('trusts the agent where it knows more (no backup yet), and offline and failing come first', () => {
    expect(targetHealth(status({ lastSuccessAt: undefined, stale: true }), true, at)).toBe('stale');
    expect(targetHealth(status({ lastSuccessAt: undefined }), true, at)).toBe('never');
    expect(targetHealth(status(), false, at + 60 * 60_000)).toBe('offline');
    expect(targetHealth(status({ lastFailureAt: '2026-11-27T11:45:00Z' }), true, at + 60 * 60_000)).toBe(
      'failing',
    );
  });

  it('never turns stale without a maxAge', () => {
    expect(targetHealth(status({ maxAge: undefined }), true, at + 365 * 86_400_000)).toBe('ok');
  });
});
