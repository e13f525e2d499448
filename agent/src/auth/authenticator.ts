import { createHash, randomBytes } from 'node:crypto';
import type { AuthConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { createAddressMatcher } from './cidr.ts';
import { createHashChecks, hashCheckDefaults, type HashChecks } from './hash-checks.ts';
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
  identify(credentials: RequestCredentials, signal?: AbortSignal): Promise<Identity | undefined>;
  /**
   * Checks a user name and password (mode basic); undefined when they do not match. `signal`
   * says the client left: a check still waiting for its slot is dropped (CANCELLED). Both this
   * and `identify` reject with SignInBusy when too many checks wait already.
   */
  verifyPassword(username: string, password: string, signal?: AbortSignal): Promise<Identity | undefined>;
  /** Whether the credentials' password or API token was verified within the last minutes. */
  verifiedRecently(credentials: RequestCredentials): boolean;
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
 * deliberately slow, and a console polls. Every hash check runs in one of a few slots
 * (hash-checks.ts), never one per request.
 */
export function createAuthenticator(
  auth: AuthConfig,
  sessions: Sessions,
  options: { clock?: () => number; hashChecks?: HashChecks } = {},
): Authenticator {
  const clock = options.clock ?? Date.now;
  const hashChecks = options.hashChecks ?? createHashChecks(hashCheckDefaults);
  const verified = new Map<string, { identity: Identity; until: number }>();
  // One verification per secret at a time: a page's parallel requests share it (no argon2
  // stampede). It is dropped while it waits for a slot once every request sharing it has left.
  const verifying = new Map<
    string,
    { result: Promise<Identity | undefined>; sharedBy: number; abandon: AbortController }
  >();
  const isTrustedProxy = createAddressMatcher(auth.proxy?.trustedProxies ?? []);

  const keyOf = (kind: string, secret: string): string =>
    createHash('sha256').update(`${kind}\u0000${secret}`).digest('hex');
  const recent = (key: string): Identity | undefined => {
    const hit = verified.get(key);
    return hit && hit.until > clock() ? hit.identity : undefined;
  };

  const cached = async (
    kind: string,
    secret: string,
    signal: AbortSignal | undefined,
    verify: () => Promise<Identity | undefined>,
  ): Promise<Identity | undefined> => {
    const key = keyOf(kind, secret);
    const hit = recent(key);
    if (hit) return hit;
    let pending = verifying.get(key);
    if (!pending) {
      const abandon = new AbortController();
      const result = hashChecks
        .run(verify, abandon.signal)
        .then((identity) => {
          if (identity) verified.set(key, { identity, until: clock() + cacheMs });
          return identity;
        })
        .finally(() => verifying.delete(key));
      pending = { result, sharedBy: 0, abandon };
      verifying.set(key, pending);
    }
    const shared = pending;
    shared.sharedBy += 1;
    const leave = (): void => {
      shared.sharedBy -= 1;
      if (shared.sharedBy === 0) shared.abandon.abort();
    };
    if (signal?.aborted) leave();
    else signal?.addEventListener('abort', leave, { once: true });
    try {
      return await shared.result;
    } finally {
      signal?.removeEventListener('abort', leave);
    }
  };

  const verifyToken = (token: string, signal?: AbortSignal): Promise<Identity | undefined> =>
    cached('token', token, signal, async () => {
      for (const entry of auth.tokens) {
        if (await verifySecret(entry.tokenHash, token))
          return { kind: 'token', name: entry.name, role: entry.role, groups: [], via: 'token' };
      }
      return undefined;
    });

  let decoy: Promise<string> | undefined;
  const verifyPassword = (
    username: string,
    password: string,
    signal?: AbortSignal,
  ): Promise<Identity | undefined> =>
    cached(`user\u0000${username}`, password, signal, async () => {
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
    verifiedRecently(credentials) {
      if (credentials.bearer !== undefined)
        return (
          !credentials.bearer.startsWith(sessionTokenPrefix) &&
          recent(keyOf('token', credentials.bearer)) !== undefined
        );
      const { basic } = credentials;
      return (
        basic !== undefined && recent(keyOf(`user\u0000${basic.username}`, basic.password)) !== undefined
      );
    },
    sessionHolds(credentials) {
      if (credentials.bearer?.startsWith(sessionTokenPrefix))
        return sessions.getBearer(credentials.bearer) !== undefined;
      return credentials.sessionId !== undefined && sessions.get(credentials.sessionId) !== undefined;
    },
    async identify(credentials, signal) {
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
        const identity = await verifyToken(credentials.bearer, signal);
        if (!identity) throw new PortYardError('AUTH_FAILED', 'the API token is not valid');
        return identity;
      }
      if (credentials.sessionId) {
        const identity = sessions.get(credentials.sessionId);
        if (identity) return identity;
      }
      if (credentials.basic && auth.mode === 'basic') {
        const identity = await verifyPassword(credentials.basic.username, credentials.basic.password, signal);
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
