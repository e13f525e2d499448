import { createHash, timingSafeEqual } from 'node:crypto';
import { PortYardError } from '@port-yard/shared';

/**
 * The desktop app's part of a login (RFC 8252, OAuth 2.0 for Native Apps): where its loopback
 * listener waits, its own state (handed back unchanged) and its PKCE challenge (RFC 7636, S256).
 * Kept with the pending login; the provider's redirect stays the agent's own callback.
 */
export interface DesktopClient {
  /** `http://127.0.0.1:<port>/...` or `http://[::1]:<port>/...`. */
  readonly redirectUri: string;
  readonly state: string;
  /** base64url(sha256(code_verifier)). */
  readonly codeChallenge: string;
}

/**
 * Loopback IP literals only, with a port: never a host name (`localhost` may resolve elsewhere,
 * RFC 8252 §8.3) and never another host, so the one-time code can only reach this machine.
 */
const loopbackRedirect = /^http:\/\/(?:127\.0\.0\.1|\[::1\]):(\d{1,5})(?:\/[\w\-.~%/]*)?$/;

export function isLoopbackRedirect(uri: string): boolean {
  const port = loopbackRedirect.exec(uri)?.[1];
  return port !== undefined && Number(port) >= 1 && Number(port) <= 65_535;
}

/**
 * The desktop client of `GET /api/auth/oidc/login?client=desktop&...`; undefined for the web
 * console's login (no `client`, no `redirect_uri`). INVALID_INPUT naming the first bad parameter.
 */
export function desktopClientFrom(params: URLSearchParams): DesktopClient | undefined {
  const client = params.get('client');
  const redirectUri = params.get('redirect_uri');
  if (client === null && redirectUri === null) return undefined;
  const refuse = (problem: string): never => {
    throw new PortYardError('INVALID_INPUT', problem);
  };
  if (client !== 'desktop') refuse('client must be "desktop" (a redirect_uri is only for the desktop app)');
  if (redirectUri === null || !isLoopbackRedirect(redirectUri))
    refuse(
      'redirect_uri must be a loopback address with a port: http://127.0.0.1:<port>/... or http://[::1]:<port>/...',
    );
  const state = params.get('state') ?? '';
  if (!/^[\w.~-]{16,512}$/.test(state)) refuse('state must be 16 to 512 characters of A-Z a-z 0-9 - . _ ~');
  if (params.get('code_challenge_method') !== 'S256') refuse('code_challenge_method must be S256');
  const codeChallenge = params.get('code_challenge') ?? '';
  if (!/^[\w-]{43}$/.test(codeChallenge))
    refuse('code_challenge must be a base64url SHA-256 (43 characters)');
  return { redirectUri: redirectUri!, state, codeChallenge };
}

/** RFC 7636 §4.6: base64url(sha256(verifier)) equals the challenge; the verifier 43-128 characters. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[\w.~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
