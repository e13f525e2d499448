import { setTimeout as sleep } from 'node:timers/promises';
import type { SendAttempt, SendOutcome } from './send-outcome.ts';

export interface RetryPolicy {
  readonly attempts: number;
  /** Each attempt gives up after this long. */
  readonly timeoutMs: number;
  /** The wait before the second attempt; it doubles each time (1 s, 2 s, 4 s, ...). */
  readonly baseDelayMs: number;
  /** No wait is longer, a receiver's Retry-After included. */
  readonly maxDelayMs: number;
}

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

/**
 * Up to `attempts` tries of `send`, each with its own timeout, waiting with exponential backoff
 * in between (longer when the receiver says so); a failure that retrying cannot fix ends at once.
 * `signal` (the agent stopping) ends the waits and the attempt in flight. Never throws.
 */
export async function deliverWithRetry(
  send: SendAttempt,
  policy: RetryPolicy,
  options: {
    readonly signal?: AbortSignal;
    readonly onRetry?: (attempt: number, error: string, delayMs: number) => void;
  } = {},
): Promise<DeliveryOutcome> {
  let error = 'not attempted';
  for (let attempt = 1; attempt <= policy.attempts; attempt += 1) {
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const outcome = await send(signal).catch((caught: unknown): SendOutcome => ({
      ok: false,
      error: `internal error: ${(caught as Error).message}`,
      retryable: false,
    }));
    if (outcome.ok) return { ok: true, attempts: attempt };
    error = outcome.error;
    if (!outcome.retryable || attempt === policy.attempts || options.signal?.aborted)
      return { ok: false, attempts: attempt, error };
    const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
    const delayMs = Math.min(policy.maxDelayMs, Math.max(backoff, outcome.retryAfterMs ?? 0));
    options.onRetry?.(attempt, error, delayMs);
    try {
      await sleep(delayMs, undefined, { signal: options.signal });
    } catch {
      return { ok: false, attempts: attempt, error: `${error}; cancelled before retrying` };
    }
  }
  return { ok: false, attempts: policy.attempts, error };
}
