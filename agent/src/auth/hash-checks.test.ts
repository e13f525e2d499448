import { describe, expect, it } from 'vitest';
import { createHashChecks } from './hash-checks.ts';

/** A check that runs until `finish` is called, and says whether it ran at all. */
function gatedCheck() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const check = { ran: false, finish, run: async () => void ((check.ran = true), await done) };
  return check;
}

describe('hash check slots', () => {
  it('run at most `concurrent` checks, queue `queued` more and refuse the rest as busy', async () => {
    const checks = createHashChecks({ concurrent: 2, queued: 1 });
    const [a, b, c] = [gatedCheck(), gatedCheck(), gatedCheck()];
    const runs = [checks.run(a.run), checks.run(b.run), checks.run(c.run)];
    expect([checks.running, checks.waiting]).toEqual([2, 1]);
    await expect(checks.run(async () => 'never')).rejects.toThrow(/busy checking other sign-ins/);
    expect(c.ran).toBe(false);
    a.finish();
    await runs[0];
    expect(c.ran).toBe(true);
    // the freed slot went to the waiting check: a newcomer still waits
    expect([checks.running, checks.waiting]).toEqual([2, 0]);
    b.finish();
    c.finish();
    await Promise.all(runs);
    expect([checks.running, checks.waiting]).toEqual([0, 0]);
  });

  it('drop a waiting check whose client left, and free its place in the queue', async () => {
    const checks = createHashChecks({ concurrent: 1, queued: 1 });
    const [a, left, later] = [gatedCheck(), gatedCheck(), gatedCheck()];
    const first = checks.run(a.run);
    const client = new AbortController();
    const gone = checks.run(left.run, client.signal);
    client.abort();
    await expect(gone).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(checks.waiting).toBe(0);
    const third = checks.run(later.run);
    a.finish();
    later.finish();
    await Promise.all([first, third]);
    expect([left.ran, later.ran]).toEqual([false, true]);
    await expect(checks.run(async () => 1, AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
