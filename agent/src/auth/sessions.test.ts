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
    const sessions = createSessions(60_000, { clock: () => now });
    const bearer = sessions.createBearer(olga);
    expect(bearer.expiresAt).toEqual(new Date(61_000));
    now = 60_999;
    expect(sessions.getBearer(bearer.token)).toBeDefined();
    now = 61_000;
    expect(sessions.getBearer(bearer.token)).toBeUndefined();
  });

  it('keep at most `maxPerUser` per user, dropping the oldest', () => {
    const sessions = createSessions(60_000, { maxPerUser: 3 });
    const olgas = [1, 2, 3, 4].map(() => sessions.create(olga).id);
    const piotr = sessions.createBearer({ ...olga, name: 'piotr' }).token;
    expect(olgas.map((id) => sessions.get(id) !== undefined)).toEqual([false, true, true, true]);
    expect(sessions.getBearer(piotr)).toBeDefined();
    expect(sessions.size).toBe(4);
    sessions.delete(olgas[1]!);
    sessions.create(olga);
    expect(olgas.map((id) => sessions.get(id) !== undefined)).toEqual([false, false, true, true]);
  });

  it('are dropped from memory once expired, at the next sign-in', () => {
    let now = 0;
    const sessions = createSessions(60_000, { clock: () => now });
    for (let index = 0; index < 40; index++) sessions.create({ ...olga, name: `user-${index}` });
    now = 30_000;
    const later = sessions.create(olga);
    now = 60_000;
    sessions.create(olga);
    expect(sessions.size).toBe(2);
    expect(sessions.get(later.id)).toBeDefined();
  });
});
