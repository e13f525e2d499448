import { setTimeout as delay } from 'node:timers/promises';

/** How long a broken pipe waits for the exit of the process that closed it. */
const exitWaitMs = 5000;

/**
 * A write to a process that has stopped reading (EPIPE) is a symptom: the process exited, and
 * its exit code and stderr say why (a wrong age key, a SQL error). Which of the two Node reports
 * first is a race, so a broken pipe waits, a bounded time, for `exited` to settle and yields its
 * failure instead; any other error, or a process that exited cleanly, yields `error` itself.
 */
export async function causeOf(error: unknown, exited: Promise<unknown>): Promise<unknown> {
  if (!isBrokenPipe(error)) return error;
  const exitFailure = await settledWithin(
    exited.then(
      () => undefined,
      (failure: unknown) => failure ?? error,
    ),
  );
  return exitFailure ?? error;
}

/** `promise`'s value, or undefined when it takes longer than a process takes to exit. */
export async function settledWithin<T>(promise: Promise<T>): Promise<T | undefined> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      promise,
      delay(exitWaitMs, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
  } finally {
    timeout.abort();
  }
}

export function isBrokenPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
