import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExpiredSandboxes, SandboxSummary } from '@port-yard/shared';
import type { LogFields } from '../platform/logger.ts';
import { startSandboxExpiryTimer } from './sandbox-expiry-timer.ts';

const sandbox = { id: 'py_sbx_0123456789', server: 'scratch', target: 'shop' } as SandboxSummary;

function capture() {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, fields });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('startSandboxExpiryTimer', () => {
  it('runs a pass every minute with the injected clock and logs what it dropped and what failed', async () => {
    vi.useFakeTimers();
    const { lines, log } = capture();
    const seen: Date[] = [];
    const clock = new Date('2026-03-01T12:00:00Z');
    const expire = async (now: Date): Promise<ExpiredSandboxes> => {
      seen.push(now);
      return {
        dropped: [sandbox],
        orphans: ['scratch/user py_sbx_aaaaaaaaaa'],
        problems: [{ server: 'other', message: 'unreachable' }],
      };
    };
    const timer = startSandboxExpiryTimer({ expire, log, now: () => clock });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([clock]);
    expect(lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      'info sandbox expired and dropped',
      'info dropped sandbox leftovers without a registry row',
      'error sandbox expiry failed',
    ]);
    expect(lines[0]!.fields).toMatchObject({ sandbox: sandbox.id, server: 'scratch' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen).toHaveLength(3);
    timer.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(seen).toHaveLength(3);
  });

  it('never runs two passes at once, and a failing pass is logged, not thrown', async () => {
    const { lines, log } = capture();
    let release: () => void = () => undefined;
    let calls = 0;
    const expire = (): Promise<ExpiredSandboxes> => {
      calls += 1;
      return new Promise((_, reject) => {
        release = () => reject(new Error('registry unreachable'));
      });
    };
    const timer = startSandboxExpiryTimer({ expire, log });
    const first = timer.runNow();
    const second = timer.runNow();
    expect(calls).toBe(1);
    release();
    await Promise.all([first, second]);
    expect(lines).toEqual([
      { level: 'error', message: 'sandbox expiry failed', fields: { message: 'registry unreachable' } },
    ]);
    timer.stop();
  });
});
