import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PortYardError } from '@port-yard/shared';
import { checkToken, normalizeAgentUrl } from './agent-input.ts';
import { agentError, agentRequest } from './agent-http.ts';
import type { AgentRegistry } from './agent-registry.ts';

/**
 * OIDC sign-in of the desktop app in the system browser (RFC 8252, "OAuth 2.0 for Native Apps"):
 * a one-shot listener on 127.0.0.1:<random port>, the agent's login page opened in the browser
 * with that loopback redirect, a state and a PKCE challenge; the agent sends the browser back
 * with a one-time code, which the app exchanges (with the verifier) for a token it keeps in the
 * keychain. The provider's redirect stays the agent's own callback: nothing to register at the
 * provider per desktop app.
 *
 * What the app needs of the agent (agent/src/auth/oidc/, desktop-*.ts):
 * - `agent.session` answers `desktopSignIn: { loopback: true }`;
 * - `GET /api/auth/oidc/login?client=desktop&redirect_uri=http://127.0.0.1:<port>/callback&state=
 *   <s>&code_challenge=<c>&code_challenge_method=S256` accepts only loopback redirect URIs and
 *   keeps them with the pending login; its callback, after the usual checks, redirects to
 *   `<redirect_uri>?code=<one-time, 60 s>&state=<s>` instead of setting a cookie (or, when the
 *   sign-in is refused, `?error=...&error_description=...&state=<s>`);
 * - `POST /api/auth/oidc/token` `{ code, code_verifier, redirect_uri }` (no Origin) answers
 *   `{ token, name, role, expiresAt }`, a session token (`pys_...`) the agent accepts as
 *   `Authorization: Bearer` until `auth.sessionTtl` ends or the agent restarts; a refused
 *   exchange answers 400.
 * Older agents lack it, so before opening any browser this asks `agent.session`, and says plainly
 * when it is missing.
 */
export interface OidcLoopbackOptions {
  readonly agentUrl: string;
  /** Opens a URL in the system browser (Electron's `shell.openExternal`). */
  openExternal(url: string): Promise<void>;
  readonly fetch?: typeof fetch;
  /** How long to wait for the browser to come back (default 5 minutes). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface OidcSignIn {
  readonly token: string;
  readonly name?: string;
  readonly role?: string;
  readonly expiresAt?: string;
}

/** The proposed agent additions (above): what `agent.session` and the token endpoint answer. */
const sessionAnswer = z.looseObject({
  result: z.looseObject({
    data: z.looseObject({
      authMode: z.string(),
      desktopSignIn: z.looseObject({ loopback: z.boolean() }).optional(),
    }),
  }),
});
const tokenAnswer = z.looseObject({
  token: z.string(),
  name: z.string().optional(),
  role: z.string().optional(),
  expiresAt: z.string().optional(),
});

export const loginPath = '/api/auth/oidc/login';
export const tokenPath = '/api/auth/oidc/token';

export async function signInWithLoopback(options: OidcLoopbackOptions): Promise<OidcSignIn> {
  const agent = { url: options.agentUrl, token: undefined, fetch: options.fetch };
  // Cancellable, and bounded: an agent that does not answer held the sign-in until undici gave up.
  const asked = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(30_000)])
    : AbortSignal.timeout(30_000);
  await requireLoopbackSupport(agent, asked).catch((error: unknown) => {
    if (options.signal?.aborted) throw new PortYardError('CANCELLED', 'the sign-in was cancelled');
    throw error;
  });

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(32).toString('base64url');
  const listener = await listenOnce(state, options);
  try {
    const redirectUri = listener.redirectUri;
    const login = new URL(`${options.agentUrl}${loginPath}`);
    login.search = new URLSearchParams({
      client: 'desktop',
      redirect_uri: redirectUri,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    // A cancel that came while the agent was asked opens no browser.
    if (options.signal?.aborted) throw new PortYardError('CANCELLED', 'the sign-in was cancelled');
    await options.openExternal(login.href);
    const code = await listener.code;

    const response = await agentRequest(agent, tokenPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: options.signal,
      body: JSON.stringify({ code, code_verifier: verifier, redirect_uri: redirectUri }),
    });
    if (!response.ok) {
      const failure = await agentError(agent, response, 'exchanging the sign-in code');
      // 400: the agent refused the code (spent, expired, PKCE or redirect mismatch), not the network.
      throw response.status === 400 ? new PortYardError('AUTH_FAILED', failure.message) : failure;
    }
    const answer = tokenAnswer.safeParse(await response.json().catch(() => undefined));
    if (!answer.success || checkToken(answer.data.token) !== undefined)
      throw new PortYardError('AUTH_FAILED', `the agent at ${options.agentUrl} sent no usable token`);
    return answer.data;
  } finally {
    listener.close();
  }
}

/** The app's OIDC sign-ins: at most one waiting per agent, each cancellable from the window. */
export interface OidcSignIns {
  /**
   * Signs a registered agent in and stores the token in the keychain. A sign-in still waiting
   * for the same agent (its browser tab abandoned, say) is cancelled first.
   */
  signIn(agentId: string): Promise<void>;
  /**
   * Cancels the agent's waiting sign-in, if there is one: it rejects CANCELLED and its loopback
   * listener closes, so a late browser tab finds nothing. Stores nothing.
   */
  cancel(agentId: string): void;
}

export function createOidcSignIn(deps: {
  readonly agents: Pick<AgentRegistry, 'get' | 'setToken'>;
  openExternal(url: string): Promise<void>;
  readonly fetch?: typeof fetch;
}): OidcSignIns {
  const waiting = new Map<string, AbortController>();
  const cancel = (agentId: string): void => {
    waiting.get(agentId)?.abort();
    waiting.delete(agentId);
  };
  return {
    async signIn(agentId) {
      cancel(agentId);
      const controller = new AbortController();
      waiting.set(agentId, controller);
      try {
        const entry = await deps.agents.get(agentId);
        if (!entry) throw new PortYardError('NOT_FOUND', `no agent ${agentId}`);
        const signedIn = await signInWithLoopback({
          agentUrl: entry.url,
          openExternal: deps.openExternal,
          fetch: deps.fetch,
          signal: controller.signal,
        });
        // A cancel that came while the token was exchanged still wins: nothing is stored.
        if (controller.signal.aborted) throw new PortYardError('CANCELLED', 'the sign-in was cancelled');
        await deps.agents.setToken(agentId, signedIn.token);
      } finally {
        if (waiting.get(agentId) === controller) waiting.delete(agentId);
      }
    },
    cancel,
  };
}

async function requireLoopbackSupport(
  agent: {
    url: string;
    token: undefined;
    fetch?: typeof fetch;
  },
  signal: AbortSignal,
): Promise<void> {
  const response = await agentRequest(agent, '/api/trpc/agent.session', { signal });
  if (!response.ok) throw await agentError(agent, response, 'asking how the agent signs in');
  const session = sessionAnswer.safeParse(await response.json().catch(() => undefined));
  if (!session.success)
    throw new PortYardError('CONNECTION_FAILED', `the agent at ${agent.url} did not say how it signs in`);
  const { authMode, desktopSignIn } = session.data.result.data;
  if (authMode !== 'oidc')
    throw new PortYardError(
      'INVALID_INPUT',
      `the agent at ${agent.url} signs in with "${authMode}", not OIDC: use an API token`,
    );
  if (desktopSignIn?.loopback !== true)
    throw new PortYardError(
      'VERSION_MISMATCH',
      `the agent at ${agent.url} cannot sign the desktop app in with OIDC (an older agent, whose sign-in hands the session to the browser only): upgrade it, or use an API token`,
    );
}

interface Listener {
  readonly redirectUri: string;
  /** The code from the first callback with the right state, issued by the agent signed in to. */
  readonly code: Promise<string>;
  close(): void;
}

/** An agent's address as compared with `iss`: as the registry keeps it, or as given when it is none. */
function baseOf(url: string): string {
  const normal = normalizeAgentUrl(url);
  return typeof normal === 'string' ? normal : url;
}

/**
 * Why a code must not be exchanged with the agent at `agentUrl`, or undefined. It goes back only
 * to the agent that issued it (`iss`, RFC 9207): an agent the app signs in to could send the
 * browser on to another agent's login, to be handed that agent's code and PKCE verifier.
 */
function issuerProblem(issuer: string | null, agentUrl: string): PortYardError | undefined {
  if (issuer === null)
    return new PortYardError(
      'VERSION_MISMATCH',
      `the agent at ${agentUrl} did not say which agent issued the sign-in code (iss): update it, or sign in with an API token`,
    );
  if (baseOf(issuer) !== baseOf(agentUrl))
    return new PortYardError(
      'AUTH_FAILED',
      `the sign-in code came from ${issuer}, not from ${agentUrl}, and was not sent on: register the agent under the address its server.publicUrl names, or check that ${agentUrl} is the agent you meant`,
    );
  return undefined;
}

/** The one-shot loopback listener: 127.0.0.1 only, `/callback` only, the expected state only. */
async function listenOnce(state: string, options: OidcLoopbackOptions): Promise<Listener> {
  let settle: { resolve(code: string): void; reject(error: Error): void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/callback') return page(response, 404, 'Not found.');
    const returned = url.searchParams.get('state') ?? '';
    if (!sameSecret(returned, state))
      return page(
        response,
        400,
        'This sign-in link is not the one Port-Yard is waiting for: start again from the app.',
      );
    const refused = url.searchParams.get('error');
    const received = url.searchParams.get('code');
    if (refused || !received) {
      const reason = [refused ?? 'no code', url.searchParams.get('error_description')]
        .filter(Boolean)
        .join(': ');
      page(response, 401, `The sign-in failed: ${reason}. You can close this tab.`);
      settle?.reject(new PortYardError('AUTH_FAILED', `the OIDC sign-in failed: ${reason.slice(0, 300)}`));
      return;
    }
    const mixUp = issuerProblem(url.searchParams.get('iss'), options.agentUrl);
    if (mixUp) {
      page(response, 400, `The sign-in was refused: ${mixUp.message}. You can close this tab.`);
      settle?.reject(mixUp);
      return;
    }
    page(response, 200, 'Signed in to Port-Yard. You can close this tab and return to the app.');
    settle?.resolve(received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const timer = setTimeout(
    () =>
      settle?.reject(
        new PortYardError('TIMEOUT', `no sign-in came back within ${Math.round(timeoutMs / 1000)} s`),
      ),
    timeoutMs,
  );
  const abort = (): void => settle?.reject(new PortYardError('CANCELLED', 'the sign-in was cancelled'));
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    code,
    close() {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      server.close();
      server.closeAllConnections();
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A plain page for the browser tab: no script, nothing from the request unescaped. */
function page(response: ServerResponse, status: number, text: string): void {
  const escaped = text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  response
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'",
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    .end(
      `<!doctype html><meta charset="utf-8"><title>Port-Yard</title><p style="font-family:system-ui">${escaped}</p>`,
    );
}
