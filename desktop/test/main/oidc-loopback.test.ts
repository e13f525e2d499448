import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../agent/test/api/api-harness.ts';
import { createOidcSignIn, signInWithLoopback } from '../../src/main/oidc-loopback.ts';
import { browse, startFakeOidcAgent, type FakeOidcAgent } from './fake-oidc-agent.ts';

describe('OIDC sign-in with a loopback redirect, against a stand-in agent', () => {
  let agent: FakeOidcAgent;
  beforeEach(async () => {
    agent = await startFakeOidcAgent();
  });
  afterEach(() => agent.close());

  it('opens the login page with a loopback redirect, state and PKCE, and exchanges the code', async () => {
    const pages: { status: number; text: string; url: string }[] = [];
    const signedIn = await signInWithLoopback({
      agentUrl: agent.url,
      openExternal: async (url) => void pages.push(await browse(url)),
    });
    expect(signedIn).toEqual({ token: 'pys_session', name: 'olivia', role: 'operator' });
    const login = agent.logins[0]!;
    expect(Object.fromEntries(login)).toMatchObject({
      client: 'desktop',
      redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/),
      state: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(pages).toEqual([
      expect.objectContaining({ status: 200, text: expect.stringContaining('Signed in to Port-Yard') }),
    ]);
    // One shot: the listener is gone.
    await expect(fetch(login.get('redirect_uri')!)).rejects.toThrow();
  });

  it('ignores a callback with another state, and takes the right one', async () => {
    const pages: number[] = [];
    const signedIn = await signInWithLoopback({
      agentUrl: agent.url,
      openExternal: async (url) => {
        const redirect = new URL(url).searchParams.get('redirect_uri')!;
        pages.push((await fetch(`${redirect}?code=stolen&state=guessed`)).status);
        pages.push((await fetch(redirect.replace('/callback', '/other'))).status);
        pages.push((await browse(url)).status);
      },
    });
    expect(pages).toEqual([400, 404, 200]);
    expect(signedIn.token).toBe('pys_session');
  });

  it('fails with the provider’s refusal, shown escaped in the browser tab', async () => {
    let shown = '';
    const failure = signInWithLoopback({
      agentUrl: agent.url,
      openExternal: async (url) => {
        const params = new URL(url).searchParams;
        const back = `${params.get('redirect_uri')}?state=${params.get('state')}&error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}`;
        shown = await (await fetch(back)).text();
      },
    });
    await expect(failure).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: 'the OIDC sign-in failed: access_denied: <b>no</b>',
    });
    expect(shown).toContain('access_denied: &#60;b&#62;no&#60;/b&#62;');
  });

  it('times out when the browser never comes back, and can be cancelled', async () => {
    let redirect = '';
    const remember = async (url: string) => void (redirect = new URL(url).searchParams.get('redirect_uri')!);
    await expect(
      signInWithLoopback({ agentUrl: agent.url, openExternal: remember, timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(fetch(redirect)).rejects.toThrow();
    const controller = new AbortController();
    const cancelled = signInWithLoopback({
      agentUrl: agent.url,
      openExternal: async () => controller.abort(),
      signal: controller.signal,
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fails as AUTH_FAILED when the agent refuses the code', async () => {
    const failure = signInWithLoopback({
      agentUrl: agent.url,
      openExternal: async (url) => {
        const params = new URL(url).searchParams;
        await fetch(
          `${params.get('redirect_uri')}?code=forged&state=${params.get('state')}&iss=${encodeURIComponent(agent.url)}`,
        );
      },
    });
    await expect(failure).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: `exchanging the sign-in code: the agent at ${agent.url} answered 400: invalid code`,
    });
  });

  it('stores the token of a registered agent in the keychain', async () => {
    const tokens: [string, string][] = [];
    const { signIn } = createOidcSignIn({
      agents: {
        get: async (id) => (id === 'a1' ? { id, name: 'sso', url: agent.url } : undefined),
        setToken: async (id, token) => void tokens.push([id, token]),
      },
      openExternal: async (url) => void (await browse(url)),
    });
    await signIn('a1');
    expect(tokens).toEqual([['a1', 'pys_session']]);
    await expect(signIn('a2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  /** The app's sign-ins for any agent id at the stand-in agent; `browser` gets the n-th login URL. */
  const signIns = (browser: (url: string, n: number) => Promise<void>) => {
    const tokens: [string, string][] = [];
    const opened: string[] = [];
    const flow = createOidcSignIn({
      agents: {
        get: async (id) => ({ id, name: 'sso', url: agent.url }),
        setToken: async (id, token) => void tokens.push([id, token]),
      },
      openExternal: async (url) => browser(url, opened.push(url)),
    });
    return { flow, tokens, opened };
  };

  it('cancels a sign-in whose browser tab was abandoned: nothing stored, the listener gone', async () => {
    // The user never finishes in the browser: only the login URL is kept.
    const { flow, tokens, opened } = signIns(async () => undefined);
    const waiting = flow.signIn('a1');
    await expect.poll(() => opened.length).toBe(1);
    flow.cancel('a1');
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    // The tab coming back late finds no listener.
    const login = new URL(opened[0]!).searchParams;
    await expect(
      fetch(`${login.get('redirect_uri')}?code=late&state=${login.get('state')}`),
    ).rejects.toThrow();
    expect(tokens).toEqual([]);
    // Cancelling with nothing waiting does nothing.
    flow.cancel('a1');
  });

  it('cancels the waiting sign-in of an agent when a new one starts for it', async () => {
    // The first tab is abandoned; the second one signs in.
    const { flow, tokens, opened } = signIns(async (url, n) => {
      if (n === 2) await browse(url);
    });
    const first = flow.signIn('a1');
    await expect.poll(() => opened.length).toBe(1);
    const second = flow.signIn('a1');
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    await second;
    expect(tokens).toEqual([['a1', 'pys_session']]);
  });
});

// An agent the app signs in to could send the browser on to another agent's login: the app
// then handed it the other agent's code and PKCE verifier, which it redeemed for a session there.
describe('OIDC sign-in: the code goes only to the agent that issued it', () => {
  it('refuses a code another agent issued, and sends it nowhere', async () => {
    const agent = await startFakeOidcAgent({ iss: 'http://127.0.0.1:1/honest-agent' });
    try {
      let shown = '';
      const failure = signInWithLoopback({
        agentUrl: agent.url,
        openExternal: async (url) => void (shown = (await browse(url)).text),
      });
      await expect(failure).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        message: expect.stringContaining('came from http://127.0.0.1:1/honest-agent, not from'),
      });
      expect(shown).toContain('The sign-in was refused');
      expect(agent.tokenRequests).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('refuses a code without an issuer (an agent from before iss)', async () => {
    const agent = await startFakeOidcAgent({ iss: null });
    try {
      await expect(
        signInWithLoopback({
          agentUrl: agent.url,
          openExternal: async (url) => void (await browse(url)),
        }),
      ).rejects.toMatchObject({ code: 'VERSION_MISMATCH' });
      expect(agent.tokenRequests).toBe(0);
    } finally {
      await agent.close();
    }
  });
});

describe('OIDC sign-in cancelled while the agent is asked how it signs in', () => {
  // The question had no signal: a hanging agent held the sign-in, and a cancel then still opened
  // the browser.
  it('ends at once, and opens no browser', async () => {
    const hanging = createServer(() => undefined); // answers nothing
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      let opened = 0;
      const signIn = signInWithLoopback({
        agentUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
        openExternal: async () => void (opened += 1),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await expect(signIn).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(opened).toBe(0);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});

describe('OIDC sign-in with agents that cannot do it', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('says that an older agent in OIDC mode cannot sign the desktop app in, before opening a browser', async () => {
    const older = await startFakeOidcAgent({ loopback: false });
    const opened: string[] = [];
    try {
      await expect(
        signInWithLoopback({ agentUrl: older.url, openExternal: async (url) => void opened.push(url) }),
      ).rejects.toMatchObject({
        code: 'VERSION_MISMATCH',
        message: `the agent at ${older.url} cannot sign the desktop app in with OIDC (an older agent, whose sign-in hands the session to the browser only): upgrade it, or use an API token`,
      });
    } finally {
      await older.close();
    }
    expect(opened).toEqual([]);
  });

  it('says that an agent in basic mode does not use OIDC', async () => {
    api = await startTestApi();
    await expect(
      signInWithLoopback({ agentUrl: api.url, openExternal: async () => undefined }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `the agent at ${api.url} signs in with "basic", not OIDC: use an API token`,
    });
  });
});
