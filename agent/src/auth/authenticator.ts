import { createHash, randomBytes } from 'node:crypto';
import type { AuthConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { createAddressMatcher } from './cidr.ts';
import type { Identity } from './identity.ts';
import { hashSecret, verifySecret } from './password-hash.ts';
import type { RequestCredentials } from './request-credentials.ts';
import { roleFor } from './role-mapping.ts';
import { sessionTokenPrefix, type Sessions } from './sessions.ts';

export interface Authenticator {
  readonly mode: AuthConfig['mode'];
  /**
   * Who the request is, or undefined (not signed in). Throws AUTH_FAILED for credentials that
   * are present but wrong: a bad token never falls back to a weaker identity.
   */
  identify(credentials: RequestCredentials): Promise<Identity | undefined>;
  /** Checks a user name and password (mode basic); undefined when they do not match. */
  verifyPassword(username: string, password: string): Promise<Identity | undefined>;
  /**
   * Whether the sign-in session the credentials carry (a `pys_` bearer token, else the cookie)
   * still holds: false once it was ended (logout, a replayed desktop code) or expired.
   */
  sessionHolds(credentials: RequestCredentials): boolean;
}

const cacheMs = 5 * 60_000;

/**
 * Resolves identities for the modes that need no external service (none, proxy, basic) plus API
 * tokens and login sessions, which work in every mode. A bearer token starting with `pys_` is a
 * session (the desktop app's OIDC sign-in), looked up in memory and never checked against the
 * configured tokens. Verified secrets are cached by their sha256 for a few minutes: argon2id is
 * deliberately slow, and a console polls.
 */
export function createAuthenticator(
  auth: AuthConfig,
  sessions: Sessions,
  clock: () => number = Date.now,
): Authenticator {
  const verified = new Map<string, { identity: Identity; until: number }>();
  // One verification per secret at a time: a page's parallel requests share it (no argon2 stampede).
  const verifying = new Map<string, Promise<Identity | undefined>>();
  const isTrustedProxy = createAddressMatcher(auth.proxy?.trustedProxies ?? []);

  const cached = async (
    kind: string,
    secret: string,
    verify: () => Promise<Identity | undefined>,
  ): Promise<Identity | undefined> => {
    const key = createHash('sha256').update(`${kind}\u0000${secret}`).digest('hex');
    const hit = verified.get(key);
    if (hit && hit.until > clock()) return hit.identity;
    const pending = verifying.get(key);
    if (pending) return pending;
    const verification = verify().then((identity) => {
      if (identity) verified.set(key, { identity, until: clock() + cacheMs });
      return identity;
    });
    verifying.set(key, verification);
    try {
      return await verification;
    } finally {
      verifying.delete(key);
    }
  };

  const verifyToken = (token: string): Promise<Identity | undefined> =>
    cached('token', token, async () => {
      for (const entry of auth.tokens) {
        if (await verifySecret(entry.tokenHash, token))
          return { kind: 'token', name: entry.name, role: entry.role, groups: [], via: 'token' };
      }
      return undefined;
    });

  let decoy: Promise<string> | undefined;
  const verifyPassword = (username: string, password: string): Promise<Identity | undefined> =>
    cached(`user\u0000${username}`, password, async () => {
      const user = auth.users.find((candidate) => candidate.username === username);
      if (!user) {
        // As slow as a wrong password: how long a refusal takes must not tell which names exist.
        decoy ??= hashSecret(randomBytes(16).toString('base64url'));
        await verifySecret(await decoy, password);
        return undefined;
      }
      if (!(await verifySecret(user.passwordHash, password))) return undefined;
      return { kind: 'user', name: username, role: user.role, groups: [], via: 'basic' };
    });

  return {
    mode: auth.mode,
    verifyPassword,
    sessionHolds(credentials) {
      if (credentials.bearer?.startsWith(sessionTokenPrefix))
        return sessions.getBearer(credentials.bearer) !== undefined;
      return credentials.sessionId !== undefined && sessions.get(credentials.sessionId) !== undefined;
    },
    async identify(credentials) {
      if (credentials.bearer?.startsWith(sessionTokenPrefix)) {
        const identity = sessions.getBearer(credentials.bearer);
        if (!identity)
          throw new PortYardError(
            'AUTH_FAILED',
            'the sign-in session has expired or ended (sessions end when the agent restarts): sign in again',
          );
        return identity;
      }
      if (credentials.bearer !== undefined) {
        const identity = await verifyToken(credentials.bearer);
        if (!identity) throw new PortYardError('AUTH_FAILED', 'the API token is not valid');
        return identity;
      }
      if (credentials.sessionId) {
        const identity = sessions.get(credentials.sessionId);
        if (identity) return identity;
      }
      if (credentials.basic && auth.mode === 'basic') {
        const identity = await verifyPassword(credentials.basic.username, credentials.basic.password);
        if (!identity) throw new PortYardError('AUTH_FAILED', 'wrong user name or password');
        return identity;
      }
      if (auth.mode === 'proxy' && auth.proxy) return fromProxy(auth, credentials, isTrustedProxy);
      if (auth.mode === 'none')
        return { kind: 'anonymous', name: 'anonymous', role: auth.anonymousRole, groups: [], via: 'none' };
      return undefined;
    },
  };
}

/** The proxy's headers count only from a trusted proxy address; from anywhere else they are refused. */
function fromProxy(
  auth: AuthConfig,
  credentials: RequestCredentials,
  isTrustedProxy: (address: string | undefined) => boolean,
): Identity | undefined {
  const proxy = auth.proxy!;
  const header = (name: string): string | undefined => {
    const value = credentials.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const user = header(proxy.userHeader)?.trim();
  if (!user) return undefined;
  if (!isTrustedProxy(credentials.remoteAddress)) {
    throw new PortYardError(
      'AUTH_FAILED',
      `${proxy.userHeader} is only accepted from a trusted proxy, not from ${credentials.remoteAddress}`,
    );
  }
  const groups = (header(proxy.groupsHeader) ?? '')
    .split(/[,;]/)
    .map((group) => group.trim())
    .filter(Boolean);
  const role = roleFor(auth, { name: user, groups });
  if (!role) throw new PortYardError('AUTH_FAILED', `user ${user} has no role here`);
  return { kind: 'user', name: user, role, groups, via: 'proxy' };
}
