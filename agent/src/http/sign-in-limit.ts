import { PortYardError } from '@port-yard/shared';
import { canonicalUserName } from '../auth/user-name.ts';

/** Refused because of too many failed sign-ins: HTTP 429, tRPC TOO_MANY_REQUESTS. */
export class TooManyAttempts extends PortYardError {
  constructor() {
    super('AUTH_FAILED', 'too many failed sign-ins: wait a few minutes');
  }
}

/** Who tries to sign in: the client's address and the user name it gives. */
export interface SignInAttempt {
  readonly address: string | undefined;
  readonly username: string;
}

export interface SignInLimit {
  /**
   * Starts a sign-in attempt. Undefined when it must be refused: `max` attempts failed (or are
   * still being checked) for this address and user name in the current window. Otherwise call
   * the returned function with the outcome: a success clears the count, a failure counts.
   */
  begin(attempt: SignInAttempt): ((succeeded: boolean) => void) | undefined;
}

/** The documented limit: 10 failed sign-ins per address and user name per 5 minutes. */
export const signInLimitDefaults = { max: 10, windowMs: 5 * 60_000 };

/**
 * Limits password guessing per address and user name (in its canonical form): at most `max` failures per `windowMs`,
 * right password or not after that. One limit serves every way a password is tried (the login
 * form and `Authorization: Basic` on API requests): with one each, 10 became 20. Attempts still being verified count too, so a burst of
 * parallel guesses gets no more tries than a sequence. A success clears the count (a user who
 * signs in often is never locked out). Memory is bounded by dropping old windows.
 */
export function createSignInLimit(options: {
  max: number;
  windowMs: number;
  clock?: () => number;
}): SignInLimit {
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, { start: number; failures: number; pending: number }>();
  return {
    begin({ address, username }) {
      // Counted under the canonical name: `ALICE` and `alice ` are alice's attempts too.
      const key = `${address}\u0000${canonicalUserName(username)}`;
      const now = clock();
      if (entries.size > 10_000)
        for (const [k, entry] of entries) if (now - entry.start >= options.windowMs) entries.delete(k);
      let entry = entries.get(key);
      if (!entry || now - entry.start >= options.windowMs) {
        entry = { start: now, failures: 0, pending: 0 };
        entries.set(key, entry);
      }
      if (entry.failures + entry.pending >= options.max) return undefined;
      const current = entry;
      current.pending += 1;
      let settled = false;
      return (succeeded) => {
        if (settled) return;
        settled = true;
        current.pending -= 1;
        if (!succeeded) current.failures += 1;
        else if (entries.get(key) === current) entries.delete(key);
      };
    },
  };
}
