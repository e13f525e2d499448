import { PortYardError } from '@port-yard/shared';
import { canonicalUserName } from '../auth/user-name.ts';

/** Refused because of too many failed sign-ins: HTTP 429, tRPC TOO_MANY_REQUESTS. */
export class TooManyAttempts extends PortYardError {
  constructor() {
    super('AUTH_FAILED', 'too many failed sign-ins: wait a few minutes');
  }
}

/** Who tries to sign in: the client's address and the user name it gives (none for a token). */
export interface SignInAttempt {
  readonly address: string | undefined;
  readonly username?: string;
  /**
   * The exact secret was verified within minutes (the authenticator's cache): it costs no hash
   * check and proves knowledge, so the address's count does not hold it up. Behind a proxy every
   * client shares one address, and a flood there must not lock out a polling console or a token.
   */
  readonly vouched?: boolean;
}

/** How an attempt ended: `unchecked` when it was never checked (the agent was busy). */
export type SignInOutcome = 'succeeded' | 'failed' | 'unchecked';

export interface SignInLimit {
  /**
   * Starts a sign-in attempt. Undefined when it must be refused: `perUser` attempts failed (or
   * are still being checked) for this address and user name in the current window, or
   * `perAddress` for this address, whatever the names. Otherwise call the returned function
   * with the outcome: a success clears the user's count (not the address's), a failure counts
   * against both.
   */
  begin(attempt: SignInAttempt): ((outcome: SignInOutcome) => void) | undefined;
}

export interface SignInLimitSettings {
  readonly perUser: number;
  readonly perAddress: number;
  readonly windowMs: number;
}

/**
 * The documented limits: 10 failed sign-ins per address and user name, and 100 per address
 * (ten people behind one NAT mistyping), per 5 minutes.
 */
export const signInLimitDefaults: SignInLimitSettings = {
  perUser: 10,
  perAddress: 100,
  windowMs: 5 * 60_000,
};

/**
 * Limits password guessing per address and user name (in its canonical form), and per address
 * alone: new user names every time (or API tokens, which have none) once got unlimited tries.
 * Past a limit, every attempt is refused, right password or not, until the window ends.
 * Attempts still being verified count too, so a burst of parallel guesses gets no more tries
 * than a sequence. A success clears the user's count (a user who signs in often is never locked
 * out). One limit serves every way a secret is tried (the login form, `Authorization: Basic`
 * and bearer tokens on API requests): with one each, 10 became 20.
 */
export function createSignInLimit(settings: SignInLimitSettings & { clock?: () => number }): SignInLimit {
  const clock = settings.clock ?? Date.now;
  const users = createWindows(settings.perUser, settings.windowMs);
  const addresses = createWindows(settings.perAddress, settings.windowMs);
  return {
    begin({ address, username, vouched }) {
      const now = clock();
      // Counted under the canonical name: `ALICE` and `alice ` are alice's attempts too.
      const userKey = username === undefined ? undefined : `${address}\u0000${canonicalUserName(username)}`;
      const user = userKey === undefined ? undefined : users.open(userKey, now);
      const byAddress = vouched ? undefined : addresses.open(`${address}`, now);
      if ((userKey !== undefined && !user) || (!vouched && !byAddress)) return undefined;
      const counted = [user, byAddress].filter((entry) => entry !== undefined);
      for (const entry of counted) entry.pending += 1;
      let settled = false;
      return (outcome) => {
        if (settled) return;
        settled = true;
        for (const entry of counted) {
          entry.pending -= 1;
          if (outcome === 'failed') entry.failures += 1;
        }
        if (outcome === 'succeeded' && userKey !== undefined && user) users.clear(userKey, user);
      };
    },
  };
}

interface Window {
  readonly start: number;
  failures: number;
  pending: number;
}

/** Counts per key in fixed windows; memory is bounded by dropping ended windows. */
function createWindows(max: number, windowMs: number) {
  const entries = new Map<string, Window>();
  return {
    /** The key's current window, or undefined when it is full. */
    open(key: string, now: number): Window | undefined {
      if (entries.size > 10_000)
        for (const [k, entry] of entries) if (now - entry.start >= windowMs) entries.delete(k);
      let entry = entries.get(key);
      if (!entry || now - entry.start >= windowMs) {
        entry = { start: now, failures: 0, pending: 0 };
        entries.set(key, entry);
      }
      return entry.failures + entry.pending >= max ? undefined : entry;
    },
    clear(key: string, entry: Window): void {
      if (entries.get(key) === entry) entries.delete(key);
    },
  };
}
