import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server that plays the agent side of the desktop OIDC sign-in, for the app's own edge
 * cases (the real agent and provider: oidc-loopback-agent.test.ts): `agent.session` announces
 * `desktopSignIn.loopback` (or not: an older agent), the login page "signs the user in" at once
 * and redirects to the loopback URI with a one-time code, and the token endpoint checks the code,
 * the PKCE verifier and the redirect URI.
 */
export interface FakeOidcAgent {
  readonly url: string;
  /** The login requests' query parameters, in order. */
  readonly logins: URLSearchParams[];
  /** How many times a code was sent to be exchanged. */
  readonly tokenRequests: number;
  close(): Promise<void>;
}

export async function startFakeOidcAgent(
  /** `iss`: what the redirect says issued the code (default: this agent; null: nothing, an older agent). */
  options: { loopback?: boolean; token?: string; iss?: string | null } = {},
): Promise<FakeOidcAgent> {
  const logins: URLSearchParams[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  let next = 0;
  let own = '';
  let tokenRequests = 0;
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://agent');
    const json = (status: number, body: unknown): void =>
      void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/trpc/agent.session')
      return json(200, {
        result: {
          data: { authMode: 'oidc', identity: null, desktopSignIn: { loopback: options.loopback ?? true } },
        },
      });
    if (url.pathname === '/api/auth/oidc/login') {
      logins.push(url.searchParams);
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (!/^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(redirectUri))
        return json(400, { error: { message: 'bad redirect_uri' } });
      const code = `code-${++next}`;
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
      const back = new URL(redirectUri);
      const iss = options.iss === undefined ? own : options.iss;
      back.search = new URLSearchParams({
        code,
        state: url.searchParams.get('state') ?? '',
        ...(iss === null ? {} : { iss }),
      }).toString();
      return void response.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/api/auth/oidc/token' && request.method === 'POST') {
      tokenRequests += 1;
      const body = JSON.parse(await text(request)) as {
        code: string;
        code_verifier: string;
        redirect_uri: string;
      };
      const pending = codes.get(body.code);
      codes.delete(body.code);
      const challenge = createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url');
      if (!pending || pending.challenge !== challenge || pending.redirectUri !== body.redirect_uri)
        return json(400, { error: { code: 'AUTH_FAILED', message: 'invalid code' } });
      return json(200, { token: options.token ?? 'pys_session', name: 'olivia', role: 'operator' });
    }
    json(404, { error: { message: `no route ${request.method} ${url.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    logins,
    get tokenRequests() {
      return tokenRequests;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function text(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What a browser does with the login URL: follows the redirects, returns the last page. */
export async function browse(url: string): Promise<{ status: number; text: string; url: string }> {
  let current = url;
  for (let hop = 0; hop < 5; hop++) {
    const response = await fetch(current, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current).href;
      continue;
    }
    return { status: response.status, text: await response.text(), url: current };
  }
  throw new Error('too many redirects');
}
