import type { IncomingMessage } from 'node:http';
import { PortYardError } from '@port-yard/shared';
import type { Authenticator } from '../auth/authenticator.ts';
import { SignInBusy } from '../auth/hash-checks.ts';
import type { Identity } from '../auth/identity.ts';
import { readCredentials, type RequestCredentials } from '../auth/request-credentials.ts';
import { sessionTokenPrefix } from '../auth/sessions.ts';
import { userNameProblem } from '../auth/user-name.ts';
import { whileConnected } from './client-gone.ts';
import { TooManyAttempts, type SignInAttempt, type SignInLimit } from './sign-in-limit.ts';

/**
 * Who an API request is. A request that makes the agent check a hash (`Authorization: Basic`, an
 * API token) is a sign-in attempt: counted against the same limit as the login form (per user
 * and per address; a token per address), refused before any hash work once over it
 * (TooManyAttempts), and checked only while its client is still there. Sessions and cookies
 * cost no hash and are not counted.
 */
export function createRequestIdentifier(deps: {
  readonly authenticator: Authenticator;
  readonly signInLimit: SignInLimit;
}): (request: IncomingMessage) => Promise<Identity | undefined> {
  const { authenticator, signInLimit } = deps;
  return async (request) => {
    const credentials = readCredentials(request);
    const attempt = attemptOf(credentials, authenticator);
    if (!attempt) return authenticator.identify(credentials);
    const finish = signInLimit.begin(attempt);
    if (!finish) throw new TooManyAttempts();
    try {
      const identity = await whileConnected(request, (signal) => authenticator.identify(credentials, signal));
      finish('succeeded');
      return identity;
    } catch (error) {
      // Busy: nothing was checked, so nothing counts. A check dropped because its client left
      // counts as failed: a flood of hang-ups must meet the address's limit too.
      finish(error instanceof SignInBusy ? 'unchecked' : 'failed');
      throw error;
    }
  };
}

function attemptOf(credentials: RequestCredentials, authenticator: Authenticator): SignInAttempt | undefined {
  const { remoteAddress: address, bearer, basic } = credentials;
  const vouched = authenticator.verifiedRecently(credentials);
  if (bearer !== undefined) return bearer.startsWith(sessionTokenPrefix) ? undefined : { address, vouched };
  if (!basic || authenticator.mode !== 'basic') return undefined;
  const problem = userNameProblem(basic.username);
  if (problem) throw new PortYardError('AUTH_FAILED', problem);
  return { address, username: basic.username, vouched };
}
