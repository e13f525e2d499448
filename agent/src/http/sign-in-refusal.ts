import type { ServerResponse } from 'node:http';
import { SignInBusy } from '../auth/hash-checks.ts';
import { sendJson } from './respond.ts';
import { TooManyAttempts } from './sign-in-limit.ts';

export interface SignInRefusal {
  readonly status: 429 | 503;
  readonly trpcCode: 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE';
  /** Seconds, for the Retry-After header. */
  readonly retryAfter: string;
}

/**
 * How a sign-in refused before its check is answered: too many failures (429, wait for the
 * window to end) or too many checks waiting already (503, a few seconds). Undefined for any
 * other error.
 */
export function signInRefusal(error: unknown): SignInRefusal | undefined {
  if (error instanceof TooManyAttempts)
    return { status: 429, trpcCode: 'TOO_MANY_REQUESTS', retryAfter: '300' };
  if (error instanceof SignInBusy) return { status: 503, trpcCode: 'SERVICE_UNAVAILABLE', retryAfter: '5' };
  return undefined;
}

export function sendRefusal(response: ServerResponse, error: TooManyAttempts | SignInBusy): void {
  const refusal = signInRefusal(error)!;
  sendJson(
    response,
    refusal.status,
    { error: { code: error.code, message: error.message } },
    { 'retry-after': refusal.retryAfter },
  );
}
