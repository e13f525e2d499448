import type { IncomingMessage, ServerResponse } from 'node:http';
import { PortYardError } from '@port-yard/shared';
import type { AuditLog } from '../../audit/audit-log.ts';
import { readJsonBody, sendError, sendJson } from '../../http/respond.ts';
import type { Sessions } from '../sessions.ts';
import { pkceMatches } from './desktop-client.ts';
import type { DesktopCodes } from './desktop-codes.ts';

export interface DesktopTokenDeps {
  readonly codes: DesktopCodes;
  readonly sessions: Sessions;
  readonly audit: AuditLog;
}

/**
 * POST /api/auth/oidc/token `{ code, code_verifier, redirect_uri }` → `{ token, name, role,
 * expiresAt }`: the desktop app's end of the loopback sign-in. The code works once and for 60 s,
 * the verifier must match the challenge the app sent to the login, and the redirect URI the one
 * the code was sent to. The token is an in-memory session (`pys_...`, `auth.sessionTtl`) that
 * the app presents as `Authorization: Bearer`; it ends when the agent restarts. No Origin is
 * needed (the app's main process sends none); a foreign one is refused before this runs, like
 * every state-changing request. Refusals answer 400 and are audited.
 */
export function createDesktopTokenRoute(deps: DesktopTokenDeps) {
  return async function exchange(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = (await readJsonBody(request)) as Record<string, unknown> | undefined;
    const { code, code_verifier: verifier, redirect_uri: redirectUri } = body ?? {};
    if (typeof code !== 'string' || typeof verifier !== 'string' || typeof redirectUri !== 'string')
      return sendError(
        response,
        new PortYardError(
          'INVALID_INPUT',
          'send JSON { "code": "...", "code_verifier": "...", "redirect_uri": "..." }',
        ),
      );
    const audit = { action: 'login', via: 'oidc', address: request.socket.remoteAddress };
    const refuse = (reason: string, actor = 'unknown'): void => {
      deps.audit.record({ ...audit, actor, outcome: 'denied', details: { reason, client: 'desktop' } });
      sendError(response, new PortYardError('AUTH_FAILED', reason), 400);
    };

    const redeemed = deps.codes.redeem(code);
    if (!redeemed.ok) {
      if (redeemed.revoke) deps.sessions.delete(redeemed.revoke);
      const ended = redeemed.revoke ? ' (the session it gave has been ended)' : '';
      return refuse(`${redeemed.reason}${ended}`, redeemed.actor);
    }
    const { identity, redirectUri: expected, codeChallenge } = redeemed.grant;
    if (redirectUri !== expected)
      return refuse('the redirect_uri is not the one the sign-in code was sent to', identity.name);
    if (!pkceMatches(verifier, codeChallenge))
      return refuse('the code_verifier does not match the sign-in’s code_challenge (PKCE)', identity.name);

    const session = deps.sessions.createBearer(identity);
    redeemed.issued(session.token);
    deps.audit.record({
      ...audit,
      actor: identity.name,
      outcome: 'ok',
      details: { role: identity.role, client: 'desktop' },
    });
    sendJson(response, 200, {
      token: session.token,
      name: identity.name,
      role: identity.role,
      expiresAt: session.expiresAt.toISOString(),
    });
  };
}
