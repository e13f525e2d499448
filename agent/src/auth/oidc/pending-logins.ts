import type { DesktopClient } from './desktop-client.ts';

/** What the callback must check, kept server-side from the redirect to the provider until its return. */
export interface PendingLogin {
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  /** A random value also set as a cookie: the callback must come from the browser that started. */
  readonly browser: string;
  /** Set when the desktop app started the login: the callback hands it a one-time code. */
  readonly desktop?: DesktopClient;
}

export interface PendingLogins {
  add(state: string, login: PendingLogin): void;
  /** The login started with `state`, removed so that a state works once (no replay). */
  take(state: string): PendingLogin | undefined;
}

/**
 * In memory, at most `max` logins of at most `ttlMs` each. Unauthenticated callers create these,
 * so when full the oldest goes first: a flood can cancel logins in flight, never exhaust memory.
 */
export function createPendingLogins(
  options: { ttlMs?: number; max?: number; clock?: () => number } = {},
): PendingLogins {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const max = options.max ?? 1000;
  const clock = options.clock ?? Date.now;
  const logins = new Map<string, PendingLogin & { readonly expiresAt: number }>();
  return {
    add(state, login) {
      const now = clock();
      for (const [key, entry] of logins) if (entry.expiresAt <= now) logins.delete(key);
      // Map iteration is insertion order: the first key is the oldest login.
      while (logins.size >= max) logins.delete(logins.keys().next().value!);
      logins.set(state, { ...login, expiresAt: now + ttlMs });
    },
    take(state) {
      const entry = logins.get(state);
      logins.delete(state);
      if (!entry || entry.expiresAt <= clock()) return undefined;
      const { expiresAt: _expiresAt, ...login } = entry;
      return login;
    },
  };
}
