import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthConfig } from '@port-yard/shared';
import type { AuditLog } from '../../audit/audit-log.ts';
import { sessionCookie } from '../../http/session-cookie.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Identity } from '../identity.ts';
import { roleFor } from '../role-mapping.ts';
import type { Sessions } from '../sessions.ts';
import { bindingCookie, browserBinding, clearedBindingCookie, readBinding } from './browser-binding.ts';
import { desktopClientFrom, type DesktopClient } from './desktop-client.ts';
import { createDesktopCodes } from './desktop-codes.ts';
import { createDesktopTokenRoute } from './desktop-token-route.ts';
import { claimAt, groupsFrom, usernameFrom } from './oidc-claims.ts';
import type { OidcClient } from './oidc-client.ts';
import { sendOidcProblem } from './oidc-page.ts';
import { createPendingLogins } from './pending-logins.ts';

export interface OidcRoutesDeps {
  readonly auth: AuthConfig & { readonly oidc: NonNullable<AuthConfig['oidc']> };
  readonly client: OidcClient;
  readonly sessions: Sessions;
  readonly audit: AuditLog;
  readonly log: Logger;
  /** `server.publicUrl`: the redirect URI's origin; else the request's own (Host header). */
  readonly publicUrl?: string;
  /** The agent serves HTTPS itself (for the request's own origin). */
  readonly tls: boolean;
  readonly secureCookies: boolean;
  readonly clock?: () => number;
}

/**
 * GET /api/auth/oidc/login sends the browser to the provider; GET /api/auth/oidc/callback takes
 * it back, signs it in with a session cookie and sends it to the console. Every outcome of a
 * callback is audited.
 *
 * The desktop app (`login?client=desktop&redirect_uri=<loopback>&state&code_challenge`, see
 * desktop-client.ts) runs the same flow in the system browser; its callback sends the browser on
 * to the app's loopback listener with a one-time code (and no cookie), which the app exchanges at
 * POST /api/auth/oidc/token (desktop-token-route.ts).
 */
const callbackPath = '/api/auth/oidc/callback';

export function createOidcRoutes(deps: OidcRoutesDeps) {
  const pending = createPendingLogins({ clock: deps.clock });
  const codes = createDesktopCodes({ clock: deps.clock });
  const { secureCookies } = deps;

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const base = deps.publicUrl?.replace(/\/+$/, '') ?? ownOrigin(request, deps.tls);
    if (!base)
      return sendOidcProblem(response, 400, 'the request has no valid Host header (set server.publicUrl)');
    let desktop: DesktopClient | undefined;
    try {
      desktop = desktopClientFrom(new URL(request.url ?? '/', 'http://agent').searchParams);
    } catch (error) {
      return sendOidcProblem(response, 400, (error as Error).message);
    }
    const browser = browserBinding(request);
    try {
      const started = await deps.client.begin(`${base}${callbackPath}`);
      pending.add(started.state, { ...started.pending, browser, desktop });
      response
        .writeHead(302, {
          location: started.url.href,
          'cache-control': 'no-store',
          'set-cookie': bindingCookie(browser, secureCookies),
        })
        .end();
    } catch (error) {
      const message = (error as Error).message;
      deps.log.error('OIDC sign-in cannot start', { issuer: deps.auth.oidc.issuer, error: message });
      sendOidcProblem(response, 502, message);
    }
  }

  async function callback(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = new URL(request.url ?? '/', 'http://agent').searchParams;
    const address = request.socket.remoteAddress;
    const state = params.get('state') ?? '';
    // Taken before anything else: a state is spent by its first use, whatever the outcome.
    const started = state ? pending.take(state) : undefined;
    const desktop = started?.desktop;
    // `toApp`: the error code a desktop sign-in's listener gets, so the app learns the refusal at
    // once (RFC 6749 §4.1.2.1); only once the callback is known to come from the right browser.
    const deny = (status: number, reason: string, actor = 'unknown', toApp?: string): void => {
      deps.audit.record({
        action: 'login',
        actor,
        via: 'oidc',
        address,
        outcome: 'denied',
        details: { reason, ...(desktop ? { client: 'desktop' } : {}) },
      });
      if (desktop && toApp)
        return backToApp(
          response,
          desktop,
          { error: toApp, error_description: reason },
          secureCookies,
          started.redirectUri,
        );
      sendOidcProblem(response, status, reason, { 'set-cookie': clearedBindingCookie(secureCookies) });
    };
    if (!started) return deny(400, 'this sign-in expired or was already used: start again');
    if (readBinding(request) !== started.browser)
      return deny(400, 'this sign-in was started in another browser: start again');
    const refused = params.get('error');
    if (refused)
      return deny(
        401,
        `the provider refused: ${[refused, params.get('error_description')].filter(Boolean).join(': ')}`,
        'unknown',
        /^[\w.-]{1,64}$/.test(refused) ? refused : 'access_denied',
      );

    let claims: Record<string, unknown>;
    try {
      const callbackUrl = new URL(started.redirectUri);
      callbackUrl.search = params.toString();
      claims = await deps.client.complete(callbackUrl, state, started);
    } catch (error) {
      const message = (error as Error).message;
      deps.log.warn('OIDC sign-in failed', { issuer: deps.auth.oidc.issuer, error: message });
      return deny(401, `the sign-in could not be verified: ${message}`, 'unknown', 'access_denied');
    }
    const { usernameClaim, groupsClaim } = deps.auth.oidc;
    const name = usernameFrom(claims, usernameClaim);
    const groups = groupsFrom(claimAt(claims, groupsClaim));
    const role = roleFor(deps.auth, { name, groups });
    if (!role)
      return deny(403, `${name} has no role on this agent (no role mapping matches)`, name, 'access_denied');
    if (desktop) {
      // Audited as a login when the app exchanges the code (desktop-token-route.ts).
      const identity: Identity = { kind: 'user', name, role, groups, via: 'session' };
      const code = codes.issue({
        identity,
        redirectUri: desktop.redirectUri,
        codeChallenge: desktop.codeChallenge,
      });
      return backToApp(response, desktop, { code }, secureCookies, started.redirectUri);
    }

    const session = deps.sessions.create({ kind: 'user', name, role, groups, via: 'session' });
    deps.audit.record({
      action: 'login',
      actor: name,
      via: 'oidc',
      address,
      outcome: 'ok',
      details: { role },
    });
    // The console is a static page whose own API calls carry the SameSite=Strict cookie, so a
    // redirect here (a cross-site navigation, which does not carry it) is enough.
    response
      .writeHead(302, {
        location: '/',
        'cache-control': 'no-store',
        'set-cookie': [
          sessionCookie(session.id, session.expiresAt, secureCookies),
          clearedBindingCookie(secureCookies),
        ],
      })
      .end();
  }

  const token = createDesktopTokenRoute({ codes, sessions: deps.sessions, audit: deps.audit });
  return { login, callback, token };
}

/**
 * To the desktop app's loopback listener, with its state and this agent's address as `iss`
 * (RFC 9207): the app exchanges the code only with the agent that issued it. Without it, an agent
 * the app signs in to could send the browser on to another agent's login, and have the app hand
 * it that agent's code and PKCE verifier (a mix-up) to redeem for itself.
 */
function backToApp(
  response: ServerResponse,
  desktop: DesktopClient,
  params: Record<string, string>,
  secureCookies: boolean,
  redirectUri: string,
): void {
  const iss = redirectUri.slice(0, -callbackPath.length);
  const location = `${desktop.redirectUri}?${new URLSearchParams({ ...params, state: desktop.state, iss })}`;
  response
    .writeHead(302, {
      location,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'set-cookie': clearedBindingCookie(secureCookies),
    })
    .end();
}

function ownOrigin(request: IncomingMessage, tls: boolean): string | undefined {
  const host = request.headers.host;
  // Only a plain host[:port]: the provider rejects an unregistered redirect URI anyway.
  const valid = host && /^([\w.-]+|\[[\d:a-f.]+\])(:\d{1,5})?$/i.test(host);
  return valid ? `${tls ? 'https' : 'http'}://${host}` : undefined;
}
