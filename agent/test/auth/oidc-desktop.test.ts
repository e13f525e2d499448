import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, cookieHeader, http, mutate, query, trpcCode } from '../api/api-harness.ts';
import { startAuthAgent, type AuthAgent } from './auth-agent.ts';
import { Browser } from './browser.ts';
import { startTestProvider, type TestProvider } from './oidc-provider-harness.ts';

/**
 * The agent's side of the desktop app's OIDC sign-in (RFC 8252 loopback redirect) against a real
 * provider: the login with the app's redirect URI, state and PKCE challenge, the callback that
 * hands a one-time code to the loopback address, and POST /api/auth/oidc/token. The loopback
 * listener is not needed here: the scripted browser stops at it (desktop/test/main has the app).
 */
let provider: TestProvider;
let agent: AuthAgent;
let clockOffset = 0;
const loopback = 'http://127.0.0.1:48123/callback';
const tokenPath = '/api/auth/oidc/token';

beforeAll(async () => {
  provider = await startTestProvider({
    'sub-dora': { preferred_username: 'dora', groups: ['dba'] },
    'sub-vic': { preferred_username: 'vic', groups: ['staff'] },
    'sub-nobody': { preferred_username: 'nobody', groups: ['guests'] },
  });
  agent = await startAuthAgent(
    {
      mode: 'oidc',
      sessionTtl: '2h',
      oidc: {
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        scopes: ['openid', 'profile', 'groups'],
      },
      roles: [
        { role: 'operator', groups: ['dba'] },
        { role: 'viewer', groups: ['staff'] },
      ],
      defaultRole: 'none',
    },
    { clock: () => Date.now() + clockOffset },
  );
  provider.serve(`${agent.url}/api/auth/oidc/callback`);
});
afterAll(async () => {
  await agent?.close();
  await provider?.close();
});
beforeEach(() => {
  clockOffset = 0;
});

/** What the desktop app sends to the login page, with its secrets. */
function desktopLogin(overrides: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(32).toString('base64url');
  const params = {
    client: 'desktop',
    redirect_uri: loopback,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  };
  return { verifier, state, params, url: `${agent.url}/api/auth/oidc/login?${new URLSearchParams(params)}` };
}

/** The system browser signs in as `account` and is sent on to the app's loopback address. */
async function codeFor(account: string, overrides: Record<string, string> = {}) {
  const login = desktopLogin(overrides);
  provider.signInAs = account;
  const browser = new Browser();
  const target = new URL(login.params.redirect_uri);
  const hops = await browser.navigate(login.url, (next) => next.origin === target.origin);
  const back = new URL(hops.at(-1)!.location!);
  return { ...login, browser, hops, back, code: back.searchParams.get('code')! };
}

const exchange = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  http(`${agent.url}${tokenPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const logins = () => agent.api.audit.list().filter((entry) => entry.action === 'login');

describe('desktop OIDC sign-in (loopback redirect)', () => {
  it('announces the loopback sign-in in agent.session', async () => {
    const session = await query(agent.url, 'agent.session');
    expect(session.body.result.data).toMatchObject({ authMode: 'oidc', desktopSignIn: { loopback: true } });
  });

  it('hands a one-time code to the loopback address, and exchanges it for a bearer token', async () => {
    const { browser, hops, back, code, verifier, state } = await codeFor('sub-dora');
    // The provider's redirect stays the agent's own callback.
    const atProvider = new URL(hops[0]!.location!);
    expect(atProvider.origin).toBe(provider.issuer);
    expect(atProvider.searchParams.get('redirect_uri')).toBe(`${agent.url}/api/auth/oidc/callback`);
    expect(`${back.origin}${back.pathname}`).toBe(loopback);
    expect(back.searchParams.get('state')).toBe(state);
    expect(code).toMatch(/^[\w-]{43}$/);
    // No browser session: the sign-in is the app's.
    expect(browser.cookie(agent.url, 'py_session')).toBeUndefined();
    expect(browser.cookie(agent.url, 'py_oidc')).toBeUndefined();

    const answer = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token: expect.stringMatching(/^pys_[\w-]{43}$/),
      name: 'dora',
      role: 'operator',
      expiresAt: expect.any(String),
    });
    const hours = (Date.parse(answer.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.99);
    expect(hours).toBeLessThanOrEqual(2);
    expect(logins().at(0)).toMatchObject({
      actor: 'dora',
      via: 'oidc',
      outcome: 'ok',
      details: { role: 'operator', client: 'desktop' },
    });

    const token = bearer(answer.body.token);
    const session = await query(agent.url, 'agent.session', undefined, token);
    expect(session.body.result.data.identity).toEqual({ name: 'dora', role: 'operator', kind: 'user' });
    expect((await mutate(agent.url, 'agent.reloadConfig', undefined, token)).status).toBe(200);
    expect(agent.api.audit.list().at(0)).toMatchObject({
      action: 'config.reload',
      actor: 'dora',
      via: 'session',
    });
    // A bearer session is not a cookie.
    const asCookie = await query(agent.url, 'agent.session', undefined, cookieHeader(answer.body.token));
    expect(asCookie.body.result.data.identity).toBeNull();
  });

  it('gives a viewer a viewer’s token', async () => {
    const { code, verifier } = await codeFor('sub-vic');
    const answer = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    const token = bearer(answer.body.token);
    expect((await query(agent.url, 'agent.info', undefined, token)).status).toBe(200);
    expect(trpcCode(await mutate(agent.url, 'agent.reloadConfig', undefined, token))).toBe('FORBIDDEN');
  });

  it('accepts [::1] and refuses every other redirect URI, before anything is stored', async () => {
    const ipv6 = await http(desktopLogin({ redirect_uri: 'http://[::1]:48123/callback' }).url);
    expect(ipv6.status).toBe(302);
    for (const redirect of [
      'http://localhost:48123/callback',
      'http://evil.example:48123/callback',
      'https://127.0.0.1:48123/callback',
      'http://127.0.0.1/callback',
      'http://127.0.0.2:48123/callback',
      'http://127.0.0.1:48123@evil.example/callback',
      'http://127.0.0.1:48123/callback?next=http://evil.example',
      'http://127.0.0.1:99999/callback',
    ]) {
      const refused = await http(desktopLogin({ redirect_uri: redirect }).url);
      expect([redirect, refused.status]).toEqual([redirect, 400]);
      expect(refused.text).toContain('redirect_uri must be a loopback address with a port');
      // Nothing started: no redirect to the provider, no browser binding.
      expect(refused.headers.get('location')).toBeNull();
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    const plain = await http(desktopLogin({ code_challenge_method: 'plain' }).url);
    expect([plain.status, plain.text]).toEqual([400, expect.stringContaining('must be S256')]);
    const other = await http(`${agent.url}/api/auth/oidc/login?redirect_uri=${encodeURIComponent(loopback)}`);
    expect([other.status, other.text]).toEqual([400, expect.stringContaining('client must be')]);
  });

  it('refuses a wrong code_verifier, and the code is spent', async () => {
    const { code, verifier } = await codeFor('sub-dora');
    const wrong = await exchange({
      code,
      code_verifier: randomBytes(32).toString('base64url'),
      redirect_uri: loopback,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toEqual({
      code: 'AUTH_FAILED',
      message: 'the code_verifier does not match the sign-in’s code_challenge (PKCE)',
    });
    expect(logins().at(0)).toMatchObject({ actor: 'dora', outcome: 'denied' });
    const again = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    expect(again.body.error.message).toContain('already used');
  });

  it('ends the token at logout (Bearer pys_… to POST /api/auth/logout)', async () => {
    const { code, verifier } = await codeFor('sub-vic');
    const answer = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    const token = bearer(answer.body.token);
    expect((await query(agent.url, 'agent.info', undefined, token)).status).toBe(200);
    const out = await http(`${agent.url}/api/auth/logout`, { method: 'POST', headers: token });
    expect(out.status).toBe(200);
    expect((await query(agent.url, 'agent.info', undefined, token)).status).toBe(401);
    expect(agent.api.audit.list().find((entry) => entry.action === 'logout')).toMatchObject({
      actor: 'vic',
      via: 'session',
    });
  });

  it('refuses a reused code, and ends the session it gave', async () => {
    const { code, verifier } = await codeFor('sub-dora');
    const first = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    expect(first.status).toBe(200);
    const reused = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    expect(reused.status).toBe(400);
    expect(reused.body.error.message).toBe(
      'the sign-in code was already used: start the sign-in again (the session it gave has been ended)',
    );
    const revoked = await query(agent.url, 'agent.session', undefined, bearer(first.body.token));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toContain('sign in again');
  });

  it('refuses an expired code (valid for 60 s)', async () => {
    const { code, verifier } = await codeFor('sub-dora');
    clockOffset = 61_000;
    const late = await exchange({ code, code_verifier: verifier, redirect_uri: loopback });
    expect([late.status, late.body.error.message]).toEqual([
      400,
      'the sign-in code expired (it is valid for 60 s): start the sign-in again',
    ]);
  });

  it('refuses a redirect_uri other than the one the code was sent to', async () => {
    const { code, verifier } = await codeFor('sub-dora');
    const other = await exchange({
      code,
      code_verifier: verifier,
      redirect_uri: 'http://127.0.0.1:48124/callback',
    });
    expect([other.status, other.body.error.message]).toEqual([
      400,
      'the redirect_uri is not the one the sign-in code was sent to',
    ]);
  });

  it('refuses an unknown code, a malformed request and a foreign Origin', async () => {
    const unknown = await exchange({ code: 'forged', code_verifier: 'x'.repeat(43), redirect_uri: loopback });
    expect([unknown.status, unknown.body.error.message]).toEqual([
      400,
      'the sign-in code is not valid: start the sign-in again',
    ]);
    const malformed = await exchange({ code: 'forged' });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'INVALID_INPUT']);

    const { code, verifier } = await codeFor('sub-dora');
    const body = { code, code_verifier: verifier, redirect_uri: loopback };
    const foreign = await exchange(body, { origin: 'http://evil.example' });
    expect([foreign.status, foreign.body.error.message]).toEqual([
      403,
      'origin http://evil.example is not allowed',
    ]);
    // Refused before the code was looked at: it still works for the app.
    expect((await exchange(body)).status).toBe(200);
  });

  it('sends a refused sign-in back to the app as an error, with its state', async () => {
    const { back, state } = await codeFor('sub-nobody');
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toContain('nobody has no role on this agent');
    expect(logins().at(0)).toMatchObject({
      actor: 'nobody',
      outcome: 'denied',
      details: { client: 'desktop' },
    });
  });

  it('refuses a session token it does not know (sessions end when the agent restarts)', async () => {
    const stale = await query(agent.url, 'agent.session', undefined, bearer(`pys_${'a'.repeat(43)}`));
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toBe(
      'the sign-in session has expired or ended (sessions end when the agent restarts): sign in again',
    );
  });
});
