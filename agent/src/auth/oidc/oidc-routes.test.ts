import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { createAuditLog } from '../../audit/audit-log.ts';
import type { Logger } from '../../platform/logger.ts';
import { createSessions } from '../sessions.ts';
import type { OidcClient } from './oidc-client.ts';
import { createOidcRoutes } from './oidc-routes.ts';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let close: (() => void) | undefined;
afterEach(() => close?.());

/** The login route over real HTTP, with a client that counts the logins it was asked to begin. */
async function loginRoute() {
  const auth = configSchema.parse({
    version: 1,
    auth: { mode: 'oidc', oidc: { issuer: 'https://idp.example', clientId: 'port-yard' } },
    storages: { local: { type: 'filesystem', path: '/tmp/unused' } },
    targets: {},
  }).auth;
  const begun: string[] = [];
  const client: OidcClient = {
    begin: async (redirectUri) => {
      begun.push(redirectUri);
      return {
        url: new URL('https://idp.example/authorize'),
        state: `s${begun.length}`,
        pending: { codeVerifier: 'v', nonce: 'n', redirectUri },
      };
    },
    complete: async () => ({}),
  };
  const routes = createOidcRoutes({
    auth: { ...auth, oidc: auth.oidc! },
    client,
    sessions: createSessions(60_000),
    audit: createAuditLog(silent),
    log: silent,
    tls: false,
    secureCookies: false,
  });
  const server = createServer((request, response) => void routes.login(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => server.close();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/oidc/login`;
  return { base, begun };
}

describe('the OIDC login route', () => {
  it('refuses a desktop login with a non-loopback redirect before anything is begun or stored', async () => {
    const { base, begun } = await loginRoute();
    const params = new URLSearchParams({
      client: 'desktop',
      redirect_uri: 'http://evil.example:8400/callback',
      state: 'abcdefghijklmnop',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const refused = await fetch(`${base}?${params}`, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(begun).toEqual([]);

    params.set('redirect_uri', 'http://127.0.0.1:8400/callback');
    const accepted = await fetch(`${base}?${params}`, { redirect: 'manual' });
    expect(accepted.status).toBe(302);
    // The provider's redirect stays the agent's own callback.
    expect(begun).toEqual([base.replace('/login', '/callback')]);
  });
});
