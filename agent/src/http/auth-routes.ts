import type { IncomingMessage, ServerResponse } from 'node:http';
import { PortYardError } from '@port-yard/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import { SignInBusy } from '../auth/hash-checks.ts';
import type { Identity } from '../auth/identity.ts';
import { readCredentials } from '../auth/request-credentials.ts';
import { sessionTokenPrefix, type Sessions } from '../auth/sessions.ts';
import { userNameProblem } from '../auth/user-name.ts';
import { whileConnected } from './client-gone.ts';
import { readJsonBody, sendError, sendJson } from './respond.ts';
import { clearedSessionCookie, sessionCookie } from './session-cookie.ts';
import { TooManyAttempts, type SignInLimit } from './sign-in-limit.ts';
import { sendRefusal } from './sign-in-refusal.ts';

/**
 * Checks a user name and password (basic: the config's hashes; ldap: a bind). `signal` aborts
 * when the client has left; a check that may be refused as busy throws SignInBusy.
 */
export type PasswordLogin = (
  username: string,
  password: string,
  signal?: AbortSignal,
) => Promise<Identity | undefined>;

export interface AuthRoutesDeps {
  readonly sessions: Sessions;
  readonly audit: AuditLog;
  readonly passwordLogin?: PasswordLogin;
  readonly secureCookies: boolean;
  /** Shared with `Authorization: Basic` on API requests (api-server.ts): one count per user. */
  readonly signInLimit: SignInLimit;
}

/**
 * POST /api/auth/login `{ username, password }` → a session cookie; POST /api/auth/logout.
 * A user name with spaces at either end is refused (400). After 10 failed attempts per address
 * and user name (any case), or 100 per address, within 5 minutes, every attempt is refused (429)
 * until the window ends; a successful sign-in clears the user's count. When too many password
 * checks wait already, 503. Every attempt is audited.
 */
export function createAuthRoutes(deps: AuthRoutesDeps) {
  const limit = deps.signInLimit;

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const address = request.socket.remoteAddress;
    if (!deps.passwordLogin) {
      sendError(
        response,
        new PortYardError('INVALID_INPUT', 'this agent does not sign in with a password (see auth.mode)'),
      );
      return;
    }
    const body = (await readJsonBody(request)) as { username?: unknown; password?: unknown } | undefined;
    if (
      typeof body?.username !== 'string' ||
      typeof body.password !== 'string' ||
      !body.username ||
      body.username.length > 128
    ) {
      sendError(
        response,
        new PortYardError('INVALID_INPUT', 'send JSON { "username": "...", "password": "..." }'),
      );
      return;
    }
    const { username, password } = body;
    const problem = userNameProblem(username);
    if (problem) {
      sendError(response, new PortYardError('INVALID_INPUT', problem));
      return;
    }
    const audit = { action: 'login', actor: username, via: 'password', address };
    const finish = limit.begin({ address, username });
    if (!finish) {
      deps.audit.record({ ...audit, outcome: 'denied', details: { reason: 'rate limited' } });
      sendRefusal(response, new TooManyAttempts());
      return;
    }
    const { passwordLogin } = deps;
    let identity: Identity | undefined;
    try {
      identity = await whileConnected(request, (signal) => passwordLogin(username, password, signal));
    } catch (error) {
      if (error instanceof SignInBusy) {
        finish('unchecked');
        deps.audit.record({ ...audit, outcome: 'denied', details: { reason: 'busy' } });
        sendRefusal(response, error);
        return;
      }
      // An unreachable directory (logged where it failed), a client gone: answered as refused.
      identity = undefined;
    }
    finish(identity ? 'succeeded' : 'failed');
    if (!identity) {
      deps.audit.record({ ...audit, outcome: 'denied' });
      sendError(response, new PortYardError('AUTH_FAILED', 'wrong user name or password'));
      return;
    }
    const session = deps.sessions.create(identity);
    // Under the name the identity has (LDAP: the directory's), not as it was typed.
    deps.audit.record({ ...audit, actor: identity.name, outcome: 'ok', details: { role: identity.role } });
    sendJson(
      response,
      200,
      { name: identity.name, role: identity.role },
      { 'set-cookie': sessionCookie(session.id, session.expiresAt, deps.secureCookies) },
    );
  }

  /** Ends the cookie session, or the desktop app's session token (`Bearer pys_...`) sent with it. */
  function logout(request: IncomingMessage, response: ServerResponse): void {
    const { sessionId, bearer } = readCredentials(request);
    const token = bearer?.startsWith(sessionTokenPrefix) ? bearer : undefined;
    const identity = token
      ? deps.sessions.getBearer(token)
      : sessionId
        ? deps.sessions.get(sessionId)
        : undefined;
    if (token) deps.sessions.delete(token);
    else if (sessionId) deps.sessions.delete(sessionId);
    if (identity)
      deps.audit.record({
        action: 'logout',
        actor: identity.name,
        via: 'session',
        address: request.socket.remoteAddress,
        outcome: 'ok',
      });
    sendJson(response, 200, { ok: true }, { 'set-cookie': clearedSessionCookie(deps.secureCookies) });
  }

  return { login, logout };
}
