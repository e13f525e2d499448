/**
 * How one delivery attempt ended. Expected failures (a refused connection, HTTP 500, an SMTP
 * rejection) are outcomes, not exceptions; `error` never contains a URL, an address's secret
 * part or a password.
 */
export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error: string;
      /** Worth another attempt (network, timeout, 429, 5xx), or not (404, a rejected login). */
      readonly retryable: boolean;
      /** The receiver asked to wait this long first (HTTP Retry-After). */
      readonly retryAfterMs?: number;
    };

/** One attempt; `signal` aborts it at its timeout (reason: a TimeoutError) or when the agent stops. */
export type SendAttempt = (signal: AbortSignal) => Promise<SendOutcome>;

/** Why an aborted attempt stopped, in words. */
export function abortedBecause(signal: AbortSignal, timeoutMs: number): SendOutcome {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError')
    return { ok: false, error: `no answer within ${formatSeconds(timeoutMs)}`, retryable: true };
  return { ok: false, error: 'cancelled: the agent is stopping', retryable: false };
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
