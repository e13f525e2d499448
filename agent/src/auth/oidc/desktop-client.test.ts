import { describe, expect, it } from 'vitest';
import { desktopClientFrom, isLoopbackRedirect, pkceMatches } from './desktop-client.ts';

describe('the desktop client of an OIDC login', () => {
  it('accepts loopback IP literals with a port, and nothing else', () => {
    const accepted = [
      'http://127.0.0.1:1/callback',
      'http://127.0.0.1:65535/callback',
      'http://[::1]:8400/callback',
      'http://127.0.0.1:8400',
      'http://127.0.0.1:8400/a/b-c_d.e~f%20',
    ];
    const refused = [
      'http://localhost:8400/callback',
      'http://127.0.0.1/callback',
      'http://127.0.0.1:0/callback',
      'http://127.0.0.1:65536/callback',
      'https://127.0.0.1:8400/callback',
      'http://127.1:8400/callback',
      'http://127.0.0.2:8400/callback',
      'http://[::ffff:127.0.0.1]:8400/callback',
      'http://127.0.0.1.evil.example:8400/callback',
      'http://127.0.0.1:8400@evil.example/callback',
      'http://127.0.0.1:8400/callback?x=1',
      'http://127.0.0.1:8400/callback#x',
      'http://127.0.0.1:8400\\@evil.example/',
      'HTTP://127.0.0.1:8400/callback',
      ' http://127.0.0.1:8400/callback',
    ];
    expect(accepted.filter((uri) => !isLoopbackRedirect(uri))).toEqual([]);
    expect(refused.filter(isLoopbackRedirect)).toEqual([]);
  });

  it('is absent for the console’s login, and read whole for the app’s', () => {
    expect(desktopClientFrom(new URLSearchParams())).toBeUndefined();
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const params = new URLSearchParams({
      client: 'desktop',
      redirect_uri: 'http://127.0.0.1:8400/callback',
      state: 'abcdefghijklmnop',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(desktopClientFrom(params)).toEqual({
      redirectUri: 'http://127.0.0.1:8400/callback',
      state: 'abcdefghijklmnop',
      codeChallenge: challenge,
    });
    const without = (key: string, value?: string): URLSearchParams => {
      const changed = new URLSearchParams(params);
      if (value === undefined) changed.delete(key);
      else changed.set(key, value);
      return changed;
    };
    const problem = (changed: URLSearchParams): string => {
      try {
        desktopClientFrom(changed);
        return 'accepted';
      } catch (error) {
        return `${(error as { code: string }).code} ${(error as Error).message}`;
      }
    };
    expect(problem(without('client'))).toMatch(/^INVALID_INPUT client must be "desktop"/);
    expect(problem(without('client', 'web'))).toMatch(/^INVALID_INPUT client must be "desktop"/);
    expect(problem(without('redirect_uri'))).toMatch(/^INVALID_INPUT redirect_uri must be a loopback/);
    expect(problem(without('state'))).toMatch(/^INVALID_INPUT state must be/);
    expect(problem(without('state', 'short'))).toMatch(/^INVALID_INPUT state must be/);
    expect(problem(without('code_challenge_method'))).toBe(
      'INVALID_INPUT code_challenge_method must be S256',
    );
    expect(problem(without('code_challenge_method', 'plain'))).toMatch(/must be S256$/);
    expect(problem(without('code_challenge', 'abc'))).toMatch(/^INVALID_INPUT code_challenge must be/);
  });

  it('checks the PKCE verifier against its S256 challenge (RFC 7636, appendix B)', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches(`${verifier.slice(0, -1)}l`, challenge)).toBe(false);
    expect(pkceMatches(challenge, challenge)).toBe(false);
    expect(pkceMatches('short', challenge)).toBe(false);
    expect(pkceMatches(verifier, '')).toBe(false);
  });
});
