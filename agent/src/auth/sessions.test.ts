import { describe, expect, it } from 'vitest';
import type { Identity } from './identity.ts';
import { createSessions } from './sessions.ts';

const olga: Identity = { kind: 'user', name: 'olga', role: 'viewer', groups: ['staff'], via: 'basic' };

describe('login sessions', () => {
  it('keep cookie sessions and bearer sessions apart', () => {
    const sessions = createSessions(60_000);
    const cookie = sessions.create(olga);
    const bearer = sessions.createBearer(olga);
    expect(bearer.token).toMatch(/^pys_[\w-]{43}$/);
    expect(sessions.get(cookie.id)).toEqual({ ...olga, via: 'session' });
    expect(sessions.getBearer(bearer.token)).toEqual({ ...olga, via: 'session' });
    expect(sessions.get(bearer.token)).toBeUndefined();
    expect(sessions.getBearer(cookie.id)).toBeUndefined();
    expect(sessions.getBearer(`pys_${cookie.id}`)).toBeUndefined();
    sessions.delete(bearer.token);
    expect(sessions.getBearer(bearer.token)).toBeUndefined();
  });

  it('end after their TTL', () => {
    let now = 1_000;
    const sessions = createSessions(60_000, () => now);
    const bearer = sessions.createBearer(olga);
    expect(bearer.expiresAt).toEqual(new Date(61_000));
    now = 60_999;
    expect(sessions.getBearer(bearer.token)).toBeDefined();
    now = 61_000;
    expect(sessions.getBearer(bearer.token)).toBeUndefined();
  });
});
