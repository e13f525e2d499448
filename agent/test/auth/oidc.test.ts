import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthAgent, sessionOf, type AuthAgent } from './auth-agent.ts';
import { Browser } from './browser.ts';
import { freePort } from '../harness/free-port.ts';
import { startTestProvider, type TestProvider } from './oidc-provider-harness.ts';

/**
 * The whole OIDC code flow against a real provider: the agent's redirect, the provider's login
 * and consent, the callback's code exchange and ID token checks, the session cookie it sets.
 */
let provider: TestProvider;
let agent: AuthAgent;
const callbackPath = '/api/auth/oidc/callback';

beforeAll(async () => {
  provider = await startTestProvider({
    // The subject ids differ from the user names: the name must come from preferred_username.
    'sub-dora': { preferred_username: 'dora', groups: ['dba', 'staff'] },
    'sub-vic': { preferred_username: 'vic', groups: 'staff' },
    'sub-nobody': { preferred_username: 'nobody', groups: ['guests'] },
  });
  agent = await startAuthAgent({
    mode: 'oidc',
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
  });
  provider.serve(`${agent.url}${callbackPath}`);
});
afterAll(async () => {
  await agent?.close();
  await provider?.close();
});

/** A fresh browser signs in as `account`; stops before the agent's callback when asked. */
async function signIn(account: string, options: { browser?: Browser; beforeCallback?: boolean } = {}) {
  const browser = options.browser ?? new Browser();
  provider.signInAs = account;
  const hops = await browser.navigate(
    `${agent.url}/api/auth/oidc/login`,
    (next) =>
      next.origin === agent.url &&
      (options.beforeCallback ? next.pathname === callbackPath : next.pathname === '/'),
  );
  return { browser, hops, last: hops.at(-1)! };
}

const logins = () => agent.api.audit.list().filter((entry) => entry.action === 'login');

describe('OIDC sign-in', () => {
  it('redirects to the provider with PKCE (S256), state, nonce and the callback as redirect URI', async () => {
    const first = await new Browser().get(`${agent.url}/api/auth/oidc/login`);
    expect(first.status).toBe(302);
    const target = new URL(first.location!);
    expect(target.origin).toBe(provider.issuer);
    expect(target.searchParams.get('code_challenge_method')).toBe('S256');
    expect(target.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(target.searchParams.get('nonce')).toBeTruthy();
    expect(target.searchParams.get('redirect_uri')).toBe(`${agent.url}${callbackPath}`);
  });

  it('signs in with a session cookie, the role mapped from the groups claim, and audits it', async () => {
    const { browser, last } = await signIn('sub-dora');
    expect(last.url).toContain(callbackPath);
    expect([last.status, last.location]).toEqual([302, `${agent.url}/`]);
    const cookie = `py_session=${browser.cookie(agent.url, 'py_session')}`;
    expect(await sessionOf(agent.url, cookie)).toEqual({ name: 'dora', role: 'operator', kind: 'user' });
    expect(logins().at(0)).toMatchObject({
      actor: 'dora',
      via: 'oidc',
      outcome: 'ok',
      details: { role: 'operator' },
    });

    const viewer = await signIn('sub-vic');
    const viewerCookie = `py_session=${viewer.browser.cookie(agent.url, 'py_session')}`;
    expect(await sessionOf(agent.url, viewerCookie)).toMatchObject({ name: 'vic', role: 'viewer' });
  });

  it('refuses a user whose groups map to no role (defaultRole none)', async () => {
    const { browser, last } = await signIn('sub-nobody');
    expect(last.status).toBe(403);
    expect(last.text).toContain('nobody has no role on this agent');
    expect(browser.cookie(agent.url, 'py_session')).toBeUndefined();
    expect(logins().at(0)).toMatchObject({ actor: 'nobody', outcome: 'denied' });
    expect(String(logins().at(0)?.details?.['reason'])).toContain('no role');
  });

  it('refuses a replayed callback: a state works once', async () => {
    const { browser, last } = await signIn('sub-dora', { beforeCallback: true });
    const callback = last.location!;
    expect((await browser.get(callback)).status).toBe(302);
    const replay = await browser.get(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('expired or was already used');
    expect(logins().at(0)).toMatchObject({ actor: 'unknown', outcome: 'denied' });
  });

  it('refuses a code issued to another sign-in (PKCE and nonce bind the code to its state)', async () => {
    const browser = new Browser();
    const first = await signIn('sub-dora', { browser, beforeCallback: true });
    const second = await signIn('sub-dora', { browser, beforeCallback: true });
    const swapped = new URL(second.last.location!);
    swapped.searchParams.set('code', new URL(first.last.location!).searchParams.get('code')!);
    const response = await browser.get(swapped.href);
    expect(response.status).toBe(401);
    expect(response.text).toContain('the provider refused the code (invalid_grant');
    expect(browser.cookie(agent.url, 'py_session')).toBeUndefined();
  });

  it('refuses a state it never issued, and a callback opened in another browser', async () => {
    const forged = await new Browser().get(`${agent.url}${callbackPath}?code=abc&state=forged`);
    expect(forged.status).toBe(400);

    const { last } = await signIn('sub-dora', { beforeCallback: true });
    const victim = new Browser();
    const stolen = await victim.get(last.location!);
    expect(stolen.status).toBe(400);
    expect(stolen.text).toContain('started in another browser');
    expect(victim.cookie(agent.url, 'py_session')).toBeUndefined();
  });

  it('reports an unreachable issuer clearly, and starts no sign-in', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}/realms/none`;
    const offline = await startAuthAgent({ mode: 'oidc', oidc: { issuer, clientId: 'port-yard' } });
    try {
      const response = await new Browser().get(`${offline.url}/api/auth/oidc/login`);
      expect(response.status).toBe(502);
      expect(response.text).toContain(`cannot discover the OIDC issuer ${issuer}`);
      expect(response.text).toContain('ECONNREFUSED');
      expect(offline.logLines.join('\n')).toContain('OIDC sign-in cannot start');
    } finally {
      await offline.close();
    }
  });
});
