import type { FailurePhase } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';

/**
 * The failure bookkeeping of a multi-process stream (dump, restore): the first failure wins and
 * stops every part through `stop`; later ones are its consequences. The caller's signal counts
 * as a failure too: its reason when that is a PortYardError (TIMEOUT), else CANCELLED.
 */
export interface FirstFailure {
  readonly stop: AbortSignal;
  fail(error: unknown): void;
  /**
   * Runs `stopPart` once the stream stops, or at once if it already has: a part started after a
   * cancel or a failure (a tool spawned once a pipe was made) must stop too.
   */
  onStop(stopPart: () => void): void;
  /** The first failure, if any. */
  readonly error: unknown;
  /** Stops listening to the caller's signal; call when the stream has settled. */
  dispose(): void;
}

export function createFirstFailure(
  signal: AbortSignal | undefined,
  what: string,
  phase: FailurePhase,
): FirstFailure {
  const stop = new AbortController();
  let first: unknown;
  const fail = (error: unknown): void => {
    first ??= error;
    if (!stop.signal.aborted) stop.abort(error);
  };
  const onCancel = (): void => {
    const reason: unknown = signal?.reason;
    fail(
      isPortYardError(reason)
        ? reason
        : new PortYardError('CANCELLED', `the ${what} was cancelled`, { phase }),
    );
  };
  if (signal?.aborted) onCancel();
  signal?.addEventListener('abort', onCancel, { once: true });
  return {
    stop: stop.signal,
    fail,
    onStop(stopPart) {
      if (stop.signal.aborted) stopPart();
      else stop.signal.addEventListener('abort', stopPart, { once: true });
    },
    get error() {
      return first;
    },
    dispose: () => signal?.removeEventListener('abort', onCancel),
  };
}
