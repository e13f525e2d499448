import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The users the test provider knows: their claims beside `sub`. */
export type Accounts = Record<string, Record<string, unknown>>;

export interface TestProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next sign-in logs in as (there is no login form: the test decides). */
  signInAs: string;
  /** Registers the agent's callback and starts answering: call once the agent's port is known. */
  serve(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`, the certified library) on a loopback port. Its
 * interaction (login, then consent) completes by itself as `signInAs`, so the test drives the
 * whole browser flow over plain HTTP. Groups come in a `groups` scope and claim, Keycloak-style
 * roles in `realm_access.roles`; in a code flow this provider puts them in userinfo, not the ID
 * token (its default), which exercises the agent's userinfo lookup.
 */
export async function startTestProvider(accounts: Accounts): Promise<TestProvider> {
  let provider: Provider | undefined;
  const server: Server = createServer((request, response) => {
    if (!provider) return void response.writeHead(503).end();
    if (request.url?.startsWith('/interaction/'))
      return void interact(provider, harness.signInAs, request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    return void provider.callback()(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const harness: TestProvider = {
    issuer,
    clientId: 'port-yard',
    clientSecret: 'test-client-secret-0123456789',
    signInAs: Object.keys(accounts)[0] ?? '',
    serve(redirectUri) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: harness.clientId,
            client_secret: harness.clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        scopes: ['openid', 'profile', 'groups'],
        claims: {
          openid: ['sub'],
          profile: ['preferred_username', 'name'],
          groups: ['groups', 'realm_access'],
        },
        findAccount: (_ctx, sub) =>
          accounts[sub] ? { accountId: sub, claims: () => ({ sub, ...accounts[sub] }) } : undefined,
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        cookies: { keys: ['port-yard-test-cookie-key'] },
        ttl: {
          Interaction: 600,
          Session: 600,
          Grant: 600,
          AccessToken: 600,
          IdToken: 600,
          AuthorizationCode: 60,
        },
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return harness;
}

/** Answers the provider's interaction as `accountId`: the login, then consent to what it asks. */
async function interact(
  op: Provider,
  accountId: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const details = await op.interactionDetails(request, response);
  if (details.prompt.name === 'login') {
    await op.interactionFinished(request, response, { login: { accountId } });
    return;
  }
  const grant = details.grantId
    ? (await op.Grant.find(details.grantId))!
    : new op.Grant({ accountId: details.session!.accountId, clientId: String(details.params['client_id']) });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await op.interactionFinished(
    request,
    response,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}
