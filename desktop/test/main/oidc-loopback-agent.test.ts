import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, mutate, query, trpcCode } from '../../../agent/test/api/api-harness.ts';
import { startAuthAgent, type AuthAgent } from '../../../agent/test/auth/auth-agent.ts';
import { Browser, type Hop } from '../../../agent/test/auth/browser.ts';
import { startTestProvider, type TestProvider } from '../../../agent/test/auth/oidc-provider-harness.ts';
import { createAgentRegistry, type AgentRegistry } from '../../src/main/agent-registry.ts';
import { createKeychain, createMemoryKeytar } from '../../src/main/keychain.ts';
import { createOidcSignIn, signInWithLoopback } from '../../src/main/oidc-loopback.ts';

/**
 * The desktop app's OIDC sign-in end to end: the app's module against a real agent in OIDC mode
 * and a real OpenID provider (oidc-provider); a scripted system browser follows the redirects,
 * signs in at the provider and lands on the app's loopback listener; the app exchanges the code
 * and the token it keeps works for the caller's role.
 */
let provider: TestProvider;
let agent: AuthAgent;
let dir: string;

beforeAll(async () => {
  provider = await startTestProvider({
    'sub-dora': { preferred_username: 'dora', groups: ['dba'] },
    'sub-vic': { preferred_username: 'vic', groups: ['staff'] },
    'sub-nobody': { preferred_username: 'nobody', groups: [] },
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
  provider.serve(`${agent.url}/api/auth/oidc/callback`);
  dir = await mkdtemp(join(tmpdir(), 'py-oidc-desktop-'));
});
afterAll(async () => {
  await agent?.close();
  await provider?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `shell.openExternal` in a fresh system browser signed in at the provider as `account`. */
function systemBrowser(account: string, visited: Hop[] = []) {
  return async (url: string): Promise<void> => {
    provider.signInAs = account;
    visited.push(...(await new Browser().navigate(url)));
  };
}

describe('desktop OIDC sign-in against a real agent and provider', () => {
  it('signs in through the system browser; the token works as the operator it names', async () => {
    const visited: Hop[] = [];
    const signedIn = await signInWithLoopback({
      agentUrl: agent.url,
      openExternal: systemBrowser('sub-dora', visited),
    });
    expect(signedIn).toEqual({
      token: expect.stringMatching(/^pys_/),
      name: 'dora',
      role: 'operator',
      expiresAt: expect.any(String),
    });
    // agent login → provider (login, consent) → agent callback → the app's loopback listener.
    expect(visited[0]!.location).toMatch(new RegExp(`^${provider.issuer}/`));
    const last = visited.at(-1)!;
    expect(last.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    expect([last.status, last.text]).toEqual([200, expect.stringContaining('Signed in to Port-Yard')]);

    const token = bearer(signedIn.token);
    const session = await query(agent.url, 'agent.session', undefined, token);
    expect(session.body.result.data.identity).toEqual({ name: 'dora', role: 'operator', kind: 'user' });
    expect((await mutate(agent.url, 'agent.reloadConfig', undefined, token)).status).toBe(200);
    expect(agent.api.audit.list().find((entry) => entry.action === 'login')).toMatchObject({
      actor: 'dora',
      via: 'oidc',
      outcome: 'ok',
      details: { role: 'operator', client: 'desktop' },
    });
  });

  it('adds an agent without a token, signs it in, and keeps the token in the keychain', async () => {
    const keytar = createMemoryKeytar();
    const registry: AgentRegistry = createAgentRegistry({
      file: join(dir, 'agents.json'),
      keychain: createKeychain(keytar),
    });
    const added = await registry.add({ name: 'sso', url: agent.url });
    expect(added.hasToken).toBe(false);

    await createOidcSignIn({ agents: registry, openExternal: systemBrowser('sub-vic') }).signIn(added.id);
    expect(await registry.list()).toEqual([{ ...added, hasToken: true }]);
    const stored = (await registry.token(added.id))!;
    expect(keytar.items.get(`port-yard\u0000${added.id}`)).toBe(stored);

    const token = bearer(stored);
    expect((await query(agent.url, 'targets.list', undefined, token)).status).toBe(200);
    expect(trpcCode(await mutate(agent.url, 'agent.reloadConfig', undefined, token))).toBe('FORBIDDEN');
  });

  it('fails at once with the agent’s reason when the user has no role', async () => {
    const visited: Hop[] = [];
    await expect(
      signInWithLoopback({ agentUrl: agent.url, openExternal: systemBrowser('sub-nobody', visited) }),
    ).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message:
        'the OIDC sign-in failed: access_denied: nobody has no role on this agent (no role mapping matches)',
    });
    expect(visited.at(-1)!.status).toBe(401);
  });
});
