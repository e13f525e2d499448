import * as client from 'openid-client';
import type { AuthConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import type { PendingLogin } from './pending-logins.ts';

export type OidcSettings = NonNullable<AuthConfig['oidc']>;

export interface OidcClient {
  /** Where to send the browser, and what its return must match (state is the map key). */
  begin(
    redirectUri: string,
  ): Promise<{ url: URL; state: string; pending: Omit<PendingLogin, 'browser' | 'desktop'> }>;
  /**
   * Exchanges the code of `callbackUrl` (PKCE verifier, state, nonce and the ID token's signature
   * and audience checked by openid-client) and returns the user's claims.
   */
  complete(callbackUrl: URL, state: string, pending: PendingLogin): Promise<Record<string, unknown>>;
}

const timeoutSeconds = 10;

/**
 * The provider's configuration is discovered on the first login, not at start, so the agent
 * starts (and backs up) while the provider is down; a failed discovery is retried next time.
 */
export function createOidcClient(settings: OidcSettings): OidcClient {
  let configuration: Promise<client.Configuration> | undefined;
  const configured = (): Promise<client.Configuration> => {
    configuration ??= discover(settings).catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  return {
    async begin(redirectUri) {
      const config = await configured();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state, pending: { codeVerifier, nonce, redirectUri } };
    },
    async complete(callbackUrl, state, pending) {
      const config = await configured();
      const tokens = await client
        .authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        })
        .catch((error: unknown) => {
          // The provider's own words (`invalid_grant: ...`) say more than the library's summary.
          if (!(error instanceof client.ResponseBodyError)) throw error;
          const said = [error.error, error.error_description].filter(Boolean).join(': ');
          throw new PortYardError('AUTH_FAILED', `the provider refused the code (${said})`, { cause: error });
        });
      const idClaims: Record<string, unknown> = { ...tokens.claims() };
      // Many providers put only `sub` in the ID token of a code flow and the rest in userinfo.
      const needsUserinfo =
        idClaims[settings.usernameClaim] === undefined || idClaims[settings.groupsClaim] === undefined;
      if (!needsUserinfo || !config.serverMetadata().userinfo_endpoint) return idClaims;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(idClaims['sub']));
      return { ...userinfo, ...idClaims };
    },
  };
}

async function discover(settings: OidcSettings): Promise<client.Configuration> {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:';
  if (insecure && !isLoopback(issuer.hostname))
    throw new PortYardError('CONFIG_INVALID', `the OIDC issuer ${settings.issuer} must use https`);
  try {
    return await client.discovery(issuer, settings.clientId, settings.clientSecret, clientAuth(settings), {
      timeout: timeoutSeconds,
      // Plain http only to a provider on this machine (development, tests): never over a network.
      execute: insecure ? [client.allowInsecureRequests] : [],
    });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    const reason = [(error as Error).message, cause?.message].filter(Boolean).join(': ');
    throw new PortYardError(
      'CONNECTION_FAILED',
      `cannot discover the OIDC issuer ${settings.issuer}: ${reason}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A public client (no secret) proves itself with PKCE alone. With a secret, HTTP Basic (the
 * OIDC default) unless the provider announces only client_secret_post.
 */
function clientAuth(settings: OidcSettings): client.ClientAuth {
  if (!settings.clientSecret) return client.None();
  const basic = client.ClientSecretBasic(settings.clientSecret);
  const post = client.ClientSecretPost(settings.clientSecret);
  return (as, metadata, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const usePost = methods?.includes('client_secret_post') && !methods.includes('client_secret_basic');
    return (usePost ? post : basic)(as, metadata, body, headers);
  };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
