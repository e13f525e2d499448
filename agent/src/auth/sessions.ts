import { randomBytes } from 'node:crypto';
import type { Identity } from './identity.ts';

/**
 * Login sessions, in memory (Port-Yard keeps no database): a restart signs everyone out, which
 * is the safe direction. The id is 32 random bytes, sent only in an HttpOnly cookie.
 */
export interface Sessions {
  create(identity: Identity): { id: string; expiresAt: Date };
  get(id: string): Identity | undefined;
  delete(id: string): void;
}

export const sessionCookieName = 'py_session';

export function createSessions(ttlMs: number, clock: () => number = Date.now): Sessions {
  const sessions = new Map<string, { identity: Identity; expiresAt: number }>();
  const sweep = (): void => {
    const now = clock();
    for (const [id, session] of sessions) if (session.expiresAt <= now) sessions.delete(id);
  };
  return {
    create(identity) {
      sweep();
      const id = randomBytes(32).toString('base64url');
      const expiresAt = clock() + ttlMs;
      sessions.set(id, { identity: { ...identity, via: 'session' }, expiresAt });
      return { id, expiresAt: new Date(expiresAt) };
    },
    get(id) {
      const session = sessions.get(id);
      if (!session || session.expiresAt <= clock()) return undefined;
      return session.identity;
    },
    delete: (id) => void sessions.delete(id),
  };
}
