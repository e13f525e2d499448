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
  /** Sessions held in memory (expired ones go at the next sign-in). */
  readonly size: number;
}

export const sessionCookieName = 'py_session';
/** Reserved: a bearer token with this prefix is a session, never a configured API token. */
export { sessionTokenPrefix };

/** A user who signs in more often than this within the TTL (a script) loses the oldest session. */
export const maxSessionsPerUser = 50;

interface Session {
  readonly identity: Identity;
  readonly expiresAt: number;
  readonly bearer: boolean;
  readonly user: string;
}

/**
 * Every session lives `ttlMs`, so the map's insertion order is the order they expire in: the
 * sweep at each sign-in drops expired ones from the oldest and stops at the first still valid
 * (each login scanned them all before). Should the clock step back, a few may wait behind a
 * later one; `find` refuses them meanwhile. A user keeps at most `maxPerUser` sessions: a
 * signed-in user could otherwise fill the agent's memory by signing in again and again.
 */
export function createSessions(
  ttlMs: number,
  options: { clock?: () => number; maxPerUser?: number } = {},
): Sessions {
  const clock = options.clock ?? Date.now;
  const maxPerUser = options.maxPerUser ?? maxSessionsPerUser;
  const sessions = new Map<string, Session>();
  // Each user's session ids, oldest first.
  const byUser = new Map<string, Set<string>>();
  const remove = (id: string): void => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    const ids = byUser.get(session.user);
    ids?.delete(id);
    if (ids?.size === 0) byUser.delete(session.user);
  };
  const sweep = (): void => {
    const now = clock();
    for (const [id, session] of sessions) {
      if (session.expiresAt > now) break;
      remove(id);
    }
  };
  const add = (id: string, identity: Identity, bearer: boolean): Date => {
    sweep();
    const expiresAt = clock() + ttlMs;
    const user = `${identity.kind}\u0000${identity.name}`;
    sessions.set(id, { identity: { ...identity, via: 'session' }, expiresAt, bearer, user });
    const ids = byUser.get(user) ?? new Set<string>();
    byUser.set(user, ids.add(id));
    for (const oldest of ids) {
      if (ids.size <= maxPerUser) break;
      remove(oldest);
    }
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
    delete: remove,
    get size() {
      return sessions.size;
    },
  };
}
