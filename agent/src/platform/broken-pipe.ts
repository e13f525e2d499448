import { setTimeout as delay } from 'node:timers/promises';

/** How long a broken pipe waits for the exit of the process that closed it. */
const exitWaitMs = 5000;

/**
 * A write to a process that has stopped reading (EPIPE) is a symptom: the process exited, and
 * its exit code and stderr say why (a wrong age key, a SQL error). Which of the two Node reports
 * first is a race, so a broken pipe waits, a bounded time, for `exited` to settle and yields its
 * failure instead; any other error, or a process that exited cleanly, yields `error` itself.
 * `isSymptom` says which errors are the process's stopping to read (default: a broken pipe).
 */
export async function causeOf(
  error: unknown,
  exited: Promise<unknown>,
  isSymptom: (error: unknown) => boolean = isBrokenPipe,
): Promise<unknown> {
  if (!isSymptom(error)) return error;
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

/**
 * A broken pipe, or how Node names one in a pipeline into a process's stdin when the process
 * exits in the middle of a write: a premature close (1 restore in 60 failed so).
 */
export function isClosedStdin(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return isBrokenPipe(error) || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

export function isBrokenPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
