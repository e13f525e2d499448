import { randomBytes } from 'node:crypto';
import { sessionTokenPrefix } from '@port-yard/shared';
import type { Identity } from './identity.ts';

/**
 * Login sessions, in memory (Port-Yard keeps no database): a restart signs everyone out, which
 * is the safe direction. The id is 32 random bytes. A browser's session travels only in an
 * HttpOnly cookie; the desktop app's (an OIDC sign-in in the system browser) is a bearer token
 * `pys_<id>`. Each kind works only the way it was issued: a cookie id is no bearer token, and a
 * bearer token is no cookie.
 */
export interface Sessions {
  /** A cookie session. */
  create(identity: Identity): { id: string; expiresAt: Date };
  /** A session presented as `Authorization: Bearer pys_...`: the token is its id. */
  createBearer(identity: Identity): { token: string; expiresAt: Date };
  /** The identity of a cookie session. */
  get(id: string): Identity | undefined;
  /** The identity of a bearer session. */
  getBearer(token: string): Identity | undefined;
  /** Ends a session of either kind (an id or a token). */
  delete(id: string): void;
}

export const sessionCookieName = 'py_session';
/** Reserved: a bearer token with this prefix is a session, never a configured API token. */
export { sessionTokenPrefix };

export function createSessions(ttlMs: number, clock: () => number = Date.now): Sessions {
  const sessions = new Map<string, { identity: Identity; expiresAt: number; bearer: boolean }>();
  const sweep = (): void => {
    const now = clock();
    for (const [id, session] of sessions) if (session.expiresAt <= now) sessions.delete(id);
  };
  const add = (id: string, identity: Identity, bearer: boolean): Date => {
    sweep();
    const expiresAt = clock() + ttlMs;
    sessions.set(id, { identity: { ...identity, via: 'session' }, expiresAt, bearer });
    return new Date(expiresAt);
  };
  const find = (id: string, bearer: boolean): Identity | undefined => {
    const session = sessions.get(id);
    if (!session || session.bearer !== bearer || session.expiresAt <= clock()) return undefined;
    return session.identity;
  };
  return {
    create(identity) {
      const id = randomBytes(32).toString('base64url');
      return { id, expiresAt: add(id, identity, false) };
    },
    createBearer(identity) {
      const token = `${sessionTokenPrefix}${randomBytes(32).toString('base64url')}`;
      return { token, expiresAt: add(token, identity, true) };
    },
    get: (id) => find(id, false),
    getBearer: (token) => (token.startsWith(sessionTokenPrefix) ? find(token, true) : undefined),
    delete: (id) => void sessions.delete(id),
  };
}
