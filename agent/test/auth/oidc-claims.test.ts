import { describe, expect, it } from 'vitest';
import { claimAt, groupsFrom, usernameFrom } from '../../src/auth/oidc/oidc-claims.ts';
import { createPendingLogins } from '../../src/auth/oidc/pending-logins.ts';

describe('OIDC claims', () => {
  const claims = {
    sub: 'f1e2',
    preferred_username: 'dora',
    groups: ['dba', 'staff', 'dba', 7],
    realm_access: { roles: ['operator-role'] },
    'https://example.org/groups': 'a b,c',
  };

  it('reads a dotted path, an exact key with dots first', () => {
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['operator-role']);
    expect(claimAt(claims, 'https://example.org/groups')).toBe('a b,c');
    expect(claimAt(claims, 'realm_access.roles.missing')).toBeUndefined();
    expect(claimAt(claims, 'sub.length')).toBeUndefined();
  });

  it('turns arrays and space or comma separated strings into distinct group names', () => {
    expect(groupsFrom(claims.groups)).toEqual(['dba', 'staff']);
    expect(groupsFrom('a b,c ,, d')).toEqual(['a', 'b', 'c', 'd']);
    expect(groupsFrom(undefined)).toEqual([]);
    expect(groupsFrom({ dba: true })).toEqual([]);
  });

  it('takes the user name from the configured claim, else sub', () => {
    expect(usernameFrom(claims, 'preferred_username')).toBe('dora');
    expect(usernameFrom(claims, 'email')).toBe('f1e2');
    expect(usernameFrom({ sub: 'x', email: '' }, 'email')).toBe('x');
  });
});

describe('pending OIDC logins', () => {
  const login = { codeVerifier: 'v', nonce: 'n', redirectUri: 'http://agent/cb', browser: 'b' };

  it('gives a state back once, and not after it expired', () => {
    let now = 0;
    const pending = createPendingLogins({ ttlMs: 1000, clock: () => now });
    pending.add('s1', login);
    pending.add('s2', login);
    expect(pending.take('s1')).toEqual(login);
    expect(pending.take('s1')).toBeUndefined();
    now = 1000;
    expect(pending.take('s2')).toBeUndefined();
  });

  it('drops the oldest when full', () => {
    const pending = createPendingLogins({ max: 2 });
    for (const state of ['a', 'b', 'c']) pending.add(state, login);
    expect([pending.take('a'), pending.take('b'), pending.take('c')]).toEqual([undefined, login, login]);
  });
});
