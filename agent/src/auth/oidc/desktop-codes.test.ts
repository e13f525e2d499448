import { describe, expect, it } from 'vitest';
import { createDesktopCodes, type DesktopGrant } from './desktop-codes.ts';

const grant: DesktopGrant = {
  identity: { kind: 'user', name: 'dora', role: 'operator', groups: [], via: 'session' },
  redirectUri: 'http://127.0.0.1:8400/callback',
  codeChallenge: 'c'.repeat(43),
};

describe('one-time desktop sign-in codes', () => {
  it('redeem once; a replay says so and names the session to end', () => {
    const codes = createDesktopCodes();
    const code = codes.issue(grant);
    expect(code).toMatch(/^[\w-]{43}$/);
    const first = codes.redeem(code);
    expect(first).toMatchObject({ ok: true, grant });
    if (first.ok) first.issued('pys_given');
    expect(codes.redeem(code)).toEqual({
      ok: false,
      actor: 'dora',
      reason: 'the sign-in code was already used: start the sign-in again',
      revoke: 'pys_given',
    });
    expect(codes.redeem('unknown')).toEqual({
      ok: false,
      reason: 'the sign-in code is not valid: start the sign-in again',
    });
  });

  it('expire after the TTL, say so for 10 minutes, then are forgotten', () => {
    let now = 0;
    const codes = createDesktopCodes({ ttlMs: 60_000, clock: () => now });
    const late = codes.issue(grant);
    const forgotten = codes.issue(grant);
    const intime = codes.issue(grant);
    now = 59_999;
    expect(codes.redeem(intime).ok).toBe(true);
    now = 60_000;
    expect(codes.redeem(late)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the sign-in code expired/),
    });
    expect(codes.redeem(late)).toMatchObject({ ok: false, reason: expect.stringMatching(/already used/) });
    now = 60_000 + 10 * 60_000;
    expect(codes.redeem(forgotten)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid/) });
  });

  it('keep at most `max`, dropping the oldest', () => {
    const codes = createDesktopCodes({ max: 2 });
    const [a, b, c] = [codes.issue(grant), codes.issue(grant), codes.issue(grant)];
    expect([codes.redeem(a).ok, codes.redeem(b).ok, codes.redeem(c).ok]).toEqual([false, true, true]);
  });
});
