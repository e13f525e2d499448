import { randomBytes } from 'node:crypto';
import type { Identity } from '../identity.ts';

/** What a one-time code stands for: who signed in, and what its exchange must present. */
export interface DesktopGrant {
  readonly identity: Identity;
  readonly redirectUri: string;
  readonly codeChallenge: string;
}

export type Redeemed =
  | {
      readonly ok: true;
      readonly grant: DesktopGrant;
      /** Remembers the session the code gave, so that a replay of the code can end it. */
      issued(token: string): void;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Who the code was for, when known (for the audit log). */
      readonly actor?: string;
      /** A session to end: the code was presented again after it gave one (RFC 6749 §4.1.2). */
      readonly revoke?: string;
    };

export interface DesktopCodes {
  issue(grant: DesktopGrant): string;
  /** Spends the code on its first presentation, whatever the outcome of the exchange. */
  redeem(code: string): Redeemed;
}

/**
 * The one-time codes the callback hands the desktop app through its loopback redirect, in
 * memory: 32 random bytes, valid for `ttlMs` (60 s). A spent or expired code is remembered for
 * 10 minutes more so that the refusal can say which it was; at most `max` are kept, oldest
 * dropped first.
 */
export function createDesktopCodes(
  options: { ttlMs?: number; max?: number; clock?: () => number } = {},
): DesktopCodes {
  const ttlMs = options.ttlMs ?? 60_000;
  const max = options.max ?? 1000;
  const clock = options.clock ?? Date.now;
  const rememberMs = 10 * 60_000;
  const codes = new Map<string, { grant: DesktopGrant; expiresAt: number; spent: boolean; token?: string }>();

  return {
    issue(grant) {
      const now = clock();
      for (const [key, entry] of codes) if (entry.expiresAt + rememberMs <= now) codes.delete(key);
      while (codes.size >= max) codes.delete(codes.keys().next().value!);
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { grant, expiresAt: now + ttlMs, spent: false });
      return code;
    },
    redeem(code) {
      const entry = codes.get(code);
      if (!entry || entry.expiresAt + rememberMs <= clock())
        return { ok: false, reason: 'the sign-in code is not valid: start the sign-in again' };
      const actor = entry.grant.identity.name;
      if (entry.spent)
        return {
          ok: false,
          actor,
          reason: 'the sign-in code was already used: start the sign-in again',
          revoke: entry.token,
        };
      entry.spent = true;
      if (entry.expiresAt <= clock())
        return {
          ok: false,
          actor,
          reason: `the sign-in code expired (it is valid for ${Math.round(ttlMs / 1000)} s): start the sign-in again`,
        };
      return { ok: true, grant: entry.grant, issued: (token) => void (entry.token = token) };
    },
  };
}
